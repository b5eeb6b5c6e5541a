// wllama in Node. wllama is written for browsers: its Wllama class starts a
// Web Worker from a blob: URL holding llama.cpp's Emscripten module plus a
// message loop, and the multi-thread build's pthreads are more workers that
// load the same module from a Blob. Node has worker_threads instead, and
// Emscripten's module already knows how to run on them (it checks for
// `process`), so three small shims are enough:
//
//   - globalThis.Worker: resolves the blob: URL back to its code and starts
//     it as an eval'd worker_threads worker, with postMessage/onmessage
//     bridged to the worker's parentPort;
//   - the pthread script: Emscripten (in Node mode) starts each pthread with
//     new worker_threads.Worker(mainScriptUrlOrBlob), which must be a file,
//     so the Blob that wllama sends with 'module.init' is written to a .cjs
//     file and its path sent instead;
//   - document.baseURI and navigator (Node 20 has none), which wllama reads
//     to resolve the wasm paths (to file: URLs, read by Emscripten with fs),
//     to pick a default thread count and to detect mobile Safari.
//
// The wasm files are used from the npm package as published; nothing is
// fetched from the network.

import {mkdtempSync, readFileSync, rmSync, writeFileSync} from "node:fs";
import {availableParallelism, tmpdir} from "node:os";
import {join} from "node:path";
import {fileURLToPath} from "node:url";
import {resolveObjectURL} from "node:buffer";
import {Worker as ThreadWorker} from "node:worker_threads";

const pkgDir = fileURLToPath(new URL("./node_modules/@wllama/wllama/", import.meta.url));

export function wllamaVersion() {
    return JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version;
}

// The worker's side of the Web Worker API, prepended to wllama's worker code.
const workerPrelude = `
const {parentPort: __wispParent} = require("node:worker_threads");
globalThis.postMessage = (data, transfer) => __wispParent.postMessage(data, transfer);
__wispParent.on("message", (data) => globalThis.onmessage?.({data}));
`;

const scratch = mkdtempSync(join(tmpdir(), "wisp-wllama-"));
process.on("exit", () => rmSync(scratch, {recursive: true, force: true}));
let scriptCount = 0;

class NodeWebWorker {
    constructor(url) {
        this.onmessage = null;
        this.onerror = null;
        const blob = resolveObjectURL(String(url));
        if (!blob)
            throw new Error(`wllama-node: cannot resolve worker URL ${url}`);
        // Messages posted before the code is read wait on this chain, in order.
        this.ready = blob.text().then((code) => {
            this.thread = new ThreadWorker(workerPrelude + code, {eval: true});
            this.thread.on("message", (data) => this.onmessage?.({data}));
            this.thread.on("error", (err) => {
                if (this.onerror)
                    this.onerror(err);
                else
                    process.stderr.write(`wllama worker: ${err.stack ?? err}\n`);
            });
        });
    }

    postMessage(data, transfer) {
        this.ready = this.ready.then(async () => {
            if (data?.verb === "module.init" && data.args?.[0] instanceof Blob) {
                const path = join(scratch, `wllama-${++scriptCount}.cjs`);
                writeFileSync(path, await data.args[0].text());
                data = {...data, args: [path, ...data.args.slice(1)]};
            }
            this.thread.postMessage(data, transfer);
        });
    }

    terminate() {
        this.ready = this.ready.then(() => this.thread?.terminate());
    }
}

function installShims() {
    globalThis.Worker = NodeWebWorker;
    globalThis.document ??= {baseURI: "file:///"};
    if (typeof globalThis.navigator === "undefined")
        globalThis.navigator = {hardwareConcurrency: availableParallelism(), userAgent: `Node.js/${process.versions.node}`};
}

/**
 * Loads a GGUF file into wllama. threads > 1 selects the multi-thread
 * build with that many threads; 1 the single-thread build.
 */
export async function loadWllama(modelPath, {threads = 1, contextSize = 512, batchSize = 128, log = false} = {}) {
    installShims();
    // The package's "main" (index.js) is not in the tarball: bundlers use
    // its "module" field, so the ES module is imported by path.
    const {Wllama} = await import(join(pkgDir, "esm/index.js"));
    const quiet = {debug() {}, log() {}, warn() {}, error: console.error};
    const wllama = new Wllama({
        "single-thread/wllama.wasm": join(pkgDir, "esm/single-thread/wllama.wasm"),
        "multi-thread/wllama.wasm": join(pkgDir, "esm/multi-thread/wllama.wasm"),
    }, {suppressNativeLog: !log, logger: log ? console : quiet});
    const data = readFileSync(modelPath);
    await wllama.loadModel([new Blob([data])], {
        n_threads: threads,
        n_ctx: contextSize,
        n_batch: batchSize,
    });
    if (threads > 1 && !wllama.isMultithread())
        throw new Error("wllama-node: the multi-thread build did not start");
    return wllama;
}
