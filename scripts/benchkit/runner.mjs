#!/usr/bin/env node
// Usage: node runner.mjs RUNTIME MODEL.gguf --vocab V [--threads T] [--prompt P] [--gen N]
//
// Loads MODEL.gguf once in one of the JavaScript-hosted runtimes that
// scripts/bench compares, prints {"ready":true,...} and then, for every line
// "run" read from stdin, measures one repetition and prints
// {"prefill_tps":X,"decode_tps":Y}. This is the same line protocol as
// `wisp bench --stdin`, so that bench.mjs can alternate runtimes run by run.
//
// RUNTIME is one of:
//   llama.cpp       node-llama-cpp@3.21.1 (llama.cpp's native CPU build), from scripts/llamacpp
//   wllama          @wllama/wllama's single-thread wasm build, in Node (see wllama-node.mjs)
//   wllama-mt       its multi-thread (pthreads) wasm build; needs --threads >= 2
//   wisp-wasm-node  runtime.wasm (GOOS=js) in Node, from build/js
//
// Every runtime measures the same thing: prefill = evaluate P prompt tokens
// and sample one token; decode = N more steps of (evaluate the last token,
// sample greedily). Prompts are token ids spread over the vocabulary, a new
// one per repetition so that no cache is reused.

import {createInterface} from "node:readline";
import {readFileSync} from "node:fs";
import {join} from "node:path";
import {fileURLToPath, pathToFileURL} from "node:url";
import {parseArgs} from "node:util";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

// benchPrompt mirrors wisp bench's prompts: ids in [3, vocab), first token
// varying with rep.
function benchPrompt(n, vocab, rep) {
    const ids = [];
    let x = (0x9e3779b97f4a7c15n * BigInt(rep + 1)) & 0xffffffffffffffffn;
    const span = BigInt(Math.max(vocab - 3, 1));
    const mask = 0xffffffffffffffffn;
    for (let i = 0; i < n; i++) {
        x ^= (x << 13n) & mask;
        x ^= x >> 7n;
        x ^= (x << 17n) & mask;
        ids.push(Number(3n + (x % span)));
    }
    return ids;
}

const now = () => performance.now() / 1000;

async function llamaCpp(modelPath, threads, contextSize) {
    const {loadReference} = await import(pathToFileURL(join(repoRoot, "scripts/llamacpp/lib.mjs")).href);
    // llama.cpp's defaults for speed (F16 KV cache), not the F32 cache the
    // parity goldens use.
    const ref = await loadReference(modelPath, {contextSize, threads, kvType: "F16", flashAttention: false});
    return {
        info: {version: ref.info.llama_cpp, cpu_backend: ref.info.settings.cpu_backend},
        async run(prompt, gen) {
            await ref.sequence.clearHistory();
            const it = ref.sequence.evaluate(prompt, {temperature: 0, yieldEogToken: true});
            const t0 = now();
            await it.next();
            const t1 = now();
            for (let i = 0; i < gen; i++)
                await it.next();
            const t2 = now();
            await it.return();
            return {prefill: (t1 - t0), decode: (t2 - t1)};
        },
        close: () => ref.dispose(),
    };
}

async function wllama(modelPath, threads, contextSize, multiThread) {
    const {loadWllama, wllamaVersion} = await import("./wllama-node.mjs");
    if (multiThread && threads < 2)
        throw new Error("wllama-mt needs --threads >= 2 (with 1 thread wllama runs its single-thread build)");
    const w = await loadWllama(modelPath, {threads: multiThread ? threads : 1, contextSize, batchSize: contextSize});
    await w.samplingInit({temp: 0});
    return {
        info: {version: `@wllama/wllama@${wllamaVersion()}`, multithread: w.isMultithread(), threads: w.getNumThreads()},
        async run(prompt, gen) {
            await w.kvClear();
            const t0 = now();
            await w.decode(prompt, {});
            let {token} = await w.samplingSample();
            const t1 = now();
            for (let i = 0; i < gen; i++) {
                await w.decode([token], {});
                ({token} = await w.samplingSample());
            }
            const t2 = now();
            return {prefill: (t1 - t0), decode: (t2 - t1)};
        },
        close: () => w.exit(),
    };
}

async function wispWasmNode(modelPath, contextSize) {
    const dir = process.env.WISP_JS_BUILD ?? join(repoRoot, "build/js");
    const {startNodeRuntime} = await import(pathToFileURL(join(repoRoot, "wasm/js/node.mjs")).href);
    const rt = await startNodeRuntime(dir);
    const model = rt.load(new Uint8Array(readFileSync(modelPath)), {});
    const session = rt.newSession(model, {context: contextSize});
    const generate = (prompt, maxTokens) => rt.generate(session, {prompt, max_tokens: maxTokens}, null);
    return {
        info: {simd: rt.simd},
        async run(prompt, gen) {
            const t0 = now();
            generate(prompt, 1);
            const t1 = now();
            // The cache holds the prompt: only its last token is rerun, then
            // one forward pass per generated token but the last.
            const res = generate(prompt, gen + 1);
            const t2 = now();
            const forwards = 1 + res.completion_tokens - (res.finish_reason === "stop" ? 0 : 1);
            return {prefill: (t1 - t0), decode: (t2 - t1) * gen / forwards};
        },
        close() {},
    };
}

async function main() {
    const {values, positionals} = parseArgs({
        args: process.argv.slice(2),
        allowPositionals: true,
        options: {
            threads: {type: "string", default: "1"},
            prompt: {type: "string", default: "128"},
            gen: {type: "string", default: "64"},
            vocab: {type: "string"},
        },
    });
    const [runtime, modelPath] = positionals;
    const threads = Number(values.threads), p = Number(values.prompt), n = Number(values.gen);
    // The vocabulary size comes from the caller (wisp info), since not
    // every runtime exposes it.
    const vocab = Number(values.vocab);
    if (positionals.length !== 2 || ![threads, p, n, vocab].every((v) => Number.isInteger(v) && v >= 1))
        throw new Error("usage: node runner.mjs RUNTIME MODEL.gguf --vocab V [--threads T] [--prompt P] [--gen N]");
    const contextSize = 64 * Math.ceil((p + n + 2) / 64);
    let r;
    switch (runtime) {
    case "llama.cpp": r = await llamaCpp(modelPath, threads, contextSize); break;
    case "wllama": r = await wllama(modelPath, threads, contextSize, false); break;
    case "wllama-mt": r = await wllama(modelPath, threads, contextSize, true); break;
    case "wisp-wasm-node": r = await wispWasmNode(modelPath, contextSize); break;
    default: throw new Error(`unknown runtime ${runtime}`);
    }
    process.stdout.write(JSON.stringify({ready: true, runtime, ...r.info}) + "\n");
    let rep = 0;
    for await (const line of createInterface({input: process.stdin})) {
        if (line.trim() === "quit")
            break;
        if (line.trim() !== "run")
            continue;
        const {prefill, decode} = await r.run(benchPrompt(p, vocab, rep++), n);
        process.stdout.write(JSON.stringify({prefill_tps: p / prefill, decode_tps: n / decode}) + "\n");
    }
    await r.close();
    process.exit(0);
}

main().catch((err) => {
    process.stderr.write(`runner.mjs: ${err.stack ?? err}\n`);
    process.exit(1);
});
