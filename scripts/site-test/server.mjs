// A static file server for the browser tests: serves a site build, the
// shared test models under /models/, and a mock OpenAI endpoint, with HTTP
// Range support and switches (POST /__control) that cut a download midway,
// refuse requests as if offline, or send cross-origin isolation headers.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.webmanifest': 'application/manifest+json',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.png': 'image/png', '.gguf': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8',
};

/**
 * Starts a server. root: the site build; models: folder served at /models/;
 * pages: extra routes { '/path': html }.
 * Returns { url, control, log, close }.
 */
export async function startServer({ root, models, pages = {}, port = 0 }) {
  const state = { offline: false, cutAfter: 0, cutPath: '', isolate: false, replace: {}, chatReply: 'Hello <img src=x onerror="window.__pwned=1"> **bold** `code`' };
  const log = [];
  const server = createServer((req, res) => handle(req, res).catch((e) => { res.statusCode = 500; res.end(String(e)); }));
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  async function handle(req, res) {
    const url = new URL(req.url, 'http://x');
    const path = decodeURIComponent(url.pathname);
    log.push({ path, range: req.headers.range ?? null, method: req.method });
    if (state.offline) { req.socket.destroy(); return; }
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length, ETag, Accept-Ranges');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    if (state.isolate) {
      res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Headers', 'Range, If-Range, Content-Type, Authorization');
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.writeHead(204).end();
      return;
    }
    if (path === '/v1/chat/completions' && req.method === 'POST') return mockChat(req, res);
    if (pages[path] !== undefined) {
      res.writeHead(200, { 'Content-Type': types['.html'], 'Cache-Control': 'no-store' }).end(pages[path]);
      return;
    }
    if (state.replace[path] !== undefined) { // a file changed, as a new build would
      res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' }).end(state.replace[path]);
      return;
    }
    let file;
    if (path.startsWith('/models/')) file = join(models, normalize(path.slice('/models/'.length)).replace(/^(\.\.[/\\])+/, ''));
    else file = join(root, normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, ''));
    if (!resolve(file).startsWith(resolve(path.startsWith('/models/') ? models : root))) { res.writeHead(403).end(); return; }
    let st;
    try { st = await stat(file); } catch { res.writeHead(404).end('not found'); return; }
    if (st.isDirectory()) { res.writeHead(404).end('not found'); return; }
    sendFile(req, res, file, st, path);
  }

  function sendFile(req, res, file, st, path) {
    const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
    const headers = { 'Content-Type': types[extname(file)] ?? 'application/octet-stream', 'Accept-Ranges': 'bytes', ETag: etag, 'Cache-Control': 'no-cache' };
    let start = 0, end = st.size - 1, status = 200;
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (m && (!ifRange || ifRange === etag)) {
      start = Number(m[1]);
      end = m[2] ? Math.min(Number(m[2]), st.size - 1) : st.size - 1;
      if (start >= st.size) {
        res.writeHead(416, { 'Content-Range': `bytes */${st.size}` }).end();
        return;
      }
      status = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${st.size}`;
    }
    headers['Content-Length'] = end - start + 1;
    res.writeHead(status, headers);
    const stream = createReadStream(file, { start, end });
    // The interruption switch: after cutAfter bytes of this path, drop the
    // connection once, as a lost network would.
    if (state.cutAfter > 0 && path === state.cutPath) {
      let sent = 0;
      const limit = state.cutAfter;
      state.cutAfter = 0;
      stream.on('data', (chunk) => {
        if (sent + chunk.length >= limit) {
          stream.destroy();
          // A pause before the cut lets the client read what it was sent: a
          // fetch body that errors drops the chunks still queued in it.
          res.write(chunk.subarray(0, limit - sent), () => setTimeout(() => req.socket.end(), 600));
          sent = limit;
          return;
        }
        sent += chunk.length;
        res.write(chunk);
      });
      stream.on('end', () => res.end());
      return;
    }
    stream.pipe(res);
  }

  // A minimal OpenAI-compatible streaming endpoint, answering with
  // state.chatReply, for the widget's data-endpoint mode.
  async function mockChat(req, res) {
    let body = '';
    for await (const c of req) body += c;
    const request = JSON.parse(body);
    log.push({ path: '/v1/chat/completions', body: request });
    const pieces = state.chatReply.match(/.{1,6}/gs) ?? [];
    if (!request.stream) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({
        id: 'mock', object: 'chat.completion', created: 0, model: request.model ?? 'mock',
        choices: [{ index: 0, message: { role: 'assistant', content: state.chatReply }, finish_reason: 'stop' }],
      }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    for (const p of pieces) {
      res.write(`data: ${JSON.stringify({ id: 'mock', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: p }, finish_reason: null }] })}\n\n`);
      await new Promise((r) => setTimeout(r, 5));
    }
    res.write(`data: ${JSON.stringify({ id: 'mock', object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    res.end('data: [DONE]\n\n');
  }

  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    state,
    log,
    /** Sets switches: { offline, cutAfter, cutPath, isolate, chatReply, replace: { path: body } }. */
    control(s) { Object.assign(state, s); },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

// Run directly: serve a build for manual testing.
if (import.meta.url === `file://${process.argv[1]}`) {
  const [root = 'build/site', models = '../shared/testdata/models', port = '8080'] = process.argv.slice(2);
  const s = await startServer({ root, models, port: Number(port) });
  console.log(`serving ${root} (models from ${models}) at ${s.url}`);
}
