#!/usr/bin/env bash
# Regenerates stories260K-chatml.expected.txt: llama2.c's run.c (the
# reference outside the project), greedy, on the ChatML prompt that
# `wisp serve` renders for one user message "Tell me a story." to
# stories260K (which has no chat template of its own). run.c prints the
# prompt first and a newline last; both are cut off here.
#
#   host/server/testdata/make-golden.sh /path/to/llama2.c
#
# Produced with llama2.c commit 350e04f (run.c), gcc -O2. run.c runs 256
# positions, so it generates 256 - 50 + 1 = 207 tokens after the 50-token
# prompt (BOS included); the tests ask for max_tokens 207.
set -euo pipefail
l2c="${1:?usage: make-golden.sh LLAMA2C_DIR}"
here="$(cd "$(dirname "$0")" && pwd)"
models="$here/../../../../shared/testdata/models"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -o "$tmp/run" "$l2c/run.c" -lm
prompt=$'<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\n'
"$tmp/run" "$models/stories260K.bin" -z "$models/tok512.bin" -t 0 -n 256 -i "$prompt" 2>/dev/null >"$tmp/out"
python3 - "$tmp/out" "$prompt" >"$here/stories260K-chatml.expected.txt" <<'PY'
import sys
out, prompt = open(sys.argv[1]).read(), sys.argv[2]
assert out.startswith(prompt), "run.c did not echo the prompt"
sys.stdout.write(out[len(prompt):].removesuffix("\n"))
PY
