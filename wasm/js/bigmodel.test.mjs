// Models at the edges of wasm32 in runtime.wasm (GOOS=js) in Node: a file
// past the 4 GiB address space is refused with too_large before anything
// is allocated, and files past the 2 GiB ArrayBuffer limit load in chunks
// (loadBlob) and generate. Needs `scripts/build-wasm` first; run with
//   node --test wasm/js/bigmodel.test.mjs
// The loads past 2 GiB write gigabytes into wasm memory and run only with
// WISP_BIG_MODEL_TESTS=1: the padded stories260K takes about 15 s on a busy
// 2-core machine, the Llama 3.2 1B-shaped F16 model (synthesized with
// `wisp synth`, 2.3 GiB) a few minutes; WISP_LLAMA_F16=PATH reuses a copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeRuntime } from './node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = process.env.WISP_WASM_BUILD ?? join(root, 'build', 'js');
const models = join(root, '..', 'shared', 'testdata', 'models');
const big = process.env.WISP_BIG_MODEL_TESTS === '1';
const skipBig = big ? false : 'loads gigabytes: set WISP_BIG_MODEL_TESTS=1';

const golden = await readFile(join(models, 'stories260K.expected.txt'), 'utf8');
const stories = new Uint8Array(await readFile(join(models, 'stories260K.gguf')));

// withTempDir runs f with a fresh directory and removes it afterwards.
async function withTempDir(f) {
  const dir = mkdtempSync(join(tmpdir(), 'wisp-big-'));
  try {
    return await f(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// sparseGGUF writes a GGUF whose one F32 tensor of rows × cols elements
// lies past its real header as a hole: the file is as large as the tensor
// needs and takes no disk space.
function sparseGGUF(path, rows, cols) {
  const parts = [];
  const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); parts.push(b); };
  const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); parts.push(b); };
  const str = (s) => { u64(Buffer.byteLength(s)); parts.push(Buffer.from(s)); };
  parts.push(Buffer.from('GGUF'));
  u32(3); // version
  u64(1); // tensors
  u64(1); // metadata keys
  str('general.architecture'); u32(8); str('llama');
  str('token_embd.weight'); u32(2); u64(cols); u64(rows); u32(0 /* F32 */); u64(0);
  let header = Buffer.concat(parts);
  header = Buffer.concat([header, Buffer.alloc((32 - (header.length % 32)) % 32)]);
  writeFileSync(path, header);
  truncateSync(path, header.length + rows * cols * 4);
}

// paddedStories is stories260K followed by zeros up to size bytes, which
// GGUF readers ignore: a file past 2 GiB whose output is the golden one.
function paddedStories(path, size) {
  copyFileSync(join(models, 'stories260K.gguf'), path);
  truncateSync(path, size);
}

// fileBlob is the part of a Blob that loadBlob uses (size, and slices read
// as ArrayBuffers), over a file. Node's own fs.openAsBlob reports the size
// of a file past 4 GiB modulo 4 GiB and mis-slices across 2 GiB
// (nodejs/node#52585), so it cannot stand in for a browser's File here.
// loadBlob copies each slice into the runtime before it reads the next, so
// one buffer serves every slice of its size.
async function fileBlob(path) {
  const file = await open(path);
  const size = statSync(path).size;
  let buffer = new Uint8Array(0);
  return {
    size,
    slice: (start, end) => ({
      arrayBuffer: async () => {
        const n = Math.min(end, size) - start;
        if (buffer.length !== n) buffer = new Uint8Array(n);
        const b = buffer;
        const { bytesRead } = await file.read(b, 0, b.length, start);
        assert.equal(bytesRead, b.length);
        return b.buffer;
      },
    }),
    close: () => file.close(),
  };
}

function greedy(wisp, model, n) {
  const session = wisp.newSession(model, { context: 256 });
  const [bos] = wisp.tokenize(model, { text: '', bos: true });
  const result = wisp.generate(session, { prompt: [bos], max_tokens: n });
  wisp.free(session);
  return result;
}

test('a model past 4 GiB is refused with too_large before any allocation', () => withTempDir(async (dir) => {
  const path = join(dir, 'huge.gguf');
  sparseGGUF(path, 300_000, 4096); // 4.58 GiB of F32
  const wisp = await startNodeRuntime(build);
  const blob = await fileBlob(path);
  const rss = process.memoryUsage().rss;
  await assert.rejects(wisp.loadBlob(blob), (e) => {
    assert.equal(e.name, 'WispError');
    assert.equal(e.codeName, 'too_large');
    assert.match(e.message, /4 GiB/);
    return true;
  });
  await blob.close();
  assert.ok(process.memoryUsage().rss - rss < 256 * 2 ** 20, 'the refusal allocated the model');
  // The instance lives on: a failed allocation would have ended it.
  assert.equal(greedy(wisp, wisp.load(stories), 200).text, golden);
}));

test('a 2 GiB + 64 MiB file loads in chunks and generates the golden', { skip: skipBig }, () => withTempDir(async (dir) => {
  const path = join(dir, 'stories-padded.gguf');
  const size = 2 * 2 ** 30 + 64 * 2 ** 20;
  paddedStories(path, size);
  const wisp = await startNodeRuntime(build);
  const blob = await fileBlob(path);
  const model = await wisp.loadBlob(blob);
  await blob.close();
  assert.equal(wisp.info(model).file_bytes, size);
  assert.equal(greedy(wisp, model, 200).text, golden);
}));

// WISP_LLAMA_F16 names an already synthesized copy of the model, which
// saves the minute or two synthesizing it takes.
test('a Llama 3.2 1B-shaped F16 model (2.3 GiB) loads in chunks and generates', { skip: skipBig }, () => withTempDir(async (dir) => {
  let path = process.env.WISP_LLAMA_F16;
  if (!path) {
    path = join(dir, 'llama3.2-1b-f16.gguf');
    const synth = spawnSync('go', ['run', './host/cmd/wisp', 'synth', '--shape', 'llama3.2-1b', '--type', 'F16', '-o', path],
      { cwd: root, encoding: 'utf8' });
    assert.equal(synth.status, 0, synth.stderr);
  }
  const wisp = await startNodeRuntime(build);
  const blob = await fileBlob(path);
  assert.ok(blob.size > 2 ** 31, `the model has ${blob.size} bytes`);
  const model = await wisp.loadBlob(blob);
  await blob.close();
  assert.equal(wisp.info(model).embedding_length, 2048);
  const result = greedy(wisp, model, 3);
  assert.equal(result.completion_tokens, 3);
  assert.equal(result.finish_reason, 'length');
}));
