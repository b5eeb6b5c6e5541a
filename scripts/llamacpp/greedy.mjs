#!/usr/bin/env node
// Usage: node greedy.mjs MODEL.gguf [--tokens 1] [--n 20]
//
// Greedy (temperature 0) continuation of the given token ids by llama.cpp,
// one token at a time, as in a decode loop. Prints one JSON object:
// {"tokens": [prompt ids], "generated": [ids], "text": "<detokenized generated ids>"}.
// Generation stops early at an end-of-generation token, which is included.

import {parseArgs} from "node:util";

import {loadReference, parseTokenList} from "./lib.mjs";

const usage = "usage: node greedy.mjs MODEL.gguf [--tokens 1,2] [--n 20] [--threads N] [--kv-type F32|F16]";

async function main() {
    const {values, positionals} = parseArgs({
        args: process.argv.slice(2),
        allowPositionals: true,
        options: {
            tokens: {type: "string"},
            n: {type: "string", default: "20"},
            threads: {type: "string", default: "1"},
            "kv-type": {type: "string", default: "F32"},
        },
    });
    if (positionals.length !== 1)
        throw new Error(usage);
    const n = Number(values.n);
    const threads = Number(values.threads);
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(threads) || threads < 1)
        throw new Error(usage);

    const contextSize = 64 * Math.ceil((n + 64) / 64);
    const ref = await loadReference(positionals[0], {contextSize, threads, kvType: values["kv-type"].toUpperCase()});
    try {
        // Default prompt: BOS alone, as llama2.c's run.c starts.
        const prompt = values.tokens != null ? parseTokenList(values.tokens) : [ref.model.tokens.bos];
        if (prompt.length === 0 || prompt.some((t) => t == null))
            throw new Error("empty prompt (the model has no BOS token; pass --tokens)");
        const generateNext = {token: true, options: {temperature: 0}};
        const generated = [];
        let input = prompt.map((t, i) => (i === prompt.length - 1 ? [t, {generateNext}] : t));
        while (generated.length < n) {
            const results = await ref.sequence.controlledEvaluate(input);
            const token = results[input.length - 1]?.next?.token;
            if (token == null)
                throw new Error(`llama.cpp produced no token after ${generated.length} generated`);
            generated.push(token);
            if (ref.model.isEogToken(token))
                break;
            input = [[token, {generateNext}]];
        }
        const text = ref.model.detokenize(generated, false, prompt);
        process.stdout.write(JSON.stringify({tokens: prompt, generated, text, llama_cpp: ref.info.llama_cpp}) + "\n");
    } finally {
        await ref.dispose();
    }
}

main().catch((err) => {
    process.stderr.write(`greedy.mjs: ${err.message}\n`);
    process.exit(1);
});
