// A client for an OpenAI-compatible endpoint (wisp serve, Wisp's Worker, or
// any other) with the same surface as a wisp.js engine, so the widget and
// the app can use either: chat.completions.create with stream: true yields
// the endpoint's chunks, parsed from its server-sent events.

import { ErrorCode, WispError } from './protocol.js';

export class RemoteEngine {
  /** endpoint: the API's base URL, e.g. "https://example.com/v1"; model: sent as is. */
  constructor({ endpoint, model = 'default', apiKey }) {
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.model = model;
    this.apiKey = apiKey;
    this.controller = null;
    this.chat = { completions: { create: (req) => this.#create('chat/completions', req) } };
    this.completions = { create: (req) => this.#create('completions', req) };
  }

  info() {
    return { device: { backend: 'remote', endpoint: this.endpoint }, model: { name: this.model }, stats: null };
  }

  abort() { this.controller?.abort(); }

  async unload() { this.abort(); }

  async #create(path, req) {
    this.controller = new AbortController();
    const { signal } = this.controller;
    let res;
    try {
      res = await fetch(`${this.endpoint}/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(this.apiKey ? { Authorization: `Bearer ${this.apiKey}` } : {}) },
        body: JSON.stringify({ model: this.model, ...req }),
        signal,
      });
    } catch (e) {
      throw new WispError(e.name === 'AbortError' ? ErrorCode.Aborted : ErrorCode.Network, `${this.endpoint}: ${e.message}`);
    }
    if (!res.ok) {
      let message = `HTTP ${res.status}`;
      try { message = (await res.json()).error?.message ?? message; } catch { /* not JSON */ }
      throw new WispError(res.status === 400 ? ErrorCode.InvalidRequest : ErrorCode.Network, `${this.endpoint}: ${message}`, { status: res.status });
    }
    if (!req.stream) return res.json();
    return events(res.body, signal);
  }
}

/** The data payloads of a server-sent event stream, parsed as JSON, until [DONE]. */
async function* events(body, signal) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  try {
    for (;;) {
      let r;
      try { r = await reader.read(); } catch (e) {
        if (signal.aborted) return;
        throw new WispError(ErrorCode.Network, `the stream broke: ${e.message}`);
      }
      if (r.done) return;
      buf += r.value;
      let cut;
      while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
        const event = buf.slice(0, cut);
        buf = buf.slice(cut).replace(/^\r?\n\r?\n/, '');
        const data = event.split(/\r?\n/).filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
        if (!data) continue;
        if (data === '[DONE]') return;
        const chunk = JSON.parse(data);
        if (chunk.error) throw new WispError(ErrorCode.Internal, chunk.error.message ?? 'the endpoint reported an error');
        yield chunk;
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
