// The model cache: models downloaded from a URL are kept in the Origin
// Private File System, so a second visit loads them without the network.
// Each model is two files in the folder "wisp-models": KEY.gguf (the bytes)
// and KEY.json (its metadata, written before the bytes so an interrupted
// download can resume). KEY is derived from the model's absolute URL.
//
// fetchModel runs in the Worker, where OPFS files can be written in place
// (createSyncAccessHandle); listing and deleting work on the page as well.

import { ErrorCode, WispError } from './protocol.js';
import { Sha256 } from './sha256.js';

const folderName = 'wisp-models';
const utf8 = new TextEncoder();

/** The cache key of a model URL: hex of its SHA-256, cut to 32 digits. */
export function cacheKey(url) {
  return new Sha256().update(utf8.encode(url)).hex().slice(0, 32);
}

async function folder(create) {
  if (!globalThis.navigator?.storage?.getDirectory) return null;
  try {
    const root = await navigator.storage.getDirectory();
    return await root.getDirectoryHandle(folderName, { create });
  } catch (e) {
    if (!create && e.name === 'NotFoundError') return null;
    if (e.name === 'SecurityError') return null; // OPFS refused (e.g. some private modes): no cache
    throw e;
  }
}

async function readMeta(dir, key) {
  try {
    const f = await (await dir.getFileHandle(`${key}.json`)).getFile();
    return JSON.parse(await f.text());
  } catch {
    return null;
  }
}

async function writeMeta(dir, key, meta) {
  const w = await (await dir.getFileHandle(`${key}.json`, { create: true })).createWritable();
  await w.write(JSON.stringify(meta));
  await w.close();
}

async function removeModel(dir, key) {
  for (const name of [`${key}.gguf`, `${key}.json`]) {
    try { await dir.removeEntry(name); } catch (e) { if (e.name !== 'NotFoundError') throw e; }
  }
}

/** Cached models, complete or partly downloaded: [{ key, url, name, size, downloaded, complete, sha256, savedAt }]. */
export async function listCachedModels() {
  const dir = await folder(false);
  if (!dir) return [];
  const out = [];
  for await (const [name] of dir.entries()) {
    if (!name.endsWith('.json')) continue;
    const key = name.slice(0, -5);
    const meta = await readMeta(dir, key);
    if (!meta) continue;
    let downloaded = 0;
    try { downloaded = (await (await dir.getFileHandle(`${key}.gguf`)).getFile()).size; } catch { /* not started */ }
    out.push({ key, url: meta.url, name: meta.name, size: meta.size, downloaded, complete: !!meta.complete, sha256: meta.sha256, savedAt: meta.savedAt });
  }
  return out.sort((a, b) => String(a.url).localeCompare(String(b.url)));
}

/** Deletes a cached model given its URL or key. */
export async function deleteCachedModel(urlOrKey) {
  const dir = await folder(false);
  if (!dir) return;
  const key = /^[0-9a-f]{32}$/.test(urlOrKey) ? urlOrKey : cacheKey(urlOrKey);
  await removeModel(dir, key);
}

/** Storage use and quota in bytes, and whether the origin's storage is persistent. */
export async function storageEstimate() {
  const s = globalThis.navigator?.storage;
  if (!s?.estimate) return { usage: 0, quota: Infinity, persisted: false };
  const { usage = 0, quota = Infinity } = await s.estimate();
  const persisted = s.persisted ? await s.persisted() : false;
  return { usage, quota, persisted };
}

const mb = (n) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

/**
 * The error for a model that does not fit: needed is what the download
 * still had to store; stored is what it stored before space ran out (a
 * write failed), or undefined when the estimate refused it up front.
 */
async function quotaError(needed, stored) {
  const { usage, quota } = await storageEstimate();
  const available = Math.max(0, quota - usage);
  // After a failed write the estimate can lag behind: what was left to
  // write is then the best measure of what is missing.
  const missing = stored === undefined ? Math.max(0, needed - available) : needed - stored;
  const free = stored === undefined && Number.isFinite(quota) ? `, the browser reports ${mb(available)} available` : '';
  return new WispError(ErrorCode.QuotaExceeded,
    `not enough storage to cache the model: it needs ${mb(needed)}, ${mb(missing)} more than this site may use${free}; free some space or delete cached models (what was downloaded is kept and resumes)`,
    { needed, available, missing });
}

async function requestPersistence() {
  try { if (navigator.storage?.persist && !(await navigator.storage.persisted())) await navigator.storage.persist(); } catch { /* best effort */ }
}

