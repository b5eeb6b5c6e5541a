// The engine's Web Worker: starts runtime.wasm, loads the model (from the
// OPFS cache, the network or a File), and runs generations, so the page's
// main thread never blocks. It speaks only the messages of protocol.js.
//
// runtime.wasm's generate() runs to the end inside one call, so this worker
// cannot read messages during a generation. A stop request therefore
// reaches it through abortFlag, an Int32 in a SharedArrayBuffer the page
// sets and every delta callback reads, when the page is cross-origin
// isolated; otherwise the page stops a generation by ending this worker
// (see wisp.js).

import './wasm_exec.js';
import {
  ErrorCode, RequestType, WispError, deltaReply, errorReply, isMessage, progressReply, resultReply,
} from './protocol.js';
import { simdSupported, startRuntime } from './runtime.mjs';
import { fetchModel } from './store.js';

let api = null; // runtime.wasm's API (runtime.mjs wraps it)
let device = null; // what info() reports about the device
let abortFlag = null; // Int32Array over the page's SharedArrayBuffer, or null
let model = 0; // handle of the loaded model, 0 when none
let session = 0;

const handlers = {
  [RequestType.Init]: init,
  [RequestType.Load]: load,
  [RequestType.Generate]: generate,
};

// Requests run one after another, in the order they came.
let queue = Promise.resolve();
self.onmessage = (ev) => {
  const m = ev.data;
  if (!isMessage(m) || !(m.type in handlers)) return;
  queue = queue.then(async () => {
    try {
      self.postMessage(resultReply(m.id, await handlers[m.type](m)));
    } catch (e) {
      self.postMessage(errorReply(m.id, e));
    }
  });
};

async function init({ base, device: requested, abortFlag: flag }) {
  if (api) return { device };
  if (!['auto', 'webgpu', 'wasm'].includes(requested)) {
    throw new WispError(ErrorCode.InvalidRequest, `device ${JSON.stringify(requested)} is not 'auto', 'webgpu' or 'wasm'`);
  }
  abortFlag = flag ? new Int32Array(flag) : null;
  const build = await fetch(new URL('build.json', base)).then((r) => (r.ok ? r.json() : null)).catch(() => null);
  const artifacts = build?.runtime ?? { simd: 'runtime.wasm', plain: 'runtime-nosimd.wasm' };
  const simd = simdSupported() && !!artifacts.simd;
  const url = new URL(simd ? artifacts.simd : artifacts.plain, base);
  const res = await fetch(url);
  if (!res.ok) throw new WispError(ErrorCode.Network, `fetching ${url}: HTTP ${res.status}`);
  api = await startRuntime(await res.arrayBuffer());
  device = await chooseDevice(requested, simd);
  return { device };
}

/**
 * Picks the device: WebGPU when asked for or, with 'auto', when both the
 * browser and this runtime.wasm offer it; else the CPU (SIMD128 or plain).
 */
