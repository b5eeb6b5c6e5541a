// Tests of runtime.wasm (GOOS=js) in Node: the stories260K golden from both
// artifacts, chunked loading, errors with their codes, and the SIMD128
// kernels' parity tests (the wasm/wasmsimd Go tests linked with the
// kernels). Needs `scripts/build-wasm --tests` first; run with
//   node --test wasm/js/runtime.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeRuntime } from './node.mjs';
import { simdSupported } from './runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = process.env.WISP_WASM_BUILD ?? join(root, 'build', 'js');
const models = join(root, '..', 'shared', 'testdata', 'models');

const golden = await readFile(join(models, 'stories260K.expected.txt'), 'utf8');
const stories = new Uint8Array(await readFile(join(models, 'stories260K.gguf')));

function greedy200(wisp, model) {
  const session = wisp.newSession(model, { context: 256 });
  const [bos] = wisp.tokenize(model, { text: '', bos: true });
  let streamed = '';
  const result = wisp.generate(session, { prompt: [bos], max_tokens: 200 }, (d) => { streamed += d.text; });
  wisp.free(session);
  return { result, streamed };
}

test('this engine validates the SIMD probe', () => {
  assert.equal(simdSupported(), true);
});

for (const simd of [false, true]) {
  test(`stories260K golden, ${simd ? 'SIMD128 kernels' : 'pure Go'}`, async () => {
    const wisp = await startNodeRuntime(build, { simd });
    assert.equal(wisp.simd, simd);
    const model = wisp.load(stories, { name: 'stories' });
    const { result, streamed } = greedy200(wisp, model);
    assert.equal(result.text, golden);
    assert.equal(streamed, golden);
    assert.equal(result.completion_tokens, 200);
    assert.equal(result.finish_reason, 'length');
    assert.equal(wisp.info(model).name, 'stories');
  });
}

test('a model loads in chunks', async () => {
  const wisp = await startNodeRuntime(build);
  const blob = new Blob([stories]);
  const model = await wisp.loadBlob(blob, {}, 100_000); // a dozen chunks
  assert.equal(greedy200(wisp, model).result.text, golden);
});

test('the callback stops generation', async () => {
  const wisp = await startNodeRuntime(build);
  const model = wisp.load(stories);
  const session = wisp.newSession(model, { context: 64 });
  let deltas = 0;
  const result = wisp.generate(session, { text: '', max_tokens: 50 }, () => ++deltas < 3);
  assert.equal(deltas, 3);
  assert.equal(result.finish_reason, 'stop');
  assert.ok(golden.startsWith(result.text.trimStart().slice(0, 5)));
});

test('errors carry their codes', async () => {
  const wisp = await startNodeRuntime(build);
  const cases = [
    ['too large for wasm32', () => wisp.loadBegin(5 * 2 ** 30), 'too_large'],
    ['not a GGUF file', () => wisp.load(new Uint8Array([1, 2, 3, 4])), 'bad_model'],
    ['unknown handle', () => wisp.newSession(999), 'not_found'],
    ['chunk past the end', () => wisp.loadChunk(wisp.loadBegin(10), 8, new Uint8Array(4)), 'invalid_request'],
    ['context too small', () => {
      const m = wisp.load(stories);
      wisp.generate(wisp.newSession(m, { context: 8 }), { text: '', max_tokens: 20 });
    }, 'context_length_exceeded'],
  ];
  for (const [name, f, codeName] of cases) {
    assert.throws(f, (e) => e.name === 'WispError' && e.codeName === codeName, name);
  }
});

test('SIMD128 kernels match their Go models and the reference', () => {
  const exec = join(process.env.GOROOT ?? spawnSync('go', ['env', 'GOROOT']).stdout.toString().trim(), 'lib', 'wasm', 'wasm_exec_node.js');
  const r = spawnSync(process.execPath, [exec, join(build, 'wasmsimd.test.wasm'), '-test.count=1'], {
    cwd: join(root, 'wasm', 'wasmsimd'), // the Go tests find the test data from there
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^PASS$/m);
});
