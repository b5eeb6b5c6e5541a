#!/usr/bin/env node
// Usage: node tokenize.mjs MODEL.gguf "some text"
//
// Prints llama.cpp's token ids for the text, with BOS first when the model
// asks for it, comma-separated as logits.mjs --tokens takes them. Used once
// to pick the fixed token sequences hardcoded in make-goldens.sh, and to show
// each id's piece (on stderr) so a sequence can be checked by eye.

import {getLlama, LlamaLogLevel} from "node-llama-cpp";

process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD ??= "true";

async function main() {
    const [modelPath, text] = process.argv.slice(2);
    if (modelPath == null || text == null)
        throw new Error('usage: node tokenize.mjs MODEL.gguf "text"');
    const llama = await getLlama({gpu: false, build: "never", skipDownload: true, logLevel: LlamaLogLevel.error});
    const model = await llama.loadModel({modelPath, gpuLayers: 0, vocabOnly: true});
    try {
        const tokens = model.tokenize(text);
        if (model.tokens.shouldPrependBosToken && model.tokens.bos != null)
            tokens.unshift(model.tokens.bos);
        process.stderr.write(tokens.map((t) => `${t}\t${JSON.stringify(model.detokenize([t], true))}`).join("\n") + "\n");
        process.stdout.write(tokens.join(",") + "\n");
    } finally {
        await model.dispose();
        await llama.dispose();
    }
}

main().catch((err) => {
    process.stderr.write(`tokenize.mjs: ${err.message}\n`);
    process.exit(1);
});
