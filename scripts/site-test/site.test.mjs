// Browser tests of the site build (scripts/build-site) in Debian's headless
// Chromium: the chat app, wisp.js, the model cache, offline use, and the
// embed widget. Run by scripts/site-test/run.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { launch } from './browser.mjs';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const siteDir = process.env.WISP_SITE_DIR ?? join(repo, 'build/site');
const modelsDir = resolve(repo, '../shared/testdata/models');
const shots = join(repo, 'build/screenshots');
const modelPath = '/models/stories260K.gguf';
const modelSha = '270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d';

let golden, site, other;

before(async () => {
  golden = await readFile(join(modelsDir, 'stories260K.expected.txt'), 'utf8');
  await mkdir(shots, { recursive: true });
  site = await startServer({ root: siteDir, models: modelsDir, pages: { '/blank.html': '<!doctype html><title>blank</title>' } });
  // A second origin (another port) that embeds the widget from the first.
  const host = (attrs) => `<!doctype html><html><head><title>Host page</title><style>
    body { font-family: Georgia, serif; color: rgb(120, 20, 20); background: rgb(250, 245, 230); }
    button { background: rgb(0, 128, 0); color: rgb(255, 255, 0); font-size: 22px; }
    p, li, div { letter-spacing: 3px; }
  </style></head><body><h1>Someone else's page</h1><p id="probe">Host text.</p><button id="host-button">Host button</button>
  <script src="${site.url}/embed.js" ${attrs}></script></body></html>`;
  other = await startServer({
    root: siteDir, models: modelsDir,
    pages: {
      '/host.html': host('data-model="models/stories260K.gguf" data-title="Story helper" data-device="wasm" data-temperature="0" data-max-tokens="40"'),
      '/host-endpoint.html': host(`data-endpoint="${site.url}/v1" data-title="Support"`),
    },
  });
});

after(async () => {
  for (const b of Object.values(browsers)) await (await b).close();
  await site?.close();
  await other?.close();
});

const browsers = {};

/** A fresh context of a shared Chromium (one per WebGPU setting); errors on its pages fail the test. */
async function browser(t, { webgpu = false, viewport = { width: 1100, height: 760 } } = {}) {
  browsers[webgpu] ??= launch({ webgpu });
  const context = await (await browsers[webgpu]).newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  t.after(() => assert.deepEqual(errors.map(String), [], 'errors on the page'));
  return { context, page };
}

async function setRange(page, id, value) {
  await page.$eval(`#${id}`, (el, v) => { el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); }, String(value));
}

/** Waits until the app is ready; on a timeout, says what the page shows instead. */
async function waitReady(page, timeout = 30_000) {
  try {
    await page.waitForSelector('body[data-state=ready]', { timeout });
  } catch (e) {
    const seen = await page.evaluate(() => ({
      state: document.body.dataset.state,
      load: document.querySelector('#load-text')?.textContent,
      notice: document.querySelector('#notice')?.textContent,
      controller: Boolean(navigator.serviceWorker?.controller),
    })).catch((err) => String(err));
    throw new Error(`${e.message}\nthe page shows: ${JSON.stringify(seen)}`);
  }
}

/** Sets greedy sampling (and the rest) through the settings dialog. */
async function settings(page, { temperature = 0, maxTokens = 200, mode = 'completion' } = {}) {
  await page.click('#open-settings');
  await setRange(page, 'temperature', temperature);
  await page.fill('#max-tokens', String(maxTokens));
  await page.check(`input[name=mode][value=${mode}]`);
  await page.click('#settings-done');
}

/** Sends text from the composer and waits for the reply; returns the stored reply and the shown text. */
async function ask(page, text, timeout = 60_000) {
  const before = await page.locator('.message.assistant').count();
  await page.fill('#prompt', text);
  await page.click('#send');
  const reply = page.locator('.message.assistant').nth(before);
  await reply.and(page.locator('[data-finish]')).waitFor({ timeout });
  await page.waitForSelector('body[data-state=ready]');
  const stored = await page.evaluate(async () => {
    const { listConversations } = await import('./chat-store.js');
    const [c] = await listConversations();
    return c.messages[c.messages.length - 1].content;
  });
  return { stored, shown: await reply.locator('.body').innerText(), finish: await reply.getAttribute('data-finish') };
}

