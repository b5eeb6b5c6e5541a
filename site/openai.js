// OpenAI shapes: requests of chat.completions.create and completions.create
// checked and turned into runtime.wasm's GenerateRequest, and its deltas
// turned into chat.completion(.chunk) and text_completion objects.

import { ErrorCode, WispError } from './protocol.js';

const invalid = (message) => new WispError(ErrorCode.InvalidRequest, message);

export function makeId(kind) {
  const r = new Uint8Array(12);
  crypto.getRandomValues(r);
  return (kind === 'chat' ? 'chatcmpl-' : 'cmpl-') + Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('');
}

function number(req, name, lo, hi) {
  const v = req[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw invalid(`${name} must be a number in [${lo}, ${hi}], not ${JSON.stringify(v)}`);
  return v;
}

function integer(req, name, lo) {
  const v = number(req, name, lo, Number.MAX_SAFE_INTEGER);
  if (v !== undefined && !Number.isInteger(v)) throw invalid(`${name} must be an integer, not ${v}`);
  return v;
}

export function validateCommon(req) {
  if (!req || typeof req !== 'object') throw invalid('the request is an object');
  if (req.n !== undefined && req.n !== null && req.n !== 1) throw invalid('n must be 1: one choice per request');
}

/** The sampling and length fields both endpoints share, with OpenAI's defaults (temperature 1, a random seed). */
function common(req) {
  const out = {};
  const maxTokens = integer(req, 'max_completion_tokens', 1) ?? integer(req, 'max_tokens', 1);
  if (maxTokens !== undefined) out.max_tokens = maxTokens;
  out.temperature = number(req, 'temperature', 0, 2) ?? 1;
  const topP = number(req, 'top_p', 0, 1);
  if (topP !== undefined && topP < 1) out.top_p = topP;
  for (const [name, lo, hi] of [['min_p', 0, 1], ['presence_penalty', -2, 2], ['frequency_penalty', -2, 2], ['repeat_penalty', 0, 10]]) {
    const v = number(req, name, lo, hi);
    if (v !== undefined) out[name] = v;
  }
  const topK = integer(req, 'top_k', 0);
  if (topK) out.top_k = topK;
  const seed = integer(req, 'seed', 0);
  out.seed = seed ?? crypto.getRandomValues(new Uint32Array(1))[0];
  if (req.stop !== undefined && req.stop !== null) {
    const stop = typeof req.stop === 'string' ? [req.stop] : req.stop;
    if (!Array.isArray(stop) || stop.length > 4 || !stop.every((s) => typeof s === 'string' && s !== '')) throw invalid('stop is a non-empty string or up to 4 of them');
    out.stop = stop;
  }
  return out;
}

/** Message content as text: a string, or the text parts of an array. */
function contentText(content, i) {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content.map((p) => {
      if (p?.type !== 'text' || typeof p.text !== 'string') throw invalid(`messages[${i}]: only text content parts are supported`);
      return p.text;
    }).join('');
  }
  throw invalid(`messages[${i}].content must be a string or an array of text parts`);
}

export function chatRequest(req) {
  if (!Array.isArray(req.messages) || req.messages.length === 0) throw invalid('messages must be a non-empty array');
  const messages = req.messages.map((m, i) => {
    if (!m || !['system', 'developer', 'user', 'assistant', 'tool'].includes(m.role)) throw invalid(`messages[${i}].role ${JSON.stringify(m?.role)} is not system, user, assistant or tool`);
    return { role: m.role === 'developer' ? 'system' : m.role, content: contentText(m.content, i) };
  });
  return { messages, ...common(req) };
}

export function completionRequest(req) {
  let p = req.prompt ?? '';
  if (Array.isArray(p) && p.length === 1 && typeof p[0] === 'string') p = p[0];
  if (typeof p === 'string') return { text: p, ...common(req) };
  if (Array.isArray(p) && p.length > 0 && p.every((t) => Number.isInteger(t) && t >= 0)) return { prompt: p, ...common(req) };
  throw invalid('prompt is a string or an array of token ids');
}

/**
 * The output of one request, filled by deltas: an async iterator of chunks
 * for stream: true, or one completion object at the end.
 */
export class OutputStream {
  constructor(kind, { id, model, includeUsage }) {
    this.kind = kind;
    this.id = id;
    this.model = model;
    this.created = Math.floor(Date.now() / 1000);
    this.includeUsage = includeUsage;
    this.text = '';
    this.tokens = 0;
    this.finishReason = null;
    this.usage = null;
    this.error = null;
    this.queue = [];
    this.closed = false;
    this.wake = null;
  }

  chunk(choice, usage = null) {
    const object = this.kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    return { id: this.id, object, created: this.created, model: this.model, choices: choice ? [{ index: 0, logprobs: null, ...choice }] : [], usage };
  }

  push(c) {
    this.queue.push(c);
    this.wake?.();
  }

  delta(d) {
    this.tokens += d.tokens?.length ?? 0;
    if (!d.text) return;
    const first = this.text === '';
    this.text += d.text;
    if (this.kind === 'chat') this.push(this.chunk({ delta: first ? { role: 'assistant', content: d.text } : { content: d.text }, finish_reason: null }));
    else this.push(this.chunk({ text: d.text, finish_reason: null }));
  }

  finish(reason, usage) {
    this.finishReason = reason;
    this.usage = usage;
    if (this.kind === 'chat') this.push(this.chunk({ delta: {}, finish_reason: reason }));
    else this.push(this.chunk({ text: '', finish_reason: reason }));
    if (this.includeUsage) this.push(this.chunk(null, usage));
    this.close();
  }

  fail(e) {
    this.error = e;
    this.close();
  }

  close() {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator]() {
    for (;;) {
      if (this.queue.length > 0) {
        yield this.queue.shift();
        continue;
      }
      if (this.error) throw this.error;
      if (this.closed) return;
      await new Promise((r) => { this.wake = r; });
      this.wake = null;
    }
  }

  /** The whole answer as a chat.completion or text_completion object. */
  completion() {
    if (this.error) throw this.error;
    const choice = this.kind === 'chat'
      ? { index: 0, message: { role: 'assistant', content: this.text }, logprobs: null, finish_reason: this.finishReason }
      : { index: 0, text: this.text, logprobs: null, finish_reason: this.finishReason };
    return { id: this.id, object: this.kind === 'chat' ? 'chat.completion' : 'text_completion', created: this.created, model: this.model, choices: [choice], usage: this.usage };
  }
}
