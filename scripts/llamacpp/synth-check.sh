#!/usr/bin/env bash
# Checks that models made by `wisp synth` load in llama.cpp and in Wisp and
# that both pick the same next token (greedy) after a fixed prompt: one
# Q8_0 model with two layers for each real shape, plus the tiny shape.
#
#   scripts/llamacpp/synth-check.sh                # every shape below
#   scripts/llamacpp/synth-check.sh tiny ...       # only the named shapes
#
# Environment:
#   TESTDATA  the shared test data (default: ../shared/testdata beside the repo)
#   KEEP      a directory to keep the generated models in (default: a
#             temporary directory, removed afterwards)
#   WISP      a wisp binary to use (default: built from this checkout)
#
# Both sides tokenize the prompt; the ids must agree, then llama.cpp's
# greedy token (greedy.mjs) and the text `wisp run --temp 0 -n 1` adds after
# the prompt must be the same piece.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
TESTDATA="${TESTDATA:-$repo/../shared/testdata}"
MODELS="$TESTDATA/models"

SHAPES=(smollm2-135m qwen2.5-0.5b llama3.2-1b tiny)
[[ $# -gt 0 ]] && SHAPES=("$@")
PROMPT="One day, a little girl named Lily went to the park with her dog."

if [[ -n "${KEEP:-}" ]]; then
	dir="$KEEP"
	mkdir -p "$dir"
else
	dir="$(mktemp -d)"
	trap 'rm -rf "$dir"' EXIT
fi

"$here/install.sh"
wisp="${WISP:-}"
if [[ -z "$wisp" ]]; then
	wisp="$dir/wisp"
	(cd "$repo" && go build -o "$wisp" ./host/cmd/wisp)
fi
json_field() { # FIELD: prints one field of the JSON object on stdin
	node -e 'const j = JSON.parse(require("fs").readFileSync(0, "utf8")); const v = j[process.argv[1]]; process.stdout.write(Array.isArray(v) ? v.join(",") : String(v));' "$1"
}

failed=0
for shape in "${SHAPES[@]}"; do
	start=$SECONDS
	model="$dir/$shape-q8_0.gguf"
	case "$shape" in
	tiny | random256) vocab="$MODELS/stories260K.gguf" ;;
	*) vocab="$MODELS/llama-2-tiny-random.gguf" ;;
	esac
	"$wisp" synth --shape "$shape" --type Q8_0 --layers 2 --seed 1 --vocab "$vocab" -o "$model" >/dev/null

	ids_llama="$(node "$here/tokenize.mjs" "$model" "$PROMPT" 2>/dev/null)"
	ids_wisp="$("$wisp" tokenize -m "$model" --bos --special=false "$PROMPT" | tr -d '[] \n')"
	if [[ "$ids_llama" != "$ids_wisp" ]]; then
		echo "synth-check: $shape: prompt ids differ: llama.cpp $ids_llama, wisp $ids_wisp" >&2
		failed=1
		continue
	fi

	greedy="$(node "$here/greedy.mjs" "$model" --tokens "$ids_llama" --n 1)"
	next_llama="$(json_field generated <<<"$greedy")"
	text_llama="$(json_field text <<<"$greedy")"
	out_wisp="$("$wisp" run -m "$model" -p "$PROMPT" -n 1 --temp 0)"
	text_wisp="${out_wisp#"$PROMPT"}"
	if [[ -z "$text_llama" || "$text_llama" != "$text_wisp" ]]; then
		echo "synth-check: $shape: next token: llama.cpp $next_llama ${text_llama@Q}, wisp ${text_wisp@Q}" >&2
		failed=1
		continue
	fi
	echo "synth-check: $shape: llama.cpp and wisp both continue with token $next_llama ${text_llama@Q} ($((SECONDS - start)) s)"
done
exit $failed
