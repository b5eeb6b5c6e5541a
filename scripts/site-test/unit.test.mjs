// Tests of site/ modules that need no browser: the incremental SHA-256 and
// the mapping of OpenAI requests onto runtime.wasm's GenerateRequest.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Sha256 } from '../../site/sha256.js';
import { OutputStream, chatRequest, completionRequest } from '../../site/openai.js';
import { ErrorCode, WispError, errorFromWire, errorToWire } from '../../site/protocol.js';

test('sha256 matches node:crypto for any length fed in any pieces', () => {
  for (const n of [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 1000, 65537]) {
    const data = randomBytes(n);
    const want = createHash('sha256').update(data).digest('hex');
    for (const step of [1, 7, 64, 100, n || 1]) {
      const s = new Sha256();
      for (let i = 0; i < n; i += step) s.update(data.subarray(i, i + step));
      assert.equal(s.hex(), want, `length ${n} in pieces of ${step}`);
    }
  }
  assert.equal(new Sha256().update(Buffer.from('abc')).hex(), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('OpenAI requests become GenerateRequests', () => {
  const cases = [
    { name: 'greedy completion from BOS', got: completionRequest({ prompt: '', max_tokens: 200, temperature: 0 }), want: { text: '', max_tokens: 200, temperature: 0 } },
    { name: 'token ids', got: completionRequest({ prompt: [1, 2, 3], temperature: 0, seed: 5 }), want: { prompt: [1, 2, 3], temperature: 0, seed: 5 } },
    { name: 'one-string array', got: completionRequest({ prompt: ['Hi'], temperature: 0.5, top_p: 0.9, stop: 'x', seed: 1 }), want: { text: 'Hi', temperature: 0.5, top_p: 0.9, stop: ['x'], seed: 1 } },
    {
      name: 'chat with parts and developer role',
      got: chatRequest({ messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }], max_completion_tokens: 9, temperature: 0 }),
      want: { messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'ab' }], max_tokens: 9, temperature: 0 },
    },
  ];
  for (const c of cases) {
    // Without a seed in the request, a random one is drawn.
    const got = 'seed' in c.want ? c.got : (({ seed, ...rest }) => (assert.ok(Number.isInteger(seed)), rest))(c.got);
    assert.deepEqual(got, c.want, c.name);
  }
  // OpenAI's defaults: temperature 1 and, without a seed, a random one.
  const d = chatRequest({ messages: [{ role: 'user', content: 'x' }] });
  assert.equal(d.temperature, 1);
  assert.ok(Number.isInteger(d.seed));
});

test('bad requests are invalid_request errors', () => {
  const bad = [
    () => completionRequest({ prompt: '', temperature: 3 }),
    () => completionRequest({ prompt: '', max_tokens: 0 }),
    () => completionRequest({ prompt: '', max_tokens: 1.5 }),
    () => completionRequest({ prompt: {} }),
    () => completionRequest({ prompt: '', stop: ['a', 'b', 'c', 'd', 'e'] }),
    () => chatRequest({ messages: [] }),
    () => chatRequest({ messages: [{ role: 'robot', content: 'x' }] }),
    () => chatRequest({ messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }),
  ];
  for (const [i, f] of bad.entries()) {
    assert.throws(f, (e) => e instanceof WispError && e.code === ErrorCode.InvalidRequest, `case ${i}`);
  }
});

test('errors keep their code across the worker boundary', () => {
  const e = errorFromWire(structuredClone(errorToWire(new WispError(ErrorCode.Integrity, 'mismatch', { expected: 'a', actual: 'b' }))));
  assert.ok(e instanceof WispError);
  assert.deepEqual([e.code, e.message, e.details], [ErrorCode.Integrity, 'mismatch', { expected: 'a', actual: 'b' }]);
  // runtime.mjs's errors carry the ABI's numeric code and its name.
  const runtimeError = Object.assign(new Error('no model with handle 9'), { name: 'WispError', code: 2, codeName: 'not_found' });
  assert.equal(errorToWire(runtimeError).code, ErrorCode.NotFound);
  assert.equal(errorToWire(new DOMException('full', 'QuotaExceededError')).code, ErrorCode.QuotaExceeded);
  assert.equal(errorToWire(new TypeError('boom')).code, ErrorCode.Internal);
});

test('an output stream yields chat chunks, then the finish and usage', async () => {
  const out = new OutputStream('chat', { id: 'chatcmpl-1', model: 'm', includeUsage: true });
  out.delta({ text: 'Hel', tokens: [1] });
  out.delta({ text: '', tokens: [2] });
  out.delta({ text: 'lo', tokens: [3] });
  out.finish('length', { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  const chunks = [];
  for await (const c of out) chunks.push(c);
  assert.deepEqual(chunks.map((c) => c.choices[0]?.delta ?? null), [{ role: 'assistant', content: 'Hel' }, { content: 'lo' }, {}, null]);
  assert.equal(chunks[2].choices[0].finish_reason, 'length');
  assert.deepEqual(chunks[3].usage, { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
  const whole = out.completion();
  assert.equal(whole.object, 'chat.completion');
  assert.equal(whole.choices[0].message.content, 'Hello');
});
