// The JS side of runtime.wasm (GOOS=js): picks the SIMD128 or the plain
// artifact, starts it with Go's wasm_exec.js, and turns the Error objects
// that the Go side returns into thrown WispErrors. wasm/ABI.md describes
// the API this wraps.

// A module whose one function uses a v128: it validates only on engines
// with SIMD128 (assembled from (func (result v128) (i8x16.splat (i32.const 0)))).
const simdProbe = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);

/** Whether this engine runs SIMD128, and so runtime.wasm rather than runtime-nosimd.wasm. */
export function simdSupported() {
  return WebAssembly.validate(simdProbe);
}

/** The artifact this engine should load. */
export function artifactName() {
  return simdSupported() ? 'runtime.wasm' : 'runtime-nosimd.wasm';
}

export class WispError extends Error {
  constructor(e) {
    super(e.message);
    this.name = 'WispError';
    this.code = e.code; // abi.Code
    this.codeName = e.codeName; // its stable name, e.g. "too_large"
  }
}

const methods = ['loadBegin', 'loadChunk', 'loadEnd', 'load', 'info', 'tokenize', 'detokenize', 'newSession', 'generate', 'free'];

/**
 * Starts runtime.wasm. `wasm` is its bytes, a compiled WebAssembly.Module,
 * or a Response (streamed compilation). Go's wasm_exec.js must have been
 * loaded (it defines globalThis.Go). Resolves to the runtime's API.
 */
export async function startRuntime(wasm) {
  if (typeof globalThis.Go !== 'function') {
    throw new Error("load Go's wasm_exec.js (shipped beside runtime.wasm) before starting the runtime");
  }
  const go = new globalThis.Go();
  let instance;
  if (wasm instanceof WebAssembly.Module) {
    instance = await WebAssembly.instantiate(wasm, go.importObject);
  } else if (typeof Response !== 'undefined' && wasm instanceof Response) {
    ({ instance } = await WebAssembly.instantiateStreaming(wasm, go.importObject));
  } else {
    ({ instance } = await WebAssembly.instantiate(wasm, go.importObject));
  }
  const ready = new Promise((resolve) => { globalThis.__wispReady = resolve; });
  const exited = go.run(instance).then(() => { throw new Error('runtime.wasm exited'); });
  await Promise.race([ready, exited]);
  delete globalThis.__wispReady;
  return wrap(globalThis.wisp);
}

function wrap(raw) {
  const api = { abiVersion: raw.abiVersion, simd: raw.simd, backends: raw.backends ?? ['wasm'] };
  const check = (v) => {
    if (v instanceof Error && v.name === 'WispError') throw new WispError(v);
    return v;
  };
  for (const name of methods) {
    const f = raw[name];
    // Calls on a WebGPU model run in a goroutine and return a Promise.
    api[name] = (...args) => {
      const v = check(f(...args));
      return v instanceof Promise ? v.then(check) : v;
    };
  }
  /** Loads a model from a Blob or File in chunks, so models past the 2 GiB ArrayBuffer limit load too. */
  api.loadBlob = async (blob, options, chunkBytes = 64 << 20) => {
    const h = api.loadBegin(blob.size);
    try {
      for (let off = 0; off < blob.size; off += chunkBytes) {
        const chunk = new Uint8Array(await blob.slice(off, off + chunkBytes).arrayBuffer());
        api.loadChunk(h, off, chunk);
      }
    } catch (e) {
      try { api.free(h); } catch { /* already released */ }
      throw e;
    }
    return api.loadEnd(h, options);
  };
  return api;
}
