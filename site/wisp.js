// wisp.js: run a language model in the browser through an API shaped like
// OpenAI's client, so code moves between a server and the page unchanged.
//
//   import { Wisp } from './wisp.js';
//   const engine = await Wisp.create({ model: 'models/stories260K.gguf', onProgress: console.log });
//   const stream = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }], stream: true });
//   for await (const chunk of stream) out.textContent += chunk.choices[0]?.delta?.content ?? '';
//
// The engine runs in a Web Worker (worker.js); this module only sends it the
// messages of protocol.js and shapes the answers.

import {
  ErrorCode, ReplyType, WispError, errorFromWire, generateRequest, initRequest, isMessage, loadRequest,
} from './protocol.js';
import { OutputStream, chatRequest, completionRequest, makeId, validateCommon } from './openai.js';
import { deleteCachedModel, listCachedModels, storageEstimate } from './store.js';

export { ErrorCode, WispError };

const base = new URL('./', import.meta.url).href;

/** Starts the Worker; from another origin (the embed widget) through a same-origin blob that imports it. */
function spawnWorker() {
  const url = new URL('./worker.js', import.meta.url);
  if (typeof location === 'undefined' || url.origin === location.origin) return new Worker(url, { type: 'module' });
  const boot = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  return new Worker(boot, { type: 'module' });
}

/** A page-side handle to the Worker: numbered requests, each answered once. */
class Channel {
  constructor(onCrash) {
    this.worker = spawnWorker();
    this.pending = new Map();
    this.next = 0;
    this.worker.onmessage = (ev) => this.receive(ev.data);
    const crash = (message) => {
      const e = new WispError(ErrorCode.WorkerCrashed, `the engine's worker stopped: ${message}`);
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
      onCrash?.(e);
    };
    this.worker.onerror = (ev) => { ev.preventDefault?.(); crash(ev.message || 'script error'); };
    this.worker.onmessageerror = () => crash('a message could not be read');
  }