test('chat page: greedy completion from BOS on the CPU equals the golden text, and the page stays responsive', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  await page.goto(`${site.url}/index.html?device=wasm`);
  await page.click('#load-model');
  await waitReady(page);
  assert.match(await page.textContent('#device'), /^CPU/);
  await settings(page, { temperature: 0, maxTokens: 200, mode: 'completion' });

  // A main-thread timer: generation runs in the worker, so it keeps ticking.
  await page.evaluate(() => {
    window.__gaps = [];
    let last = performance.now();
    window.__timer = setInterval(() => { const now = performance.now(); window.__gaps.push(now - last); last = now; }, 20);
  });
  const started = Date.now();
  const { stored, shown, finish } = await ask(page, '');
  const elapsed = Date.now() - started;
  const gaps = await page.evaluate(() => { clearInterval(window.__timer); return window.__gaps; });
  assert.equal(finish, 'done');
  assert.equal(stored, golden);
  assert.equal(shown, golden);
  const worst = Math.max(...gaps);
  t.diagnostic(`200 tokens in ${elapsed} ms; ${gaps.length} timer ticks, longest gap ${worst.toFixed(0)} ms; ${await page.textContent('#speed')}`);
  assert.ok(gaps.length >= elapsed / 20 / 4, `only ${gaps.length} ticks in ${elapsed} ms`);
  assert.ok(worst < Math.min(1500, elapsed / 2), `the main thread stalled for ${worst} ms`);
  assert.match(await page.textContent('#speed'), /tok\/s/);

  // Regenerate replaces the reply; greedy gives the same text again.
  await page.click('#regenerate');
  await page.waitForSelector('body[data-state=ready] .message.assistant[data-finish]', { timeout: 60_000 });
  const again = await page.evaluate(async () => (await (await import('./chat-store.js')).listConversations())[0].messages);
  assert.deepEqual(again.map((m) => m.role), ['user', 'assistant']);
  assert.equal(again[1].content, golden);

  await page.screenshot({ path: join(shots, 'chat.png') });
  await page.setViewportSize({ width: 390, height: 780 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, 'chat-phone.png') });
  await page.click('#menu');
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, 'chat-phone-menu.png') });
  await page.click('#menu');
  await page.click('#open-settings');
  await page.screenshot({ path: join(shots, 'settings-phone.png') });
  await page.keyboard.press('Escape');
});

