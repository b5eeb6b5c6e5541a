#!/usr/bin/env node
// The body of scripts/bench (which installs what this needs and builds
// wisp first). For each model: memory bandwidth and the decode limit it
// implies, then prefill and decode speed of every runtime at every thread
// count, each runtime loaded once and the runtimes taking turns run by run
// (the order rotating each round), so that a machine whose speed drifts
// penalises none of them in particular.
//
// Usage: node bench.mjs --wisp PATH [--threads 1,2] [--reps 3] [--prompt 128]
//                       [--gen 64] [--runtimes a,b,...] [--json] MODEL.gguf...

import {spawn, execFileSync} from "node:child_process";
import {existsSync} from "node:fs";
import {basename, join} from "node:path";
import {createInterface} from "node:readline";
import {fileURLToPath} from "node:url";
import {parseArgs} from "node:util";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = join(here, "../..");
const allRuntimes = ["wisp-native", "wisp-wazero", "wisp-wazero-host", "wisp-wasm-node", "llama.cpp", "wllama", "wllama-mt"];

// A runtime process speaking the line protocol: it prints {"ready":true}
// once loaded, then one JSON result per "run" line.
class Runner {
    constructor(name, {cmd, args, env}) {
        this.name = name;
        this.stderr = "";
        this.proc = spawn(cmd, args, {stdio: ["pipe", "pipe", "pipe"], env: {...process.env, ...env}});
        this.proc.stderr.on("data", (d) => { this.stderr = (this.stderr + d).slice(-4000); });
        this.lines = createInterface({input: this.proc.stdout})[Symbol.asyncIterator]();
        this.exited = new Promise((resolve) => this.proc.on("exit", (code) => resolve(code)));
    }

    async next() {
        const line = await Promise.race([
            this.lines.next(),
            this.exited.then((code) => ({done: true, code})),
        ]);
        if (line.done)
            throw new Error(`${this.name} exited (${line.code ?? "?"}): ${this.stderr.trim().split("\n").slice(-3).join(" | ")}`);
        try {
            return JSON.parse(line.value);
        } catch {
            return this.next(); // a stray log line
        }
    }

    async run() {
        this.proc.stdin.write("run\n");
        const r = await this.next();
        if (!(r.prefill_tps > 0 && r.decode_tps > 0))
            throw new Error(`${this.name}: bad result ${JSON.stringify(r)}`);
        return r;
    }

    async close() {
        this.proc.stdin.end("quit\n");
        const timer = setTimeout(() => this.proc.kill(), 10000);
        await this.exited;
        clearTimeout(timer);
    }
}

