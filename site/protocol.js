// The one typed set of messages between the page (wisp.js) and the engine's
// Web Worker (worker.js), and the error type both sides throw. Every message
// is built by a constructor here, so its shape is written down once; an
// error crosses as { code, message, details } and is rebuilt as a WispError
// with the same code, never flattened to a string.

export const PROTOCOL_VERSION = 1;

/**
 * Stable error codes. The first group are runtime.wasm's (abi.Code names,
 * see wasm/abi/messages.go); the rest arise in the browser layer.
 */
export const ErrorCode = Object.freeze({
  InvalidRequest: 'invalid_request',
  NotFound: 'not_found',
  TooLarge: 'too_large',
  BadModel: 'bad_model',
  ContextLength: 'context_length_exceeded',
  Cancelled: 'cancelled',
  Internal: 'internal',
  Network: 'network', // the model could not be fetched (offline, HTTP error, connection cut)
  Integrity: 'integrity', // the downloaded bytes do not match the sha256 given
  QuotaExceeded: 'quota_exceeded', // not enough storage to cache the model
  Unsupported: 'unsupported', // the device asked for is not available here
  NotLoaded: 'not_loaded', // no model is loaded (before create() finished, or after unload())
  WorkerCrashed: 'worker_crashed', // the worker or runtime.wasm died; create a new engine
  Aborted: 'aborted', // the caller aborted the operation (engine.abort(), an AbortSignal)
});

export class WispError extends Error {
  /**
   * @param {string} code one of ErrorCode
   * @param {string} message
   * @param {object} [details] plain data, e.g. { expected, actual } for an integrity error
   */
  constructor(code, message, details) {
    super(message);
    this.name = 'WispError';
    this.code = code;
    if (details !== undefined) this.details = details;
  }
}

/** The wire form of any thrown value; runtime.wasm's errors keep their codeName. */
export function errorToWire(e) {
  if (e instanceof WispError || (e && e.name === 'WispError' && typeof e.codeName === 'string')) {
    return { code: e instanceof WispError && typeof e.code === 'string' ? e.code : e.codeName, message: e.message, details: e.details };
  }
  if (e && e.name === 'QuotaExceededError') return { code: ErrorCode.QuotaExceeded, message: e.message };
  if (e && e.name === 'AbortError') return { code: ErrorCode.Aborted, message: e.message };
  return { code: ErrorCode.Internal, message: e instanceof Error ? e.message : String(e) };
}

export function errorFromWire(w) {
  return new WispError(w.code, w.message, w.details);
}

// Page → worker. Each request carries an id; the worker answers with one
// Result or Error of the same id, after any Progress or Delta messages.

export const RequestType = Object.freeze({
  Init: 'init',
  Load: 'load',
  Generate: 'generate',
});

/**
 * Starts runtime.wasm.
 * @param {{ base: string, device: 'auto'|'webgpu'|'wasm', abortFlag?: SharedArrayBuffer }} p
 *   base: URL of the folder holding runtime.wasm; abortFlag: an Int32 the page sets to stop generation
 */
export const initRequest = (id, { base, device, abortFlag }) =>
  ({ v: PROTOCOL_VERSION, id, type: RequestType.Init, base, device, abortFlag });

/**
 * Loads a model, replacing any loaded one.
 * @param {{ source: { url: string } | { file: Blob }, sha256?: string, cache?: boolean, name?: string, resumeRetries?: number }} p
 */
export const loadRequest = (id, { source, sha256, cache = true, name, resumeRetries = 3 }) =>
  ({ v: PROTOCOL_VERSION, id, type: RequestType.Load, source, sha256, cache, name, resumeRetries });

/**
 * Runs one generation; `request` is runtime.wasm's GenerateRequest (abi).
 * @param {{ request: object }} p
 */
export const generateRequest = (id, { request }) =>
  ({ v: PROTOCOL_VERSION, id, type: RequestType.Generate, request });


// Worker → page.

export const ReplyType = Object.freeze({
  Result: 'result',
  Error: 'error',
  Progress: 'progress',
  Delta: 'delta',
});

export const resultReply = (id, value) => ({ v: PROTOCOL_VERSION, id, type: ReplyType.Result, value });
export const errorReply = (id, e) => ({ v: PROTOCOL_VERSION, id, type: ReplyType.Error, error: errorToWire(e) });

/**
 * Loading progress.
 * @param {{ phase: 'download'|'verify'|'load', loaded: number, total: number, resumedFrom?: number, cached?: boolean }} p
 */
export const progressReply = (id, { phase, loaded, total, resumedFrom, cached }) =>
  ({ v: PROTOCOL_VERSION, id, type: ReplyType.Progress, phase, loaded, total, resumedFrom, cached });

/** One streamed piece of output: abi.Delta ({ text, tokens }) and when it was made. */
export const deltaReply = (id, delta, at) => ({ v: PROTOCOL_VERSION, id, type: ReplyType.Delta, delta, at });

/** Whether m is a message of this protocol (a stray message is ignored, not trusted). */
export const isMessage = (m) => m !== null && typeof m === 'object' && m.v === PROTOCOL_VERSION && typeof m.type === 'string';
