// Starts runtime.wasm in Node from a build directory made by
// scripts/build-wasm (runtime.wasm, runtime-nosimd.wasm, wasm_exec.js).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifactName, startRuntime } from './runtime.mjs';

/**
 * Starts the runtime from dir. simd: true or false forces an artifact;
 * undefined picks the one this engine supports.
 */
export async function startNodeRuntime(dir, { simd } = {}) {
  if (typeof globalThis.Go !== 'function') {
    await import(pathToFileURL(join(dir, 'wasm_exec.js')).href);
  }
  const name = simd === undefined ? artifactName() : simd ? 'runtime.wasm' : 'runtime-nosimd.wasm';
  return startRuntime(await readFile(join(dir, name)));
}
