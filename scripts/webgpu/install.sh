#!/usr/bin/env bash
# Installs what the WebGPU tests need: Debian's chromium (for its SwiftShader
# Vulkan driver, used by Dawn in Node too, and for the browser runner) and
# libvulkan1, then the pinned npm packages from package-lock.json ("webgpu":
# Dawn for Node; "playwright-core": drives the system chromium, downloads no
# browser). Idempotent: a stamp of the lock file's hash skips npm ci.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

missing=()
[[ -x /usr/bin/chromium && -f /usr/lib/chromium/vk_swiftshader_icd.json ]] || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || missing+=(libvulkan1)
if ((${#missing[@]})); then
	sudo=()
	[[ $(id -u) -eq 0 ]] || sudo=(sudo)
	"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp="node_modules/.wisp-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
	exit 0
fi
# playwright-core has no install scripts; webgpu's only touches macOS.
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" >"$stamp"
