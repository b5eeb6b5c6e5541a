// End-to-end tests of the Cloudflare Worker under `wrangler dev` (workerd,
// locally, no account): the official openai client against the Worker
// serving stories260K from the local R2 emulation.
//   node --test scripts/worker/worker.test.mjs     (run by scripts/test)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import path from "node:path";
import OpenAI from "openai";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const models = path.resolve(root, "../shared/testdata/models");
const golden = readFileSync(path.join(models, "stories260K.expected.txt"), "utf8");
// llama2.c's greedy output for the ChatML prompt of "Tell me a story."
// (host/server/testdata/make-golden.sh).
const chatGolden = readFileSync(path.join(root, "host/server/testdata/stories260K-chatml.expected.txt"), "utf8");
const apiKey = "test-key-123";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

// startWorker runs scripts/worker-dev and waits until /health answers.
async function startWorker(vars = []) {
  const port = await freePort();
  const args = [path.join(models, "stories260K.gguf"), "--port", String(port)];
  for (const v of vars) args.push("--var", v);
  const child = spawn(path.join(root, "scripts/worker-dev"), args, {
    cwd: root,
    env: { ...process.env, WISP_WORKER_STATE: path.join(root, "build/worker-state-test-" + port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error("worker-dev exited:\n" + log);
    try {
      const r = await fetch(base + "/health");
      if (r.ok) return { base, child, log: () => log };
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-child.pid, "SIGTERM");
  throw new Error("the Worker did not start in time:\n" + log);
}

function stop(w) {
  if (w) {
    try { process.kill(-w.child.pid, "SIGTERM"); } catch {}
  }
}

let worker;
let client;
before(async () => {
  worker = await startWorker([`WISP_API_KEY:${apiKey}`]);
  client = new OpenAI({ baseURL: worker.base + "/v1", apiKey, maxRetries: 0 });
});
after(() => stop(worker));

const health = async () => (await fetch(worker.base + "/health")).json();

test("completion from BOS alone equals llama2.c's golden; the model loads once", async () => {
  const before = await health();
  assert.equal(before.model_loaded, false);
  const t0 = performance.now();
  const first = await client.completions.create({ model: "stories260K.gguf", prompt: "", max_tokens: 200, temperature: 0 });
  const cold = performance.now() - t0;
  assert.equal(first.choices[0].text, golden);
  assert.equal(first.usage.completion_tokens, 200);
  const times = [];
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const again = await client.completions.create({ model: "stories260K.gguf", prompt: "", max_tokens: 200, temperature: 0 });
    times.push(performance.now() - t);
    assert.equal(again.choices[0].text, golden);
  }
  const h = await health();
  assert.equal(h.loads, 1, "the second and third request must reuse the loaded model");
  console.log(`cold request ${cold.toFixed(0)} ms (model load ${h.load_ms} ms), warm requests ${times.map((t) => t.toFixed(0)).join(", ")} ms`);
});

test("chat completion, non-streaming and streaming, greedy, equals llama2.c's golden", async () => {
  const messages = [{ role: "user", content: "Tell me a story." }];
  const plain = await client.chat.completions.create({ model: "stories260K.gguf", messages, max_tokens: 207, temperature: 0 });
  assert.equal(plain.object, "chat.completion");
  assert.equal(plain.choices[0].message.role, "assistant");
  assert.equal(plain.choices[0].message.content, chatGolden);
  assert.equal(plain.usage.completion_tokens, 207);
  const stream = await client.chat.completions.create({
    model: "stories260K.gguf", messages, max_tokens: 207, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  let text = "";
  let usage;
  for await (const chunk of stream) {
    assert.equal(chunk.object, "chat.completion.chunk");
    if (chunk.choices.length > 0) text += chunk.choices[0].delta.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, plain.choices[0].message.content);
  // The second request reuses the first's cached prompt, so only the counts compare.
  for (const k of ["prompt_tokens", "completion_tokens", "total_tokens"]) assert.equal(usage[k], plain.usage[k], k);
});

test("streamed completion from BOS equals the golden", async () => {
  const stream = await client.completions.create({ model: "stories260K.gguf", prompt: "", max_tokens: 200, temperature: 0, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
  assert.equal(text, golden);
});

test("bad input and auth get OpenAI error objects and the Worker keeps serving", async () => {
  const post = (p, body, key = apiKey) =>
    fetch(worker.base + p, { method: "POST", headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) }, body });
  const cases = [
    ["malformed JSON", await post("/v1/chat/completions", "{not json"), 400],
    ["wrong types", await post("/v1/chat/completions", JSON.stringify({ model: "stories260K.gguf", messages: "hi" })), 400],
    ["unknown model", await post("/v1/chat/completions", JSON.stringify({ model: "gpt-9", messages: [{ role: "user", content: "hi" }] })), 404],
    ["over-long prompt", await post("/v1/completions", JSON.stringify({ model: "stories260K.gguf", prompt: "Once upon a time ".repeat(2000), max_tokens: 10 })), 400],
    ["missing key", await post("/v1/completions", JSON.stringify({ prompt: "" }), null), 401],
    ["wrong key", await post("/v1/completions", JSON.stringify({ prompt: "" }), "nope"), 401],
  ];
  for (const [name, res, status] of cases) {
    assert.equal(res.status, status, name);
    const body = await res.json();
    assert.equal(typeof body.error?.message, "string", name);
    assert.ok("type" in body.error && "param" in body.error && "code" in body.error, name);
  }
  const ok = await client.models.list();
  assert.equal(ok.data[0].id, "stories260K.gguf");
});

test("a model over the memory budget gets 503 with the reason", async () => {
  const small = await startWorker(["WISP_MEMORY_BUDGET_MB:1"]);
  try {
    const res = await fetch(small.base + "/v1/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ prompt: "" }) });
    assert.equal(res.status, 503);
    const body = await res.json();
    assert.equal(body.error.code, "model_over_budget");
    assert.match(body.error.message, /memory budget/);
    assert.equal((await fetch(small.base + "/health")).status, 200);
  } finally {
    stop(small);
  }
});
