// Shared loading code for the llama.cpp reference scripts: one place decides
// how llama.cpp is configured, so every golden is produced the same way.

import {createHash} from "node:crypto";
import {createReadStream} from "node:fs";
import {readFile} from "node:fs/promises";
import {basename} from "node:path";
import {fileURLToPath} from "node:url";

import {getLlama, LlamaLogLevel} from "node-llama-cpp";

// The reference must never fetch or compile llama.cpp: only the prebuilt CPU
// binaries from the pinned npm package are acceptable.
process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD ??= "true";

export async function sha256File(path) {
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(path))
        hash.update(chunk);
    return hash.digest("hex");
}

async function nodeLlamaCppVersion() {
    const pkgPath = fileURLToPath(new URL("./node_modules/node-llama-cpp/package.json", import.meta.url));
    const pkg = JSON.parse(await readFile(pkgPath, "utf8"));
    return pkg.version;
}

// parseTokenList turns "1,2, 3" into [1, 2, 3], rejecting anything that is not
// a non-negative integer so a typo cannot silently become token 0.
export function parseTokenList(text) {
    const tokens = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
    return tokens.map((s) => {
        if (!/^\d+$/.test(s))
            throw new Error(`bad token id ${JSON.stringify(s)} in --tokens`);
        return Number(s);
    });
}

/**
 * Loads a GGUF model on the CPU with settings chosen for parity testing:
 * F32 KV cache (llama.cpp's default is F16, which would blur the comparison
 * with a float32 reference), flash attention off, a fixed thread count.
 */
export async function loadReference(modelPath, {contextSize, threads = 1, kvType = "F32", flashAttention = false} = {}) {
    const logs = [];
    const llama = await getLlama({
        gpu: false,
        build: "never",
        skipDownload: true,
        usePrebuiltBinaries: true,
        progressLogs: false,
        // Debug level, because the line naming the CPU variant is below info.
        logLevel: LlamaLogLevel.debug,
        logger(level, message) {
            logs.push(message.trimEnd());
            if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal)
                process.stderr.write(`llama.cpp: ${message.trimEnd()}\n`);
        },
    });
    const model = await llama.loadModel({modelPath, gpuLayers: 0, useMmap: true});
    const context = await model.createContext({
        contextSize,
        batchSize: contextSize,
        sequences: 1,
        threads,
        flashAttention,
        experimentalKvCacheKeyType: kvType,
        experimentalKvCacheValueType: kvType,
        ignoreMemorySafetyChecks: true,
    });
    const sequence = context.getSequence();

    // ggml loads the best CPU variant for this machine at run time; the log
    // line names the shared library it picked (e.g. libggml-cpu-zen4.so).
    const backendLine = logs.find((l) => l.includes("loaded CPU backend from"));
    const backendMatch = backendLine?.match(/libggml-cpu-([\w-]+)\.so/);
    const cpuBackend = backendMatch ? backendMatch[1] : "unknown";

    const version = await nodeLlamaCppVersion();
    const release = llama.llamaCppRelease.release;
    const info = {
        model: basename(modelPath),
        sha256: await sha256File(modelPath),
        llama_cpp: `node-llama-cpp@${version} (llama.cpp ${release})`,
        settings: {
            cpu_backend: cpuBackend,
            threads,
            kv_cache: kvType,
            flash_attention: flashAttention,
            context_size: context.contextSize,
        },
    };

    async function dispose() {
        await context.dispose();
        await model.dispose();
        await llama.dispose();
    }

    return {llama, model, context, sequence, info, dispose};
}
