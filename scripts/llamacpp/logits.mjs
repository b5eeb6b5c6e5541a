#!/usr/bin/env node
// Usage: node logits.mjs MODEL.gguf --tokens 1,2,3 [--top N] [-o OUT.json]
//
// Evaluates the given token ids with llama.cpp (no tokenization: ids are
// given, so consumers need no tokenizer agreement) and writes, for every
// position i, llama.cpp's distribution of the token that follows tokens[0..i].
// The format is documented in wasm/model/testdata/llamacpp/README.md.

import {writeFile} from "node:fs/promises";
import {parseArgs} from "node:util";

import {loadReference, parseTokenList} from "./lib.mjs";

const usage = "usage: node logits.mjs MODEL.gguf --tokens 1,2,3 [--top N] [--full-vocab-max N] " +
    "[--threads N] [--kv-type F32|F16] [--flash-attention] [-o OUT.json]";

// Probabilities are float32 inside llama.cpp; 7 significant digits keeps the
// files small while staying within float32's own precision.
function compact(x) {
    return Number(x.toPrecision(7));
}

function parseOptions(argv) {
    const {values, positionals} = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            tokens: {type: "string"},
            top: {type: "string", default: "32"},
            "full-vocab-max": {type: "string", default: "4096"},
            threads: {type: "string", default: "1"},
            "kv-type": {type: "string", default: "F32"},
            "flash-attention": {type: "boolean", default: false},
            output: {type: "string", short: "o"},
            help: {type: "boolean", short: "h", default: false},
        },
    });
    if (values.help) {
        console.log(usage);
        process.exit(0);
    }
    if (positionals.length !== 1 || values.tokens == null)
        throw new Error(usage);
    const intOption = (name, min) => {
        const n = Number(values[name]);
        if (!Number.isInteger(n) || n < min)
            throw new Error(`--${name} must be an integer >= ${min}, got ${values[name]}`);
        return n;
    };
    const tokens = parseTokenList(values.tokens);
    if (tokens.length === 0)
        throw new Error("--tokens is empty");
    return {
        modelPath: positionals[0],
        tokens,
        top: intOption("top", 1),
        fullVocabMax: intOption("full-vocab-max", 0),
        threads: intOption("threads", 1),
        kvType: values["kv-type"].toUpperCase(),
        flashAttention: values["flash-attention"],
        output: values.output,
    };
}

// positionFromProbabilities checks that llama.cpp handed back the plain
// softmax over the whole vocabulary (no top-k/top-p truncation) and reduces it
// to the golden's per-position record.
function positionFromProbabilities(probabilities, greedyToken, index, {top, fullVocabMax}) {
    const vocabSize = probabilities.size;
    const dense = new Float64Array(vocabSize);
    let sum = 0;
    for (const [token, p] of probabilities) {
        if (token < 0 || token >= vocabSize)
            throw new Error(`position ${index}: token ${token} outside a vocabulary of ${vocabSize}`);
        dense[token] = p;
        sum += p;
    }
    if (Math.abs(sum - 1) > 1e-3)
        throw new Error(`position ${index}: probabilities sum to ${sum}, not 1`);

    // Sort by probability, ties by id, so the file does not depend on the
    // order of llama.cpp's (unstable) sort.
    const order = Array.from(dense.keys()).sort((a, b) => dense[b] - dense[a] || a - b);
    const argmax = order[0];
    if (greedyToken != null && greedyToken !== argmax && dense[greedyToken] !== dense[argmax])
        throw new Error(`position ${index}: greedy sampler chose ${greedyToken}, argmax is ${argmax}`);

    const record = {
        argmax,
        top: order.slice(0, Math.min(top, vocabSize)).map((t) => [t, compact(dense[t])]),
    };
    if (vocabSize <= fullVocabMax)
        record.probs = Array.from(dense, compact);
    return {record, vocabSize};
}

async function main() {
    const opts = parseOptions(process.argv.slice(2));
    // Room for every token plus slack; llama.cpp rounds context sizes up anyway.
    const contextSize = Math.max(64, Math.ceil((opts.tokens.length + 1) / 64) * 64);
    const ref = await loadReference(opts.modelPath, {
        contextSize,
        threads: opts.threads,
        kvType: opts.kvType,
        flashAttention: opts.flashAttention,
    });
    try {
        // llama.cpp only logs an out-of-vocabulary id and fails the whole
        // batch; name the offending id instead.
        const vocabTokens = ref.model.fileInfo.metadata?.tokenizer?.ggml?.tokens;
        const bad = vocabTokens == null ? undefined : opts.tokens.find((t) => t >= vocabTokens.length);
        if (bad !== undefined)
            throw new Error(`token id ${bad} is outside the model's vocabulary of ${vocabTokens.length}`);

        // Temperature 0 makes node-llama-cpp's sampler chain a lone greedy
        // sampler, which selects without touching the logits, so the returned
        // probabilities are softmax(raw logits). No repeat penalty or token
        // bias is configured.
        const generateNext = {probabilities: true, token: true, options: {temperature: 0}};
        const input = opts.tokens.map((t) => [t, {generateNext}]);
        const results = await ref.sequence.controlledEvaluate(input);

        const positions = [];
        let vocabSize = 0;
        for (let i = 0; i < opts.tokens.length; i++) {
            const next = results[i]?.next;
            if (next?.probabilities == null)
                throw new Error(`position ${i}: llama.cpp returned no probabilities`);
            const out = positionFromProbabilities(next.probabilities, next.token, i, opts);
            if (vocabSize !== 0 && out.vocabSize !== vocabSize)
                throw new Error(`position ${i}: vocabulary size changed from ${vocabSize} to ${out.vocabSize}`);
            vocabSize = out.vocabSize;
            positions.push(out.record);
        }

        const golden = {
            ...ref.info,
            vocab_size: vocabSize,
            tokens: opts.tokens,
            positions,
        };
        const text = formatGolden(golden);
        if (opts.output)
            await writeFile(opts.output, text);
        else
            process.stdout.write(text);
    } finally {
        await ref.dispose();
    }
}

// formatGolden writes one position per line: diffs between regenerated
// goldens stay readable, and the file stays compact.
function formatGolden(golden) {
    const {positions, ...header} = golden;
    const headerText = JSON.stringify(header).slice(0, -1);
    const lines = positions.map((p) => JSON.stringify(p));
    return `${headerText},"positions":[\n${lines.join(",\n")}\n]}\n`;
}

main().catch((err) => {
    process.stderr.write(`logits.mjs: ${err.message}\n`);
    process.exit(1);
});