test('wisp.js: streaming chunks, abort, OpenAI shapes and coded errors', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  await page.goto(`${site.url}/blank.html`);
  const r = await page.evaluate(async ({ model, sha256 }) => {
    const { Wisp } = await import('./wisp.js');
    const engine = await Wisp.create({ model, device: 'wasm' });
    let text = '';
    let last;
    for await (const chunk of await engine.completions.create({ prompt: '', max_tokens: 200, temperature: 0, stream: true, stream_options: { include_usage: true } })) {
      text += chunk.choices[0]?.text ?? '';
      last = chunk;
    }
    const chat = await engine.chat.completions.create({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 5, temperature: 0 });
    // Abort after the first chunk: the stream ends early and the engine still works.
    let pieces = 0;
    let finish;
    const stream = await engine.completions.create({ prompt: '', max_tokens: 200, temperature: 0, stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0].text) pieces++;
      if (pieces === 1) engine.abort();
      finish = chunk.choices[0].finish_reason ?? finish;
    }
    const after = await engine.completions.create({ prompt: 'Once upon a time', max_tokens: 10, temperature: 0 });
    const codes = {};
    for (const [name, f] of Object.entries({
      temperature: () => engine.completions.create({ prompt: '', temperature: 7 }),
      messages: () => engine.chat.completions.create({ messages: [] }),
      badModel: () => Wisp.create({ model: 'models/stories260K.expected.txt', device: 'wasm', cache: false }),
      missing: () => Wisp.create({ model: 'models/nope.gguf', device: 'wasm' }),
      device: () => Wisp.create({ model, device: 'tpu' }),
    })) {
      try { await f(); codes[name] = 'no error'; } catch (e) { codes[name] = `${e.name}:${e.code}`; }
    }
    // A local file: never uploaded, checked against its sha256 when given.
    const file = new File([await (await fetch(model)).blob()], 'stories.gguf');
    const local = await Wisp.create({ model: file, sha256, device: 'wasm' });
    const fromFile = (await local.completions.create({ prompt: '', max_tokens: 20, temperature: 0 })).choices[0].text;
    await local.unload();
    await engine.unload();
    let unloaded;
    try { await engine.completions.create({ prompt: '' }); } catch (e) { unloaded = e.code; }
    return { text, usage: last.usage, lastChoices: last.choices.length, chat, pieces, finish, after, codes, unloaded, fromFile };
  }, { model: modelPath.slice(1), sha256: modelSha });
  assert.equal(r.text, golden);
  assert.deepEqual(r.usage, { prompt_tokens: 1, completion_tokens: 200, total_tokens: 201 });
  assert.equal(r.lastChoices, 0, 'the usage chunk has no choices');
  assert.equal(r.chat.object, 'chat.completion');
  assert.equal(r.chat.choices[0].message.role, 'assistant');
  assert.equal(typeof r.chat.choices[0].message.content, 'string');
  assert.ok(r.pieces < 50, `abort let ${r.pieces} pieces through`);
  assert.equal(r.finish, 'abort');
  assert.equal(r.after.object, 'text_completion');
  assert.ok(golden.startsWith(`Once upon a time${r.after.choices[0].text}`.slice(0, 30)), r.after.choices[0].text);
  assert.deepEqual(r.codes, {
    temperature: 'WispError:invalid_request',
    messages: 'WispError:invalid_request',
    badModel: 'WispError:bad_model',
    missing: 'WispError:network',
    device: 'WispError:invalid_request',
  });
  assert.equal(r.unloaded, 'not_loaded');
  assert.ok(golden.startsWith(r.fromFile) && r.fromFile.length > 20, r.fromFile);
});

test('offline: after a first visit, a reload without network loads the app and the cached model and generates', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  await page.goto(`${site.url}/index.html?device=wasm`);
  await page.click('#load-model');
  await waitReady(page);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  });
  site.control({ offline: true });
  t.after(() => site.control({ offline: false }));
  const seen = site.log.length;
  await page.reload();
  await waitReady(page);
  assert.match(await page.textContent('#load-text'), /cache/);
  await settings(page, { temperature: 0, maxTokens: 30, mode: 'completion' });
  const { stored } = await ask(page, '');
  assert.ok(stored.length > 20 && golden.startsWith(stored), stored);
  // The reload itself may not touch the network at all (everything is cached),
  // and the browser's own update check of sw.js runs whenever it likes; ask
  // for that check now so that the refusing server is shown to be refusing.
  const updateError = await page.evaluate(async () => {
    try { await (await navigator.serviceWorker.getRegistration()).update(); return null; } catch (e) { return String(e); }
  });
  assert.ok(updateError, 'the update check succeeded although the server refuses every request');
  assert.ok(site.log.slice(seen).some((l) => l.path.endsWith('/sw.js')), 'the update check did not reach the (refusing) server');
  // Served by the service worker with isolation headers: stop goes through
  // shared memory to the busy worker, which stays up.
  assert.equal(await page.evaluate(() => crossOriginIsolated), true);
  await settings(page, { temperature: 0, maxTokens: 1500, mode: 'completion' });
  await page.fill('#prompt', '');
  await page.click('#send');
  await page.locator('.message.assistant.streaming .body p').first().waitFor({ timeout: 30_000 });
  const clicked = Date.now();
  await page.click('#stop');
  await page.waitForSelector('body[data-state=ready] .message.assistant[data-finish]', { timeout: 10_000 });
  const stopped = Date.now() - clicked;
  const partial = await page.evaluate(async () => { const [c] = await (await import('./chat-store.js')).listConversations(); return c.messages[c.messages.length - 1].content; });
  t.diagnostic(`stopped ${stopped} ms after the click, with ${partial.length} characters`);
  assert.ok(stopped < 3000, `stop took ${stopped} ms`);
  assert.ok(partial.length > 0 && (golden.startsWith(partial) || partial.startsWith(golden)));
  await settings(page, { temperature: 0, maxTokens: 30, mode: 'completion' });
  const { stored: afterStop } = await ask(page, '');
  assert.equal(afterStop, stored);

  // A new build (another VERSION in sw.js) installs a worker that replaces the old cache.
  site.control({ offline: false, replace: { '/sw.js': (await readFile(join(siteDir, 'sw.js'), 'utf8')).replace(/^const VERSION = .*$/m, "const VERSION = 'next';") } });
  t.after(() => site.control({ replace: {} }));
  const keys = await page.evaluate(async () => {
    const before = await caches.keys();
    const changed = new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
    await (await navigator.serviceWorker.getRegistration()).update();
    await changed;
    // The controller changes before the new worker's activate event has run.
    const sw = navigator.serviceWorker.controller;
    if (sw.state !== 'activated') await new Promise((r) => sw.addEventListener('statechange', () => sw.state === 'activated' && r()));
    return { before, after: await caches.keys() };
  });
  assert.equal(keys.before.length, 1);
  assert.notEqual(keys.before[0], 'wisp-shell-next');
  assert.deepEqual(keys.after, ['wisp-shell-next']);
});