  /** Sends make(id) and resolves with the Result; onEvent sees Progress and Delta replies. */
  call(make, onEvent, transfer = []) {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.worker.postMessage(make(id), transfer);
    });
  }

  receive(m) {
    if (!isMessage(m)) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.type === ReplyType.Result) {
      this.pending.delete(m.id);
      p.resolve(m.value);
    } else if (m.type === ReplyType.Error) {
      this.pending.delete(m.id);
      p.reject(errorFromWire(m.error));
    } else {
      p.onEvent?.(m);
    }
  }

  /** Ends the worker; what was pending is rejected with err. */
  close(err) {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

export class Wisp {
  /**
   * Starts an engine and loads a model.
   * @param {object} o
   * @param {string|URL|Blob} o.model a URL (relative to the page; Hugging Face resolve URLs work) or a File/Blob
   * @param {'auto'|'webgpu'|'wasm'} [o.device='auto']
   * @param {string} [o.sha256] hex digest the model must match
   * @param {boolean} [o.cache=true] keep a downloaded model in the browser's storage (OPFS)
   * @param {number} [o.retries=3] how many times an interrupted download resumes (HTTP Range) before failing
   * @param {(p: {phase: 'download'|'verify'|'load', loaded: number, total: number, fraction: number, resumedFrom?: number, cached?: boolean}) => void} [o.onProgress]
   * @returns {Promise<Engine>}
   */
  static async create({ model, device = 'auto', sha256, cache = true, retries = 3, onProgress, name } = {}) {
    let source;
    if (typeof Blob !== 'undefined' && model instanceof Blob) source = { file: model };
    else if (typeof model === 'string' || model instanceof URL) source = { url: new URL(model, globalThis.document?.baseURI ?? base).href };
    else throw new WispError(ErrorCode.InvalidRequest, 'model is a URL or a File');
    const engine = new Engine({ source, device, sha256, cache, retries, name });
    await engine.start(onProgress);
    return engine;
  }

  /** Models in the browser's cache: [{ key, url, name, size, downloaded, complete, sha256, savedAt }]. */
  static listCachedModels() { return listCachedModels(); }

  /** Removes a cached model (by URL, relative URLs resolved against the page, or by key). */
  static deleteCachedModel(urlOrKey) {
    const key = /^[0-9a-f]{32}$/.test(urlOrKey) ? urlOrKey : new URL(urlOrKey, globalThis.document?.baseURI ?? base).href;
    return deleteCachedModel(key);
  }

  /** { usage, quota, persisted } of this origin's storage. */
  static storageEstimate() { return storageEstimate(); }
}

class Engine {
  #spec;
  #channel = null;
  #ready = null; // resolves when the worker has the model (after start or a restart)
  #info = null;
  #abortFlag = null; // Int32Array over a SharedArrayBuffer when the page is cross-origin isolated
  #current = null; // the running generation: { aborted }
  #crashed = null; // the error that ended the worker, if it died
  #queue = Promise.resolve();
  #lastStats = null;

  constructor(spec) {
    this.#spec = spec;
    if (globalThis.crossOriginIsolated && typeof SharedArrayBuffer === 'function') {
      this.#abortFlag = new Int32Array(new SharedArrayBuffer(4));
    }
    this.chat = { completions: { create: (req) => this.#run('chat', req) } };
    this.completions = { create: (req) => this.#run('completion', req) };
  }

  async start(onProgress) {
    this.#ready = this.#boot(onProgress);
    try {
      await this.#ready;
    } catch (e) {
      this.#channel?.close(e);
      this.#channel = null;
      throw e;
    }
  }

  async #boot(onProgress) {
    const ch = new Channel((e) => { if (this.#channel === ch) this.#crashed = e; });
    this.#channel = ch;
    this.#crashed = null;
    const s = this.#spec;
    const { device } = await ch.call((id) => initRequest(id, { base, device: s.device, abortFlag: this.#abortFlag?.buffer }));
    const model = await ch.call((id) => loadRequest(id, { source: s.source, sha256: s.sha256, cache: s.cache, name: s.name, resumeRetries: s.retries }), (m) => {
      if (m.type === ReplyType.Progress && onProgress) {
        onProgress({ phase: m.phase, loaded: m.loaded, total: m.total, fraction: m.total ? m.loaded / m.total : 0, resumedFrom: m.resumedFrom, cached: m.cached });
      }
    });
    this.#info = { device, model };
  }

  #live() {
    if (!this.#channel) throw new WispError(ErrorCode.NotLoaded, 'the engine was unloaded');
    if (this.#crashed) throw this.#crashed;
  }

  /**
   * What the engine runs on and what it runs: { device: { requested, backend:
   * 'webgpu'|'wasm-simd'|'wasm', simd, webgpu: { browser, runtime, adapter },
   * fallbackReason, abortable }, model: { name, architecture, parameters,
   * context_length, ..., cached, sha256 }, stats: the last generation's }.
   */
  info() {
    this.#live();
    return { ...this.#info, stats: this.#lastStats };
  }

  /** Stops the running generation; its stream ends with finish_reason "abort". */
  abort() {
    const cur = this.#current;
    if (!cur) return;
    cur.aborted = true;
    if (this.#abortFlag) {
      Atomics.store(this.#abortFlag, 0, 1);
      return;
    }
    // Without shared memory the busy worker cannot hear us: end it, and load
    // the model again (from the cache or the File) in a fresh one.
    const old = this.#channel;
    this.#channel = null;
    old.close(new WispError(ErrorCode.Aborted, 'generation aborted'));
    this.#ready = this.#boot();
    this.#ready.catch(() => {});
  }

  /** Ends the worker, which frees everything runtime.wasm holds; the engine cannot be used afterwards. */
  async unload() {
    const ch = this.#channel;
    if (!ch) return;
    this.#channel = null;
    if (this.#current) this.#current.aborted = true;
    ch.close(new WispError(ErrorCode.Aborted, 'the engine was unloaded'));
  }

  /** The last generation's token counts and speed, or null. */
  stats() { return this.#lastStats; }

  #run(kind, req) {
    try {
      this.#live();
      validateCommon(req);
    } catch (e) {
      return Promise.reject(e);
    }
    const request = kind === 'chat' ? chatRequest(req) : completionRequest(req);
    const out = new OutputStream(kind, { id: makeId(kind), model: this.#info.model.name, includeUsage: !!req.stream_options?.include_usage });
    const job = this.#queue.then(() => this.#generate(request, out, req.signal));
    this.#queue = job.catch(() => {});
    // A stream is handed out at once; errors then arrive through it.
    return req.stream ? Promise.resolve(out) : job.then(() => out.completion());
  }

  async #generate(request, out, signal) {
    await this.#ready;
    this.#live();
    const cur = { aborted: !!signal?.aborted };
    this.#current = cur;
    const onAbort = () => { if (this.#current === cur) this.abort(); };
    signal?.addEventListener('abort', onAbort);
    try {
      if (cur.aborted) throw new WispError(ErrorCode.Aborted, 'aborted before it started');
      const res = await this.#channel.call((id) => generateRequest(id, { request }), (m) => {
        if (m.type === ReplyType.Delta && !cur.aborted) out.delta(m.delta);
      });
      this.#finish(out, res, cur.aborted || res.aborted);
    } catch (e) {
      if (!cur.aborted) {
        out.fail(e);
        throw e;
      }
      this.#finish(out, null, true);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.#current === cur) this.#current = null;
    }
  }

  #finish(out, res, aborted) {
    const r = res ?? { text: out.text, finish_reason: 'abort', prompt_tokens: 0, completion_tokens: out.tokens, timings: {} };
    const t = r.timings ?? {};
    this.#lastStats = {
      prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens, cached_tokens: r.cached_tokens ?? 0,
      prefill_ms: t.prefill_ms, decode_ms: t.decode_ms,
      tokens_per_second: t.decode_ms > 0 && r.completion_tokens > 1 ? ((r.completion_tokens - 1) * 1000) / t.decode_ms : null,
    };
    out.finish(aborted ? 'abort' : r.finish_reason, { prompt_tokens: r.prompt_tokens, completion_tokens: r.completion_tokens, total_tokens: r.prompt_tokens + r.completion_tokens });
  }
}
