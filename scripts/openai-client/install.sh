#!/usr/bin/env bash
# Installs the pinned openai npm client from package-lock.json.
# Idempotent: a stamp holding the lock file's hash skips the install when
# node_modules already matches it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
stamp="node_modules/.wisp-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
	exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
echo "$want" >"$stamp"