test('an interrupted download resumes with a Range request, within a load and on the next visit', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  await page.goto(`${site.url}/blank.html`);
  // Within one load: the connection drops after 400000 bytes and the engine resumes.
  site.control({ cutAfter: 400_000, cutPath: modelPath });
  let from = site.log.length;
  const first = await page.evaluate(async ({ model, sha256 }) => {
    const { Wisp } = await import('./wisp.js');
    const resumed = [];
    const engine = await Wisp.create({ model, sha256, device: 'wasm', onProgress: (p) => { if (p.resumedFrom) resumed.push(p.resumedFrom); } });
    const c = await engine.completions.create({ prompt: '', max_tokens: 20, temperature: 0 });
    await engine.unload();
    await Wisp.deleteCachedModel(model);
    return { text: c.choices[0].text, resumed: [...new Set(resumed)] };
  }, { model: modelPath.slice(1), sha256: modelSha });
  let ranges = site.log.slice(from).filter((l) => l.path === modelPath).map((l) => l.range);
  assert.equal(ranges[0], null);
  assert.match(ranges[1] ?? '', /^bytes=\d+-$/);
  const offset = Number(/\d+/.exec(ranges[1])[0]);
  assert.ok(offset > 0 && offset <= 400_000, `resumed at ${offset}`);
  assert.deepEqual(first.resumed, [offset]);
  assert.ok(golden.startsWith(first.text) && first.text.length > 20, first.text);

  // Across visits: with no retries the load fails, keeps the part, and the next load resumes it.
  site.control({ cutAfter: 500_000, cutPath: modelPath });
  from = site.log.length;
  const second = await page.evaluate(async ({ model, sha256 }) => {
    const { Wisp } = await import('./wisp.js');
    let failed;
    try { await Wisp.create({ model, sha256, device: 'wasm', retries: 0 }); } catch (e) { failed = { code: e.code, message: e.message }; }
    const partial = (await Wisp.listCachedModels()).find((m) => m.url.endsWith(model));
    const engine = await Wisp.create({ model, sha256, device: 'wasm', retries: 0 });
    const c = await engine.completions.create({ prompt: '', max_tokens: 20, temperature: 0 });
    const cached = (await Wisp.listCachedModels()).find((m) => m.url.endsWith(model));
    return { failed, partial, text: c.choices[0].text, cached };
  }, { model: modelPath.slice(1), sha256: modelSha });
  assert.equal(second.failed?.code, 'network');
  assert.match(second.failed.message, /resumes from there/);
  assert.equal(second.partial.complete, false);
  assert.ok(second.partial.downloaded > 0 && second.partial.downloaded <= 500_000);
  ranges = site.log.slice(from).filter((l) => l.path === modelPath).map((l) => l.range);
  assert.deepEqual(ranges, [null, `bytes=${second.partial.downloaded}-`]);
  assert.ok(golden.startsWith(second.text) && second.text.length > 20);
  assert.equal(second.cached.complete, true);
  assert.equal(second.cached.sha256, modelSha);
});

