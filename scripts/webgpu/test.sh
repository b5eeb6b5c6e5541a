#!/usr/bin/env bash
# Checks Wisp's WebGPU backend on software GPUs: webgpu/cmd/kernelcheck
# (every WGSL kernel against the reference on random inputs, every
# pipeline's compilation messages, stories260K's golden text, prefill and
# decode logits of stories260K and llama-2-tiny-random) in Node with Dawn and
# in headless Chromium, both on SwiftShader. Fails on any mismatch or shader
# compilation error. Set WISP_WEBGPU_RUNNERS="node" or "chromium" for one.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
models="${WISP_TESTDATA:-$root/../shared/testdata}/models"

"$here/install.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
GOOS=js GOARCH=wasm go build -C "$root" -o "$work/kernelcheck.wasm" ./webgpu/cmd/kernelcheck

files=()
for f in stories260K.gguf stories260K.expected.txt llama-2-tiny-random.gguf; do
	files+=(--file "$f=$models/$f")
done

# Dawn's Vulkan backend on SwiftShader (the ICD ships with Debian's chromium).
export VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
# Chromium complains on every start without it.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$work}"

status=0
for runner in ${WISP_WEBGPU_RUNNERS:-node chromium}; do
	start=$SECONDS
	log="$work/$runner.log"
	if node "$here/$runner-run.mjs" "$work/kernelcheck.wasm" "${files[@]}" >"$log" 2>&1; then
		result=passed
	else
		result=FAILED
		status=1
	fi
	node "$here/summary.mjs" "$runner" <"$log" || status=1
	echo "webgpu $runner: $result in $((SECONDS - start))s"
	if [[ $result == FAILED ]]; then
		grep -v '^WISP_RESULT ' "$log" | tail -20 || true
	fi
done
exit $status
