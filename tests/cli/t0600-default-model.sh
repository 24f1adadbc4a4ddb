#!/bin/sh
# t0600-default-model.sh: the committed models/default is exactly what
# tools/train-default-model builds from the committed training-data/ (byte for byte), it
# loads, and the corpus passes tools/check-corpus.
. "$(dirname "$0")/lib.sh"

if [ -x /usr/bin/python3 ]; then
    if /usr/bin/python3 "$SRC/tools/check-corpus" --quiet; then ok; else fail "tools/check-corpus failed"; fi
fi
sh "$SRC/tools/train-default-model" "$NC" "$tmp/default" 2>"$tmp/err" || fail "train-default-model failed"
for f in model.json vocab.tsv vocab.idx weights.bin lexicon.tsv; do
    if cmp -s "$SRC/models/default/$f" "$tmp/default/$f"; then ok; else
        fail "models/default/$f differs from a fresh build (rerun tools/train-default-model)"
    fi
done
expect 0 info "$SRC/models/default"
has "$tmp/out" 'multi-label'
finish