test('a sha256 mismatch is reported with its code and nothing is cached', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  const wrong = 'ab'.repeat(32);
  await page.goto(`${site.url}/blank.html`);
  const r = await page.evaluate(async ({ model, wrong }) => {
    const { Wisp } = await import('./wisp.js');
    let err;
    try { await Wisp.create({ model, sha256: wrong, device: 'wasm' }); } catch (e) { err = { name: e.name, code: e.code, details: e.details, message: e.message }; }
    return { err, cached: await Wisp.listCachedModels() };
  }, { model: modelPath.slice(1), wrong });
  assert.equal(r.err?.name, 'WispError');
  assert.equal(r.err.code, 'integrity');
  assert.deepEqual(r.err.details, { expected: wrong, actual: modelSha });
  assert.deepEqual(r.cached, []);
  // The app shows it too.
  await page.goto(`${site.url}/index.html?device=wasm&model=models/stories260K.gguf&sha256=${wrong}`);
  await page.waitForSelector('#notice:not([hidden])', { timeout: 30_000 });
  assert.match(await page.textContent('#notice'), /integrity.*does not match its sha256/);
  assert.equal(await page.locator('#cached li.muted').textContent(), 'None yet.');
});

test('a model larger than the storage quota fails with how much space is missing', async (t) => {
  const { context, page } = await browser(t, { webgpu: false });
  await page.goto(`${site.url}/blank.html`);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: site.url, quotaSize: 200_000 });
  const r = await page.evaluate(async (model) => {
    const { Wisp } = await import('./wisp.js');
    try { await Wisp.create({ model, device: 'wasm' }); return null; } catch (e) { return { code: e.code, message: e.message, details: e.details }; }
  }, modelPath.slice(1));
  assert.equal(r?.code, 'quota_exceeded');
  t.diagnostic(r.message);
  assert.match(r.message, /needs 1\.2 MB, [\d.]+ MB more than this site may use/);
  assert.equal(r.details.needed, 1185376);
  assert.ok(r.details.missing > 1185376 - 200_000 && r.details.missing <= 1185376, `missing ${r.details.missing}`);
});

test('markdown from the model is built as text nodes, never parsed as HTML', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  await page.goto(`${site.url}/index.html`);
  const r = await page.evaluate(async () => {
    const { renderMarkdown } = await import('./markdown.js');
    const div = document.createElement('div');
    document.body.append(div);
    const evil = 'Hi <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script>\n[click](javascript:window.__pwned=3) [ok](https://example.com)\n```html\n<img src=y onerror="window.__pwned=4">\n```\n**bold** `a<b>`';
    renderMarkdown(div, evil);
    await new Promise((r) => setTimeout(r, 100));
    return {
      text: div.textContent, imgs: div.querySelectorAll('img, script, iframe').length, links: [...div.querySelectorAll('a')].map((a) => a.href),
      strong: div.querySelector('strong')?.textContent, code: div.querySelector('pre code')?.textContent, pwned: window.__pwned ?? null,
    };
  });
  assert.equal(r.imgs, 0);
  assert.equal(r.pwned, null);
  assert.deepEqual(r.links, ['https://example.com/']);
  assert.match(r.text, /<img src=x onerror="window.__pwned=1">/);
  assert.match(r.text, /<script>window.__pwned=2<\/script>/);
  assert.equal(r.strong, 'bold');
  assert.equal(r.code, '<img src=y onerror="window.__pwned=4">');
});

/** Computed styles of host-page elements, to show the widget changes none. */
const hostStyles = (page) => page.evaluate(() => ['body', '#probe', '#host-button', 'h1'].map((s) => {
  const cs = getComputedStyle(document.querySelector(s));
  return [s, cs.fontFamily, cs.color, cs.backgroundColor, cs.fontSize, cs.letterSpacing].join('|');
}));