function median(xs) {
    const s = [...xs].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function wispJSON(wisp, args) {
    return JSON.parse(execFileSync(wisp, args, {encoding: "utf8", maxBuffer: 1 << 20}));
}

// runnerFor says how to start a runtime at a thread count, or why it is
// skipped. WebAssembly without threads (Go's js and wasip1 ports) runs at
// 1 thread only; wllama's single-thread build at 1, its pthread build at 2+.
function runnerFor(name, {wisp, model, threads, prompt, gen, vocab}) {
    const common = ["--threads", String(threads), "--prompt", String(prompt), "--gen", String(gen), "--vocab", String(vocab)];
    // V8 compiles wasm first with its baseline compiler and swaps in
    // optimised code function by function later; --no-liftoff measures the
    // optimised code from the start, as a page reaches after its first
    // seconds, instead of a mix that depends on how busy the machine is.
    const node = (runtime, flags = []) => ({cmd: process.execPath, args: [...flags, join(here, "runner.mjs"), runtime, model, ...common]});
    switch (name) {
    case "wisp-native":
        return {cmd: wisp, args: ["bench", "-m", model, "-t", String(threads), "-p", String(prompt), "-n", String(gen), "--stdin"]};
    case "wisp-wazero": {
        if (threads !== 1)
            return {skip: "wasm runs one thread"};
        const wasm = process.env.WISP_RUNTIME_WASM ?? join(repoRoot, "build/wasip1/runtime.wasm");
        if (!existsSync(wasm))
            return {skip: `no ${wasm} (scripts/build-wasm makes it)`};
        return {cmd: wisp, args: ["bench", "--engine", "wasm", "-m", model, "-t", "1", "-p", String(prompt), "-n", String(gen), "--stdin"], env: {WISP_RUNTIME_WASM: wasm}};
    }
    case "wisp-wazero-host": {
        // The guest runs one thread; its matrix products run on the host's
        // native kernels on every thread asked for.
        const wasm = process.env.WISP_RUNTIME_HOST_WASM ?? join(repoRoot, "build/wasip1/runtime-host.wasm");
        if (!existsSync(wasm))
            return {skip: `no ${wasm} (scripts/build-wasm makes it)`};
        return {cmd: wisp, args: ["bench", "--engine", "wasm", "--host-kernels", "-m", model, "-t", String(threads), "-p", String(prompt), "-n", String(gen), "--stdin"], env: {WISP_RUNTIME_HOST_WASM: wasm}};
    }
    case "wisp-wasm-node": {
        if (threads !== 1)
            return {skip: "wasm runs one thread"};
        const dir = process.env.WISP_JS_BUILD ?? join(repoRoot, "build/js");
        if (!existsSync(join(dir, "runtime.wasm")) || !existsSync(join(dir, "wasm_exec.js")))
            return {skip: `no ${dir}/runtime.wasm and wasm_exec.js (scripts/build-wasm makes them)`};
        return node(name, ["--no-liftoff"]);
    }
    case "llama.cpp":
        return node(name);
    case "wllama":
        return threads === 1 ? node(name, ["--no-liftoff"]) : {skip: "single-thread build"};
    case "wllama-mt":
        return threads >= 2 ? node(name, ["--no-liftoff"]) : {skip: "with 1 thread wllama uses its single-thread build"};
    }
    return {skip: "unknown runtime"};
}

async function benchModel(model, opts, emit, note) {
    const info = wispJSON(opts.wisp, ["info", "-m", model, "--json"]);
    // Bandwidth is measured before and after the runtimes and the better
    // kept: on a shared machine one reading can land in a busy moment.
    const bandwidth = () => wispJSON(opts.wisp, ["bench", "--bandwidth", "-m", model, "-t", String(Math.max(...opts.threads)), "--json"]);
    const before = bandwidth();
    const rows = [];
    for (const threads of opts.threads) {
        const started = [];
        for (const name of opts.runtimes) {
            const how = runnerFor(name, {...opts, model, threads, vocab: info.vocab_size});
            if (how.skip) {
                if (!/one thread|single-thread/.test(how.skip))
                    note(`${basename(model)} t=${threads}: ${name} skipped: ${how.skip}`);
                continue;
            }
            started.push(new Runner(name, how));
        }
        // Load all, then warm each up once; a runtime that fails is dropped
        // with a note instead of ending the whole run.
        const live = [];
        await Promise.all(started.map(async (r) => {
            try {
                await r.next();
                live.push(r);
            } catch (err) {
                note(`${basename(model)} t=${threads}: ${err.message}`);
            }
        }));
        live.sort((a, b) => opts.runtimes.indexOf(a.name) - opts.runtimes.indexOf(b.name));
        const results = new Map(live.map((r) => [r.name, []]));
        const active = [...live];
        const drop = (r, err) => {
            note(`${basename(model)} t=${threads}: ${err.message}`);
            active.splice(active.indexOf(r), 1);
            results.delete(r.name);
        };
        for (const r of [...active]) {
            note(`${basename(model)} t=${threads}: warming up ${r.name}`);
            await r.run().catch((err) => drop(r, err));
        }
        for (let rep = 0; rep < opts.reps; rep++) {
            const order = active.map((_, i) => active[(i + rep) % active.length]);
            for (const r of order) {
                if (!active.includes(r))
                    continue;
                try {
                    const res = await r.run();
                    results.get(r.name).push(res);
                    note(`${basename(model)} t=${threads} run ${rep + 1}/${opts.reps}: ${r.name} prefill ${res.prefill_tps.toFixed(2)} decode ${res.decode_tps.toFixed(2)} tok/s`);
                } catch (err) {
                    drop(r, err);
                }
            }
        }
        await Promise.all(started.map((r) => r.close()));
        for (const [name, runs] of results) {
            const row = {
                runtime: name, model: basename(model), threads,
                prefill_tps: median(runs.map((x) => x.prefill_tps)),
                decode_tps: median(runs.map((x) => x.decode_tps)),
            };
            rows.push(row);
            emit(row);
        }
    }
    const after = bandwidth();
    const bw = after.gbps > before.gbps ? after : before;
    note(`${basename(model)}: bandwidth ${before.gbps.toFixed(2)} GB/s before, ${after.gbps.toFixed(2)} GB/s after`);
    emit({runtime: "bandwidth", model: basename(model), gbps: bw.gbps, threads: bw.threads, bytes_per_token: bw.bytes_per_token, decode_limit_tps: bw.decode_limit_tps});
    return {model: basename(model), bandwidth: bw, rows};
}

function table({model, bandwidth, rows}, opts) {
    const out = [];
    const mib = (bandwidth.bytes_per_token / (1 << 20)).toFixed(1);
    out.push(`${model}: ${mib} MiB of weights per token; memory bandwidth ${bandwidth.gbps.toFixed(2)} GB/s (threads: ${bandwidth.threads}) → decode limit ${bandwidth.decode_limit_tps.toFixed(1)} tok/s`);
    out.push(`pp${opts.prompt} prefill and tg${opts.gen} decode, tokens/s, median of ${opts.reps} runs after a warm-up; × = ratio`);
    const head = ["runtime", "threads", "prefill", "×llama.cpp", "decode", "×llama.cpp", "×limit"];
    const lines = [head];
    for (const r of rows) {
        const ref = rows.find((x) => x.runtime === "llama.cpp" && x.threads === r.threads);
        const ratio = (a, b) => (b ? (a / b).toFixed(2) : "–");
        lines.push([r.runtime, String(r.threads), r.prefill_tps.toFixed(2), ratio(r.prefill_tps, ref?.prefill_tps),
            r.decode_tps.toFixed(2), ratio(r.decode_tps, ref?.decode_tps), ratio(r.decode_tps, bandwidth.decode_limit_tps)]);
    }
    const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
    for (const l of lines)
        out.push(l.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
    return out.join("\n");
}

async function main() {
    const {values, positionals} = parseArgs({
        args: process.argv.slice(2),
        allowPositionals: true,
        options: {
            wisp: {type: "string"},
            threads: {type: "string", default: "1,2"},
            reps: {type: "string", default: "3"},
            prompt: {type: "string", default: "128"},
            gen: {type: "string", default: "64"},
            runtimes: {type: "string", default: allRuntimes.join(",")},
            json: {type: "boolean", default: false},
        },
    });
    const opts = {
        wisp: values.wisp,
        threads: values.threads.split(",").map(Number),
        reps: Number(values.reps),
        prompt: Number(values.prompt),
        gen: Number(values.gen),
        runtimes: values.runtimes.split(",").map((s) => s.trim()),
    };
    const bad = opts.runtimes.filter((r) => !allRuntimes.includes(r));
    if (!opts.wisp || positionals.length === 0 || bad.length > 0 ||
        ![...opts.threads, opts.reps, opts.prompt, opts.gen].every((v) => Number.isInteger(v) && v >= 1))
        throw new Error(`usage: node bench.mjs --wisp PATH [--threads 1,2] [--reps 3] [--prompt 128] [--gen 64] [--runtimes ${allRuntimes.join(",")}] [--json] MODEL.gguf...` +
            (bad.length ? ` (unknown runtime ${bad.join(", ")})` : ""));
    // Progress goes to stderr; stdout carries only the table or the JSON.
    const note = (s) => process.stderr.write(`bench: ${s}\n`);
    const emit = values.json ? (o) => process.stdout.write(JSON.stringify(o) + "\n") : () => {};
    const tables = [];
    for (const model of positionals)
        tables.push(await benchModel(model, opts, emit, note));
    if (!values.json)
        process.stdout.write(tables.map((t) => table(t, opts)).join("\n\n") + "\n");
}

main().catch((err) => {
    process.stderr.write(`bench: ${err.stack ?? err}\n`);
    process.exit(1);
});
