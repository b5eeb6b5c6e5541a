#!/usr/bin/env bash
# Installs the pinned node-llama-cpp (llama.cpp's prebuilt CPU binaries for
# linux-x64 ship inside the npm package) from package-lock.json.
# Idempotent: a stamp holding the lock file's hash skips the install when
# node_modules already matches it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

# Never let node-llama-cpp download or compile llama.cpp: everything it needs
# is in @node-llama-cpp/linux-x64, and CI has no network beyond the registry.
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true

stamp="node_modules/.wisp-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
	exit 0
fi

# --omit=optional drops the CUDA/Vulkan/other-platform binary packages
# (~650 MB) that node-llama-cpp lists as optional; the CPU one is a direct
# dependency in package.json. --ignore-scripts skips node-llama-cpp's
# postinstall, which would only check for (or fetch) binaries.
npm ci --omit=optional --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" >"$stamp"