/** Total size from a 206's Content-Range ("bytes 0-99/1234"), or a 200's Content-Length. */
function totalOf(res) {
  const range = res.headers.get('Content-Range');
  if (range) {
    const m = /\/(\d+)\s*$/.exec(range);
    return m ? Number(m[1]) : null;
  }
  const len = res.headers.get('Content-Length');
  return len === null || res.headers.get('Content-Encoding') ? null : Number(len);
}

function rangeStart(res) {
  const m = /^bytes\s+(\d+)-/.exec(res.headers.get('Content-Range') || '');
  return m ? Number(m[1]) : -1;
}

/** Where the bytes go: an OPFS file written in place, or memory when there is no cache. */
class Sink {
  static async open(dir, key) {
    const s = new Sink();
    if (dir) {
      s.handle = await dir.getFileHandle(`${key}.gguf`, { create: true });
      try {
        s.access = await s.handle.createSyncAccessHandle();
      } catch (e) {
        if (e.name === 'NoModificationAllowedError') throw new WispError(ErrorCode.InvalidRequest, 'the model is being downloaded in another tab');
        throw e;
      }
    } else {
      s.chunks = [];
    }
    return s;
  }

  size() { return this.access ? this.access.getSize() : this.chunks.reduce((n, c) => n + c.length, 0); }

  truncate() { if (this.access) this.access.truncate(0); else this.chunks = []; }

  write(chunk, at) {
    if (!this.access) { this.chunks.push(chunk); return; }
    // A write that runs out of quota may throw or return a short (and, in
    // Chromium, meaningless) count; either way the file's size is what stuck.
    const n = this.access.write(chunk, { at });
    if (n !== chunk.length) throw new DOMException('short write', 'QuotaExceededError');
  }

  /** Reads back [0, n) in pieces, to replay it into a hasher. */
  *pieces(n, step = 8 << 20) {
    for (let off = 0; off < n; off += step) {
      const buf = new Uint8Array(Math.min(step, n - off));
      this.access.read(buf, { at: off });
      yield buf;
    }
  }

  async finish() {
    if (!this.access) return new Blob(this.chunks);
    this.access.flush();
    this.access.close();
    this.access = null;
    return this.handle.getFile();
  }

  close() { try { this.access?.close(); } catch { /* already closed */ } this.access = null; }
}

/**
 * Fetches a model, from the cache when it is there. Resumes with an HTTP
 * Range request after an interruption, both within this call (up to
 * `retries` times) and across visits (the partial file stays in OPFS).
 * With sha256, the bytes are checked and a mismatch caches nothing.
 *
 * @param {string} url absolute URL
 * @param {{ sha256?: string, cache?: boolean, retries?: number, onProgress?: (p: object) => void }} opts
 * @returns {Promise<{ blob: Blob, cached: boolean, sha256?: string }>}
 */