test('embed widget on another origin: opens, chats with the local model, leaves host styles alone', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  await page.goto(`${other.url}/host.html`);
  const stylesBefore = await hostStyles(page);
  const launcher = page.locator('[data-wisp-embed] .launcher');
  await launcher.waitFor();
  assert.equal(await launcher.evaluate((b) => getComputedStyle(b).backgroundColor), 'rgb(53, 89, 214)', 'host button styles leaked into the widget');
  await launcher.click();
  await page.locator('[data-wisp-embed] .status', { hasText: 'Runs privately' }).waitFor({ timeout: 30_000 });
  await page.locator('[data-wisp-embed] textarea').fill('Once upon a time');
  await page.locator('[data-wisp-embed] .send').click();
  const reply = page.locator('[data-wisp-embed] .msg.assistant[data-finish]');
  await reply.waitFor({ timeout: 60_000 });
  assert.equal(await reply.getAttribute('data-finish'), 'done');
  const text = await reply.innerText();
  assert.ok(text.length > 20, text);
  assert.deepEqual(await hostStyles(page), stylesBefore);
  const inside = await page.locator('[data-wisp-embed]').evaluate((h) => {
    const cs = getComputedStyle(h.shadowRoot.querySelector('.msg.assistant .body'));
    return { font: cs.fontFamily, spacing: cs.letterSpacing, color: cs.color };
  });
  assert.ok(!inside.font.includes('Georgia') && inside.spacing === 'normal' && inside.color !== 'rgb(120, 20, 20)', `page styles reached the widget: ${JSON.stringify(inside)}`);
  await page.screenshot({ path: join(shots, 'widget.png') });
});

test('embed widget with data-endpoint: streams from an OpenAI-compatible API and shows markup as text', async (t) => {
  const { page } = await browser(t, { webgpu: false });
  await page.goto(`${other.url}/host-endpoint.html`);
  await page.locator('[data-wisp-embed] .launcher').click();
  await page.locator('[data-wisp-embed] textarea').fill('Hello?');
  await page.locator('[data-wisp-embed] .send').click();
  const reply = page.locator('[data-wisp-embed] .msg.assistant[data-finish]');
  await reply.waitFor({ timeout: 20_000 });
  const r = await page.locator('[data-wisp-embed]').evaluate((h) => {
    const body = h.shadowRoot.querySelector('.msg.assistant .body');
    return { text: body.textContent, imgs: h.shadowRoot.querySelectorAll('img').length + document.querySelectorAll('img').length, strong: body.querySelector('strong')?.textContent, pwned: window.__pwned ?? null };
  });
  assert.equal(r.text, 'Hello <img src=x onerror="window.__pwned=1"> bold code');
  assert.equal(r.imgs, 0);
  assert.equal(r.strong, 'bold');
  assert.equal(r.pwned, null);
  const sent = site.log.filter((l) => l.path === '/v1/chat/completions' && l.body).pop().body;
  assert.deepEqual(sent.messages, [{ role: 'user', content: 'Hello?' }]);
  await page.screenshot({ path: join(shots, 'widget-endpoint.png') });
});

test('device selection: WebGPU is used only when the browser and runtime.wasm both offer it', async (t) => {
  const { page } = await browser(t, { webgpu: true });
  await page.goto(`${site.url}/blank.html`);
  const r = await page.evaluate(async (model) => {
    const { Wisp } = await import('./wisp.js');
    const engine = await Wisp.create({ model, device: 'auto' });
    const c = await engine.completions.create({ prompt: '', max_tokens: 200, temperature: 0 });
    const device = engine.info().device;
    await engine.unload();
    let forced;
    try {
      const e2 = await Wisp.create({ model, device: 'webgpu' });
      forced = { backend: e2.info().device.backend };
      await e2.unload();
    } catch (e) { forced = { code: e.code, message: e.message }; }
    return { text: c.choices[0].text, device, forced, pageGPU: !!navigator.gpu };
  }, modelPath.slice(1));
  t.diagnostic(`device: ${JSON.stringify(r.device)}; forced webgpu: ${JSON.stringify(r.forced)}; navigator.gpu on the page: ${r.pageGPU}`);
  assert.equal(r.text, golden);
  const both = r.device.webgpu.browser && r.device.webgpu.runtime;
  assert.equal(r.device.backend, both ? 'webgpu' : r.device.simd ? 'wasm-simd' : 'wasm');
  if (both) assert.equal(r.forced.backend, 'webgpu');
  else {
    assert.equal(r.forced.code, 'unsupported');
    assert.ok(r.device.fallbackReason);
  }
});
