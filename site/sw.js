// The service worker: keeps the app shell and runtime.wasm in a cache named
// by the build's version, so the app opens without a network; a new build
// (scripts/build-site stamps VERSION) installs a new worker that drops the
// old caches. Models are not cached here: the engine keeps them in OPFS.
//
// Responses it serves carry cross-origin isolation headers, which give the
// page SharedArrayBuffer, the channel through which a stop request reaches
// a busy engine without restarting it.

const VERSION = 'dev';
const CACHE = `wisp-shell-${VERSION}`;
// The shell when build.json is missing (site/ served as it is).
const fallbackFiles = ['index.html', 'app.css', 'app.js', 'chat-store.js', 'markdown.js', 'wisp.js', 'openai.js', 'protocol.js', 'store.js',
  'sha256.js', 'worker.js', 'remote.js', 'embed.js', 'manifest.webmanifest', 'models.json', 'icons/icon.svg', 'icons/icon-192.png', 'icons/icon-512.png'];

self.addEventListener('install', (ev) => {
  ev.waitUntil((async () => {
    let files = fallbackFiles;
    try {
      const res = await fetch('build.json', { cache: 'no-store' });
      if (res.ok) files = [...(await res.json()).files, 'build.json'];
    } catch { /* keep the fallback list */ }
    const cache = await caches.open(CACHE);
    await cache.addAll(['./', ...files.filter((f) => f !== 'sw.js')].map((f) => new Request(f, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (ev) => {
  ev.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('wisp-shell-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

function isolated(res) {
  if (!res || res.status === 0 || res.type === 'opaque') return res;
  const headers = new Headers(res.headers);
  headers.set('Cross-Origin-Opener-Policy', 'same-origin');
  headers.set('Cross-Origin-Embedder-Policy', 'require-corp');
  headers.set('Cross-Origin-Resource-Policy', 'cross-origin');
  return new Response(res.body, { status: res.status, statusText: res.statusText, headers });
}

self.addEventListener('fetch', (ev) => {
  const req = ev.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || req.headers.has('Range')) return;
  ev.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const hit = req.mode === 'navigate'
      ? await cache.match(req, { ignoreSearch: true }) ?? await cache.match('./')
      : await cache.match(req, { ignoreSearch: true });
    if (hit) return isolated(hit);
    return isolated(await fetch(req));
  })());
});
