// Wisp's Worker entry: runs the Go program (app.wasm) once per isolate and
// hands it every request. syumai/workers' stock glue starts the program
// anew for each request, which would reload the model every time.
import "./wasm_exec.js";
import mod from "./app.wasm";

let started;

function start(env, ctx) {
  // The Go side (ours and syumai/workers' cloudflare packages) reads the
  // environment and bindings from globalThis.context.
  globalThis.context = { env, ctx, binding: {} };
  const go = new Go();
  const instance = new WebAssembly.Instance(mod, go.importObject);
  return new Promise((resolve, reject) => {
    globalThis.context.binding.ready = resolve;
    go.run(instance).then(
      () => reject(new Error("wisp: the Go program exited")),
      reject,
    );
  });
}

export default {
  async fetch(request, env, ctx) {
    if (!started) {
      started = start(env, ctx).catch((err) => {
        started = undefined; // the next request starts a fresh program
        throw err;
      });
    }
    await started;
    return globalThis.context.binding.handleRequest(request);
  },
};
