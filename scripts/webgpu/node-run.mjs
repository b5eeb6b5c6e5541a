// Runs a js/wasm Go program (Wisp's webgpu/cmd/kernelcheck) in Node with
// WebGPU from Dawn (npm "webgpu"). Usage:
//
//   node node-run.mjs PROGRAM.wasm [--file NAME=PATH]... [-- ARGS...]
//
// The program gets globalThis.wispGPU (Dawn's GPU object), wispFiles
// ({NAME: Uint8Array}) and wispArgs, and leaves its JSON report in
// globalThis.wispResult. Exits 0 when the report says ok.
import { readFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { create, globals } from 'webgpu';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep < 0 ? argv : argv.slice(0, sep);
const programArgs = sep < 0 ? [] : argv.slice(sep + 1);
const [wasmPath, ...rest] = own;
if (!wasmPath) {
  console.error('usage: node node-run.mjs PROGRAM.wasm [--file NAME=PATH]... [-- ARGS...]');
  process.exit(2);
}
const files = {};
for (let i = 0; i < rest.length; i++) {
  if (rest[i] !== '--file') throw new Error(`unknown argument ${rest[i]}`);
  const [name, path] = rest[++i].split('=');
  files[name] = new Uint8Array(readFileSync(path));
}

// Go's wasm_exec.js writes the program's stdout through globalThis.fs.
globalThis.fs = fs;
const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
createRequire(import.meta.url)(`${goroot}/lib/wasm/wasm_exec.js`);

Object.assign(globalThis, globals);
globalThis.wispGPU = create([]);
// Dawn's null backend runs nothing but compiles every shader, including
// the f16 ones SwiftShader cannot.
globalThis.wispNullGPU = create(['backend=null']);
globalThis.wispFiles = files;
globalThis.wispArgs = programArgs;

const go = new globalThis.Go();
go.argv = ['kernelcheck', ...programArgs];
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), go.importObject);
await go.run(instance);
const report = JSON.parse(globalThis.wispResult ?? '{"ok":false,"error":"no report"}');
process.exit(report.ok ? 0 : 1);
