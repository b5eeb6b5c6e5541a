// Runs a js/wasm Go program (Wisp's webgpu/cmd/kernelcheck) in a page of
// headless Chromium on SwiftShader's WebGPU adapter, driven by
// playwright-core against the system's /usr/bin/chromium (no browser
// download). Same interface as node-run.mjs:
//
//   node chromium-run.mjs PROGRAM.wasm [--file NAME=PATH]... [-- ARGS...]
//
// A small static server on 127.0.0.1 serves the page, wasm_exec.js, the
// program and the files; the page hands the program navigator.gpu.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep < 0 ? argv : argv.slice(0, sep);
const programArgs = sep < 0 ? [] : argv.slice(sep + 1);
const [wasmPath, ...rest] = own;
if (!wasmPath) {
  console.error('usage: node chromium-run.mjs PROGRAM.wasm [--file NAME=PATH]... [-- ARGS...]');
  process.exit(2);
}
const files = {};
for (let i = 0; i < rest.length; i++) {
  if (rest[i] !== '--file') throw new Error(`unknown argument ${rest[i]}`);
  const [name, path] = rest[++i].split('=');
  files[name] = path;
}
const timeoutMs = Number(process.env.WISP_WEBGPU_TIMEOUT_MS ?? 600000);
const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();

const page = `<!doctype html>
<meta charset="utf-8">
<title>wisp webgpu</title>
<script src="/wasm_exec.js"></script>
<script type="module">
const files = ${JSON.stringify(Object.keys(files))};
const fail = (e) => { globalThis.wispResult = JSON.stringify({ ok: false, error: String(e && e.stack || e) }); globalThis.wispDone = true; };
try {
  globalThis.wispFiles = {};
  for (const name of files) {
    const r = await fetch('/files/' + encodeURIComponent(name));
    globalThis.wispFiles[name] = new Uint8Array(await r.arrayBuffer());
  }
  globalThis.wispGPU = navigator.gpu;
  globalThis.wispArgs = ${JSON.stringify(programArgs)};
  const go = new Go();
  go.argv = ['kernelcheck', ...globalThis.wispArgs];
  const { instance } = await WebAssembly.instantiateStreaming(fetch('/program.wasm'), go.importObject);
  await go.run(instance);
  globalThis.wispDone = true;
} catch (e) { fail(e); }
</script>`;

const routes = {
  '/': ['text/html', () => page],
  '/wasm_exec.js': ['text/javascript', () => readFileSync(join(goroot, 'lib/wasm/wasm_exec.js'))],
  '/program.wasm': ['application/wasm', () => readFileSync(wasmPath)],
  '/favicon.ico': ['image/x-icon', () => ''],
};
for (const [name, path] of Object.entries(files)) {
  routes['/files/' + encodeURIComponent(name)] = ['application/octet-stream', () => readFileSync(path)];
}
const server = createServer((req, res) => {
  const route = routes[req.url];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': route[0] }).end(route[1]());
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

// A fresh profile each run; SwiftShader's Vulkan ICD behind Dawn gives the
// WebGPU adapter; everything that would reach the network is off.
const profile = mkdtempSync(join(tmpdir(), 'wisp-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.WISP_CHROMIUM ?? '/usr/bin/chromium',
  headless: false, // --headless=new below: playwright's own flag picks the old mode
  args: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--enable-unsafe-webgpu',
    '--enable-features=Vulkan',
    '--use-vulkan=swiftshader',
    '--use-webgpu-adapter=swiftshader',
    '--use-angle=swiftshader',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--disable-quic',
  ],
});
let report;
try {
  const tab = context.pages()[0] ?? (await context.newPage());
  tab.on('console', (m) => console.log(m.text()));
  tab.on('pageerror', (e) => console.error('page error:', e.message));
  await tab.goto(url);
  await tab.waitForFunction(() => globalThis.wispDone === true, null, { timeout: timeoutMs, polling: 500 });
  report = JSON.parse(await tab.evaluate(() => globalThis.wispResult ?? '{"ok":false,"error":"no report"}'));
} catch (e) {
  report = { ok: false, error: String(e) };
  console.log('WISP_RESULT ' + JSON.stringify(report));
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(report.ok ? 0 : 1);
