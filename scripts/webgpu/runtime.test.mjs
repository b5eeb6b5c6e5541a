// runtime.wasm on WebGPU in Node (Dawn on SwiftShader): the model loads
// with {device: 'webgpu'} and greedy generation from BOS equals llama2.c's
// golden text. Run by scripts/test after scripts/webgpu/test.sh (which
// installs Dawn) and scripts/build-wasm:
//   VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json node --test scripts/webgpu/runtime.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { create, globals } from 'webgpu';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const models = path.resolve(root, '../shared/testdata/models');
// WISP_WASM_DIR: where scripts/build-wasm put runtime.wasm (default build/js).
const wasmDir = path.resolve(root, process.env.WISP_WASM_DIR ?? 'build/js');

Object.assign(globalThis, globals);
globalThis.navigator = { gpu: create([]) };
const { startNodeRuntime } = await import(path.join(root, 'wasm/js/node.mjs'));

for (const simd of [true, false]) {
  test(`stories260K on WebGPU equals the golden (${simd ? 'SIMD' : 'plain'} runtime.wasm)`, async (t) => {
    const api = await startNodeRuntime(wasmDir, { simd });
    assert.ok(api.backends.includes('webgpu'));
    const m = await api.loadBlob(new Blob([readFileSync(path.join(models, 'stories260K.gguf'))]), { device: 'webgpu' });
    const s = await api.newSession(m, { context: 256 });
    let text = '';
    const t0 = performance.now();
    const res = await api.generate(s, { prompt: [1], max_tokens: 200, temperature: 0 }, (d) => { text += d.text; });
    t.diagnostic(`200 tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${JSON.stringify(api.backends)}`);
    assert.equal(text, readFileSync(path.join(models, 'stories260K.expected.txt'), 'utf8'));
    assert.equal(res.completion_tokens, 200);
    await assert.rejects(api.loadEnd(api.loadBegin(10), { device: 'tpu' }), (e) => e.code === 'unsupported' || e.codeName === 'unsupported' || /unsupported|device/.test(e.message));
  });
}
