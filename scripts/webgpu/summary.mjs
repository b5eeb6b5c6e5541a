// Reads a runner's output on stdin and prints a short summary of the
// kernelcheck report: every failed check, every shader compilation message
// that is not info, and the counts. Exits 1 when there is no report.
import { readFileSync } from 'node:fs';

const label = process.argv[2] ?? 'webgpu';
const line = readFileSync(0, 'utf8').split('\n').find((l) => l.startsWith('WISP_RESULT '));
if (!line) {
  console.log(`${label}: no report`);
  process.exit(1);
}
const r = JSON.parse(line.slice('WISP_RESULT '.length));
const results = r.results ?? [];
for (const x of results.filter((x) => !x.ok)) {
  console.log(`${label}: FAIL ${x.name}: maxErr ${x.maxErr} (tol ${x.tol}) ${x.detail ?? ''}`);
}
for (const m of (r.compile ?? []).filter((m) => m.type !== 'info')) {
  console.log(`${label}: shader ${m.kernel} line ${m.line}: ${m.type}: ${m.message}`);
}
for (const x of results.filter((x) => x.ok && x.name.includes('/allocs/'))) {
  console.log(`${label}: ${x.name}: ${x.detail}`);
}
if (r.pipelines) {
  // Variants no device of this run could compile (SwiftShader has no
  // shader-f16): named, so that CI says what it did not check.
  const skipped = r.pipelines.skipped ?? [];
  const why = {};
  for (const v of skipped) (why[v.missing] ??= []).push(v.kernel);
  console.log(`${label}: pipelines: ${r.pipelines.compiled.length} compiled, ${skipped.length} skipped` +
    Object.entries(why).map(([m, ks]) => `; for lack of ${m}: ${ks.join(', ')}`).join(''));
}
for (const b of r.bench ?? []) {
  console.log(`${label}: ${b.backend} ${b.model}: ${b.error ? b.error : b.tokensPerSec.toFixed(1) + ' tokens/s'}`);
}
if (r.error) console.log(`${label}: error: ${r.error}`);
const golden = results.find((x) => x.name.endsWith('greedy-golden'));
const device = `${label}: ${r.device?.adapter ?? '?'} (subgroups ${r.device?.subgroups}, shader-f16 ${r.device?.shaderF16})`;
if (r.bench) {
  console.log(`${device}, ${r.seconds?.toFixed(1)}s`);
} else {
  console.log(`${device}: ${results.filter((x) => x.ok).length}/${results.length} checks passed, ` +
    `${(r.compile ?? []).length} compiler messages` +
    (golden ? `, stories260K golden ${golden.ok ? 'equal' : 'DIFFERENT'} (${golden.detail ?? ''})` : '') +
    `, ${r.seconds?.toFixed(1)}s`);
}
