#!/usr/bin/env bash
# Decoding speed of a model on WebGPU next to the CPU path of the same wasm
# program (webgpu/cmd/kernelcheck -bench): greedy decoding after one warm-up
# token, in Node with Dawn (and, with WISP_WEBGPU_RUNNERS="node chromium",
# in headless Chromium). "webgpu" takes the argmax on the device and reads
# back the token, as the engine does; "webgpu-read-logits" reads the whole
# logits row every token.
#
#   scripts/webgpu/bench.sh [MODEL.gguf] [TOKENS]
#
# The default is stories260K on SwiftShader. On a machine with a real GPU
# and its Vulkan driver, WISP_WEBGPU_ADAPTER=system lets Dawn pick that GPU
# (a high-performance adapter) instead of SwiftShader; the report names the
# adapter. For example, the decode speed of Llama 3.2 1B in Q4_0:
#
#   go run ./host/cmd/wisp synth -shape llama3.2-1b -type Q4_0 -o /tmp/llama3.2-1b-q4_0.gguf
#   WISP_WEBGPU_ADAPTER=system scripts/webgpu/bench.sh /tmp/llama3.2-1b-q4_0.gguf 128
#
# Decoding reads every weight once per token, so the GPU's memory bandwidth
# divided by the weights' bytes bounds tokens/s.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
model="${1:-${WISP_TESTDATA:-$root/../shared/testdata}/models/stories260K.gguf}"
tokens="${2:-32}"

"$here/install.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GOOS=js GOARCH=wasm go build -C "$root" -o "$work/kernelcheck.wasm" ./webgpu/cmd/kernelcheck
if [[ ${WISP_WEBGPU_ADAPTER:-swiftshader} == swiftshader ]]; then
	export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"
name="$(basename "$model")"
for runner in ${WISP_WEBGPU_RUNNERS:-node}; do
	node "$here/$runner-run.mjs" "$work/kernelcheck.wasm" --file "$name=$model" -- -bench "$name" -tokens "$tokens" >"$work/out.log" 2>&1 || true
	node "$here/summary.mjs" "$runner" <"$work/out.log"
done