export async function fetchModel(url, { sha256, cache = true, retries = 3, onProgress = () => {} } = {}) {
  const want = sha256 ? String(sha256).toLowerCase() : undefined;
  if (want && !/^[0-9a-f]{64}$/.test(want)) throw new WispError(ErrorCode.InvalidRequest, `sha256 ${JSON.stringify(sha256)} is not 64 hex digits`);
  // Writing in place needs FileSystemSyncAccessHandle (workers only, and
  // not in every browser): without it the model is kept in memory, uncached.
  const canWrite = typeof FileSystemFileHandle !== 'undefined' && 'createSyncAccessHandle' in FileSystemFileHandle.prototype;
  const dir = cache && canWrite ? await folder(true) : null;
  const key = cacheKey(url);
  let meta = dir ? await readMeta(dir, key) : null;

  if (meta?.complete && meta.url === url && (!want || meta.sha256 === want)) {
    try {
      const file = await (await dir.getFileHandle(`${key}.gguf`)).getFile();
      if (file.size === meta.size) {
        onProgress({ phase: 'download', loaded: file.size, total: file.size, cached: true });
        return { blob: file, cached: true, sha256: meta.sha256 };
      }
    } catch { /* the bytes are gone: download again */ }
  }
  if (dir && meta && (meta.complete || meta.url !== url)) {
    await removeModel(dir, key);
    meta = null;
  }
  if (dir) await requestPersistence();

  const sink = await Sink.open(dir, key);
  try {
    let offset = meta ? sink.size() : 0;
    if (!meta) sink.truncate();
    const startOffset = offset;
    let hasher = want ? new Sha256() : null;
    if (hasher && offset > 0) {
      let done = 0;
      for (const piece of sink.pieces(offset)) {
        hasher.update(piece);
        done += piece.length;
        onProgress({ phase: 'verify', loaded: done, total: offset });
      }
    }
    let total = meta?.size ?? null;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await downloadFrom(url, { sink, offset, total, meta, dir, key, hasher, onProgress });
        ({ offset, total, meta } = result);
        if (result.restarted && hasher) hasher = result.hasher;
        break;
      } catch (e) {
        total = e.total ?? total;
        if (e.name === 'QuotaExceededError') {
          const size = sink.size();
          throw await quotaError((total ?? size) - startOffset, size - startOffset);
        }
        if (!e.retryable) throw e;
        offset = sink.size();
        if (e.hasher) hasher = e.hasher;
        if (attempt >= retries) {
          const where = total ? `${offset} of ${total} bytes` : `${offset} bytes`;
          throw new WispError(ErrorCode.Network, `downloading ${url} was interrupted at ${where}${dir ? '; it resumes from there next time' : ''}: ${e.message}`,
            { loaded: offset, total });
        }
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
    if (total !== null && offset !== total) {
      throw new WispError(ErrorCode.Network, `downloading ${url} ended at ${offset} of ${total} bytes`);
    }
    let digest;
    if (hasher) {
      digest = hasher.hex();
      if (digest !== want) {
        sink.close();
        if (dir) await removeModel(dir, key);
        throw new WispError(ErrorCode.Integrity, `the model at ${url} does not match its sha256: expected ${want}, got ${digest}; nothing was cached`,
          { expected: want, actual: digest });
      }
    }
    const blob = await sink.finish();
    if (dir) await writeMeta(dir, key, { ...meta, size: blob.size, complete: true, sha256: digest, savedAt: new Date().toISOString() });
    return { blob, cached: false, sha256: digest };
  } finally {
    sink.close();
  }
}

/** One HTTP request from offset to the end (or to the connection's end). */
async function downloadFrom(url, { sink, offset, total, meta, dir, key, hasher, onProgress }) {
  const headers = {};
  if (offset > 0) {
    headers.Range = `bytes=${offset}-`;
    if (meta?.etag && !meta.etag.startsWith('W/')) headers['If-Range'] = meta.etag;
  }
  let res;
  try {
    res = await fetch(url, { headers, cache: 'no-store' });
  } catch (e) {
    throw Object.assign(new Error(`fetch failed: ${e.message}`), { retryable: true });
  }
  let restarted = false;
  if (res.status === 416 && offset > 0 && total === offset) return { offset, total, meta };
  if (res.status === 206 && rangeStart(res) === offset) {
    total = totalOf(res);
  } else if (res.status === 200) {
    if (offset > 0) { // the server ignored the range or the file changed: start over
      sink.truncate();
      offset = 0;
      restarted = true;
      if (hasher) hasher = new Sha256();
    }
    total = totalOf(res);
  } else {
    const err = new WispError(ErrorCode.Network, `fetching ${url}: HTTP ${res.status} ${res.statusText}`.trim(), { status: res.status });
    if (res.status >= 500 || res.status === 408 || res.status === 429) throw Object.assign(new Error(err.message), { retryable: true });
    throw err;
  }
  const resumedFrom = offset > 0 ? offset : undefined;
  if (total !== null && dir) {
    const { usage, quota } = await storageEstimate();
    if (total - offset > quota - usage) throw await quotaError(total - offset, undefined);
  }
  if (offset === 0 || !meta) {
    meta = { url, name: decodeURIComponent(new URL(url).pathname.split('/').pop() || 'model'), size: total, etag: res.headers.get('ETag') || undefined, complete: false };
    if (dir) await writeMeta(dir, key, meta);
  }

  const reader = res.body.getReader();
  let last = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      sink.write(value, offset);
      hasher?.update(value);
      offset += value.length;
      const now = Date.now();
      if (now - last > 50) {
        last = now;
        onProgress({ phase: 'download', loaded: offset, total: total ?? 0, resumedFrom });
      }
    }
  } catch (e) {
    if (e.name === 'QuotaExceededError') throw Object.assign(e, { total });
    throw Object.assign(new Error(`connection lost: ${e.message}`), { retryable: true, hasher, total });
  }
  onProgress({ phase: 'download', loaded: offset, total: total ?? offset, resumedFrom });
  return { offset, total: total ?? offset, meta, restarted, hasher };
}
