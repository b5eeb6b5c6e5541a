#!/usr/bin/env bash
# Runs the official openai npm client against `wisp serve` on stories260K:
# installs the pinned client, builds wisp, and runs the node:test suite.
# Runs with the native engine, and again with the engine inside wazero
# when build/wasip1/runtime.wasm exists (scripts/build-wasm makes it).
# Set WISP_BIN to test an already built binary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
"$here/install.sh"
if [[ -z "${WISP_BIN:-}" ]]; then
	tmp="$(mktemp -d)"
	trap 'rm -rf "$tmp"' EXIT
	(cd "$root" && go build -o "$tmp/wisp" ./host/cmd/wisp)
	export WISP_BIN="$tmp/wisp"
fi
cd "$here"
WISP_ENGINE=native node --test --test-reporter=spec client.test.mjs
if [[ -f "$root/build/wasip1/runtime.wasm" ]]; then
	WISP_ENGINE=wasm node --test --test-reporter=spec client.test.mjs
else
	echo "openai-client: no build/wasip1/runtime.wasm, the wasm engine was not tested" >&2
fi