async function chooseDevice(requested, simd) {
  const cpu = simd ? 'wasm-simd' : 'wasm';
  const webgpu = { browser: false, runtime: runtimeHasWebGPU(), adapter: null };
  let reason = null;
  if (requested !== 'wasm') {
    const gpu = self.navigator?.gpu;
    if (!gpu) {
      reason = 'this browser exposes no WebGPU to workers (navigator.gpu is undefined)';
    } else {
      try {
        const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
        if (adapter) {
          webgpu.browser = true;
          const i = adapter.info ?? {};
          webgpu.adapter = [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown';
        } else {
          reason = 'the browser has no WebGPU adapter (GPU blocklisted or disabled)';
        }
      } catch (e) {
        reason = `requesting a WebGPU adapter failed: ${e.message}`;
      }
    }
    if (webgpu.browser && !webgpu.runtime) reason = 'this runtime.wasm has no WebGPU backend';
  }
  const useGPU = requested !== 'wasm' && webgpu.browser && webgpu.runtime;
  if (requested === 'webgpu' && !useGPU) throw new WispError(ErrorCode.Unsupported, `device 'webgpu' is not available: ${reason}`, { webgpu });
  return { requested, backend: useGPU ? 'webgpu' : cpu, simd, webgpu, fallbackReason: useGPU || requested === 'wasm' ? null : reason, abortable: !!abortFlag };
}

function runtimeHasWebGPU() {
  const raw = globalThis.wisp;
  return Array.isArray(raw?.backends) ? raw.backends.includes('webgpu') : raw?.webgpu === true;
}

function requireRuntime() {
  if (!api) throw new WispError(ErrorCode.NotLoaded, 'the runtime is not started');
}

function freeModel() {
  for (const h of [session, model]) {
    if (h) try { api.free(h); } catch { /* already gone */ }
  }
  session = model = 0;
}

async function load({ id, source, sha256, cache, name, resumeRetries }) {
  requireRuntime();
  const progress = (p) => self.postMessage(progressReply(id, p));
  let blob, cached = false, digest;
  if (source?.url) {
    ({ blob, cached, sha256: digest } = await fetchModel(source.url, { sha256, cache, retries: resumeRetries, onProgress: progress }));
  } else if (source?.file instanceof Blob) {
    blob = source.file;
    if (sha256) {
      const { sha256Blob } = await import('./sha256.js');
      digest = await sha256Blob(blob, (n) => progress({ phase: 'verify', loaded: n, total: blob.size }));
      if (digest !== String(sha256).toLowerCase()) {
        throw new WispError(ErrorCode.Integrity, `the file does not match its sha256: expected ${sha256}, got ${digest}`, { expected: sha256, actual: digest });
      }
    }
  } else {
    throw new WispError(ErrorCode.InvalidRequest, 'a model source is { url } or { file: Blob }');
  }
  freeModel();
  const options = { name: name || source.file?.name?.replace(/\.gguf$/, '') || undefined };
  if (device.backend === 'webgpu') options.device = 'webgpu';
  model = await loadInChunks(blob, options, (n) => progress({ phase: 'load', loaded: n, total: blob.size }));
  session = await api.newSession(model, {});
  return { ...api.info(model), cached, sha256: digest, source: source.url ?? `file:${source.file.name ?? 'blob'}` };
}

async function generate({ id, request }) {
  requireRuntime();
  if (!session) throw new WispError(ErrorCode.NotLoaded, 'no model is loaded');
  if (abortFlag) Atomics.store(abortFlag, 0, 0);
  const started = performance.now();
  let first = 0;
  // await: a runtime whose backend is asynchronous (WebGPU) may answer with a Promise.
  const res = await api.generate(session, request, (d) => {
    const now = performance.now();
    if (!first) first = now;
    self.postMessage(deltaReply(id, d, now));
    return !(abortFlag && Atomics.load(abortFlag, 0) !== 0);
  });
  const end = performance.now();
  const aborted = !!abortFlag && Atomics.load(abortFlag, 0) !== 0;
  return {
    ...res,
    aborted,
    timings: { prefill_ms: (first || end) - started, decode_ms: first ? end - first : 0, total_ms: end - started },
  };
}

/**
 * Copies a model into runtime.wasm piece by piece: a Blob past 2 GiB cannot
 * become one ArrayBuffer, and this keeps the extra memory to one piece.
 */
async function loadInChunks(blob, options, onBytes, chunkBytes = 16 << 20) {
  const h = api.loadBegin(blob.size);
  try {
    for (let off = 0; off < blob.size; off += chunkBytes) {
      const chunk = new Uint8Array(await blob.slice(off, off + chunkBytes).arrayBuffer());
      api.loadChunk(h, off, chunk);
      onBytes(off + chunk.length);
    }
  } catch (e) {
    try { api.free(h); } catch { /* released already */ }
    throw e;
  }
  // A runtime with a WebGPU backend may answer with a Promise: opening a
  // device is asynchronous.
  return await api.loadEnd(h, options);
}
