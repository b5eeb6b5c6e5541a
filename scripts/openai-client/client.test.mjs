// The official openai npm client as a real client of `wisp serve`: greedy
// chats on stories260K must give llama2.c's text for the same prompt, with
// exact usage counts, streamed and not.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const models = path.resolve(root, '../shared/testdata/models');
// llama2.c's run.c on the ChatML prompt below (host/server/testdata/make-golden.sh).
const chatGolden = readFileSync(path.join(root, 'host/server/testdata/stories260K-chatml.expected.txt'), 'utf8');
// llama2.c's run.c from BOS alone, 200 tokens.
const storyGolden = readFileSync(path.join(models, 'stories260K.expected.txt'), 'utf8');

const apiKey = 'test-key-' + process.pid;
// WISP_ENGINE=wasm runs the model inside wazero (build/wasip1/runtime.wasm).
const engine = process.env.WISP_ENGINE || 'native';
const messages = [{ role: 'user', content: 'Tell me a story.' }];
// The rendered ChatML prompt is 50 tokens, BOS included, as llama2.c's
// encoder also counts it; run.c generated 207 tokens after it.
const promptTokens = 50;
const completionTokens = 207;

let tmp, server, exited, client, baseURL;

before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'wisp-openai-'));
  let bin = process.env.WISP_BIN;
  if (!bin) {
    bin = path.join(tmp, 'wisp');
    execFileSync('go', ['build', '-o', bin, './host/cmd/wisp'], { cwd: root, stdio: 'inherit' });
  }
  server = spawn(bin, ['serve', '-m', path.join(models, 'stories260K.gguf'), '--addr', '127.0.0.1:0',
    '--engine', engine, '--parallel', '2', '--api-key', apiKey, '--site', path.join(tmp, 'no-site')],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve({ code, signal })));
  baseURL = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('wisp serve did not start within 60 s')), 60_000);
    createInterface({ input: server.stdout }).on('line', (line) => {
      const m = line.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    exited.then(({ code }) => reject(new Error(`wisp serve exited early with ${code}`)));
  });
  client = new OpenAI({ baseURL: baseURL + '/v1', apiKey, maxRetries: 0, timeout: 60_000 });
});

after(async () => {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.equal(signal, null, 'wisp serve died of a signal instead of shutting down');
    assert.equal(code, 0, 'wisp serve exited with an error after SIGTERM');
  }
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test(`non-streaming chat completion (${engine} engine)`, async () => {
  const res = await client.chat.completions.create({
    model: 'stories260K', messages, max_tokens: completionTokens, temperature: 0,
  });
  assert.equal(res.object, 'chat.completion');
  assert.equal(res.model, 'stories260K');
  assert.equal(res.choices.length, 1);
  assert.equal(res.choices[0].message.role, 'assistant');
  assert.equal(res.choices[0].message.content, chatGolden);
  assert.equal(res.choices[0].finish_reason, 'length');
  assert.equal(res.usage.prompt_tokens, promptTokens);
  assert.equal(res.usage.completion_tokens, completionTokens);
  assert.equal(res.usage.total_tokens, promptTokens + completionTokens);
});

test(`streaming chat completion (${engine} engine)`, async () => {
  const stream = await client.chat.completions.create({
    model: 'stories260K', messages, max_tokens: completionTokens, temperature: 0,
    stream: true, stream_options: { include_usage: true },
  });
  let text = '';
  let usage = null;
  const finishes = [];
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    assert.equal(chunk.object, 'chat.completion.chunk');
    for (const c of chunk.choices) {
      text += c.delta.content ?? '';
      if (c.finish_reason) finishes.push(c.finish_reason);
    }
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(chunks > 2, `only ${chunks} chunks`);
  assert.equal(text, chatGolden);
  assert.deepEqual(finishes, ['length']);
  assert.equal(usage?.prompt_tokens, promptTokens);
  assert.equal(usage?.completion_tokens, completionTokens);
  assert.equal(usage?.total_tokens, promptTokens + completionTokens);
});

test('completion from BOS alone is the golden story', async () => {
  const res = await client.completions.create({ model: 'stories260K', prompt: '', max_tokens: 200, temperature: 0 });
  assert.equal(res.choices[0].text, storyGolden);
  assert.equal(res.usage.prompt_tokens, 1);
  assert.equal(res.usage.completion_tokens, 200);
});

test('errors arrive as the client\'s typed errors', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'gpt-4o', messages }),
    (err) => err instanceof OpenAI.NotFoundError && err.code === 'model_not_found',
  );
  const wrongKey = new OpenAI({ baseURL: baseURL + '/v1', apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(wrongKey.models.list(), (err) => err instanceof OpenAI.AuthenticationError);
  await assert.rejects(
    client.chat.completions.create({ model: 'stories260K', messages, temperature: 5 }),
    (err) => err instanceof OpenAI.BadRequestError && err.param === 'temperature',
  );
  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ['stories260K']);
});
