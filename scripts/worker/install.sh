#!/usr/bin/env bash
# Installs the Worker's pinned tools (wrangler, Node 22 for it, the openai
# client for tests) from the lock file; does nothing when they are current.
set -euo pipefail
cd "$(dirname "$0")"
stamp=node_modules/.wisp-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
echo "$want" > "$stamp"
