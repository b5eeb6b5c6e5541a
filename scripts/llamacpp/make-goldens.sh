#!/usr/bin/env bash
# Regenerates the llama.cpp logit goldens in wasm/model/testdata/llamacpp/.
#
#   scripts/llamacpp/make-goldens.sh            # every entry in GOLDENS below
#   scripts/llamacpp/make-goldens.sh NAME...    # only the named entries
#
# Environment:
#   TESTDATA  the shared test data (default: ../shared/testdata beside the repo)
#   GEN       where the models made by Wisp's own writer are built (default: a
#             temporary directory, removed afterwards)
#   OUT       where goldens are written (default: wasm/model/testdata/llamacpp)
#   WISP      a wisp binary to build the generated models with (default: built
#             from this checkout)
#
# Each golden is made by logits.mjs from a fixed token sequence, so the Go
# tests that read them need no tokenizer. See the README in $OUT for the format.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
TESTDATA="${TESTDATA:-$repo/../shared/testdata}"
MODELS="$TESTDATA/models"
if [[ -z "${GEN:-}" ]]; then
	GEN="$(mktemp -d)"
	trap 'rm -rf "$GEN"' EXIT
fi
OUT="${OUT:-$repo/wasm/model/testdata/llamacpp}"

# Fixed token sequences: BOS then the ids node-llama-cpp's tokenizer gives for
# a sentence (found with tokenize.mjs; the sentences are in the README).
# tinyllamas' 512-token SentencePiece vocabulary (stories260K and its
# conversions): "One day, a little boy named Tim went to the park with his mom. He was happy."
STORIES_TOKENS=1,385,328,432,261,376,268,414,422,395,326,263,377,267,265,282,295,433,335,345,357,426,346,286,393,426
# Llama 2's 32000-token SentencePiece vocabulary:
# "The quick brown fox jumps over the lazy dog, then runs home to sleep under the old oak tree."
LLAMA2_TOKENS=1,450,4996,17354,1701,29916,432,17204,975,278,17366,11203,29892,769,6057,3271,304,8709,1090,278,2030,288,557,5447,29889

# One entry per golden: "NAME MODEL_PATH TOKENS"; the golden is $OUT/NAME.json.
GOLDENS=(
	"stories260K         $MODELS/stories260K.gguf         $STORIES_TOKENS"
	"llama-2-tiny-random $MODELS/llama-2-tiny-random.gguf $LLAMA2_TOKENS"
	# Models made by Wisp's own GGUF writer (host/convert), built into $GEN by
	# build_model below; wasm/model/parity_converted_test.go rebuilds them
	# the same way and checks their sha256 against the golden's.
	"stories260K-f16     $GEN/stories260K-f16.gguf        $STORIES_TOKENS"
	"stories260K-q8_0    $GEN/stories260K-q8_0.gguf       $STORIES_TOKENS"
	"stories260K-q4_0    $GEN/stories260K-q4_0.gguf       $STORIES_TOKENS"
	"random256-q4_k      $GEN/random256-q4_k.gguf         $STORIES_TOKENS"
	"random256-q5_k      $GEN/random256-q5_k.gguf         $STORIES_TOKENS"
	"random256-q6_k      $GEN/random256-q6_k.gguf         $STORIES_TOKENS"
)

# build_model NAME makes $GEN/NAME.gguf for the generated entries:
# stories260K-TYPE is `wisp quantize` of stories260K, random256-TYPE is
# `wisp synth --shape random256 --seed 1` (stories260K's vocabulary).
wisp="${WISP:-}"
build_model() {
	local name="$1" type
	case "$name" in
	stories260K-* | random256-*) type="$(tr '[:lower:]' '[:upper:]' <<<"${name#*-}")" ;;
	*) return 0 ;;
	esac
	if [[ -z "$wisp" ]]; then
		wisp="$GEN/wisp"
		(cd "$repo" && go build -o "$wisp" ./host/cmd/wisp)
	fi
	case "$name" in
	stories260K-*) "$wisp" quantize "$MODELS/stories260K.gguf" "$GEN/$name.gguf" --type "$type" >/dev/null ;;
	random256-*) "$wisp" synth --shape random256 --type "$type" --seed 1 --vocab "$MODELS/stories260K.gguf" -o "$GEN/$name.gguf" >/dev/null ;;
	esac
}

"$here/install.sh"
mkdir -p "$OUT"

wanted=("$@")
is_wanted() {
	[[ ${#wanted[@]} -eq 0 ]] && return 0
	local w
	for w in "${wanted[@]}"; do
		[[ "$w" == "$1" ]] && return 0
	done
	return 1
}

made=0
for entry in "${GOLDENS[@]}"; do
	read -r name model tokens <<<"$entry"
	is_wanted "$name" || continue
	mkdir -p "$GEN"
	build_model "$name"
	if [[ ! -f "$model" ]]; then
		echo "make-goldens: $name: model $model not found" >&2
		exit 1
	fi
	node "$here/logits.mjs" "$model" --tokens "$tokens" --top 32 -o "$OUT/$name.json"
	echo "make-goldens: wrote $OUT/$name.json"
	made=$((made + 1))
done

if [[ $made -eq 0 ]]; then
	echo "make-goldens: no entry matched: ${wanted[*]}" >&2
	exit 1
fi
