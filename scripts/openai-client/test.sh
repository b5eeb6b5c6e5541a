#!/usr/bin/env bash
# Runs the official openai npm client against `wisp serve` on stories260K:
# installs the pinned client, builds wisp, and runs the node:test suite.
# Set WISP_BIN to test an already built binary.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/install.sh"
cd "$here"
exec node --test --test-reporter=spec client.test.mjs
