// Decode speed of runtime.wasm (GOOS=js) in Node, one thread:
//   node wasm/js/bench.mjs [-n TOKENS] [--nosimd] MODEL.gguf...
// Prints one JSON line per model: prefill of BOS, then greedy decoding.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeRuntime } from './node.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const build = process.env.WISP_WASM_BUILD ?? join(root, 'build', 'js');

const args = process.argv.slice(2);
let tokens = 64;
let simd = true;
const models = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '-n') tokens = Number(args[++i]);
  else if (args[i] === '--nosimd') simd = false;
  else models.push(args[i]);
}
if (models.length === 0) {
  console.error('usage: node wasm/js/bench.mjs [-n TOKENS] [--nosimd] MODEL.gguf...');
  process.exit(2);
}

for (const path of models) {
  const wisp = await startNodeRuntime(build, { simd });
  const model = wisp.load(new Uint8Array(await readFile(path)));
  const session = wisp.newSession(model, { context: tokens + 16 });
  const [bos] = wisp.tokenize(model, { text: '', bos: true });
  const times = [];
  let last = performance.now();
  const start = last;
  // Stop tokens end generation early on random weights: ask for plain
  // greedy text and count the deltas' tokens as they come.
  let generated = 0;
  wisp.generate(session, { prompt: [bos, ...wisp.tokenize(model, { text: 'Once upon a time' })], max_tokens: tokens }, (d) => {
    const now = performance.now();
    generated += d.tokens.length;
    times.push((now - last) / d.tokens.length);
    last = now;
  });
  const decode = times.slice(1); // the first delta includes the prefill
  const ms = decode.reduce((a, b) => a + b, 0) / Math.max(1, decode.length);
  console.log(JSON.stringify({
    model: path.split('/').pop(), simd, tokens: generated,
    first_token_ms: +(times[0] ?? 0).toFixed(1),
    decode_tokens_per_s: +(1000 / ms).toFixed(2),
    total_s: +((last - start) / 1000).toFixed(2),
  }));
}
