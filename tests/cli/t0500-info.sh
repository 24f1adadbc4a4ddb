#!/bin/sh
# t0500-info.sh: `newsclass info`: the model card as text and JSON; damaged bundles are refused
# with a message naming the file.
. "$(dirname "$0")/lib.sh"

expect 0 train -q --min-df 1 --folds 3 -o "$tmp/m" "$DATA/tiny-train.jsonl"
expect 0 info "$tmp/m"
has "$tmp/out" '^format: +newsclass-model version 1'
has "$tmp/out" 'diplomacy'
has "$tmp/out" '^tone: +svr'
expect 0 info --json "$tmp/m"
has "$tmp/out" '"files"'
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"; then ok; else fail "info --json is not JSON"; fi
fi
expect_error 1 "cannot open model" info "$tmp/none"
expect_error 2 "too many arguments" info "$tmp/m" "$tmp/m"
cp -r "$tmp/m" "$tmp/v"
sed 's/"format_version":[[:space:]]*1/"format_version": 3/' "$tmp/m/model.json" >"$tmp/v/model.json"
expect_error 1 "format version 3 is newer than this newsclass (1)" info "$tmp/v"
cp -r "$tmp/m" "$tmp/c"
printf 'x' >>"$tmp/c/vocab.tsv"
expect_error 1 "vocab.tsv: checksum mismatch" info "$tmp/c"
# vocab.idx: damaged or truncated, refused by name; removed, the model loads from vocab.tsv
cp -r "$tmp/m" "$tmp/i"
printf 'x' >>"$tmp/i/vocab.idx"
expect_error 1 "vocab.idx: checksum mismatch" info "$tmp/i"
head -c 1000 "$tmp/m/vocab.idx" >"$tmp/i/vocab.idx"
expect_error 1 "vocab.idx: checksum mismatch" info "$tmp/i"
rm "$tmp/i/vocab.idx"
expect 0 info "$tmp/i"
has "$tmp/out" 'diplomacy'
expect 0 classify -m "$tmp/i" -f json --explain=3 "$DATA/multi-topic-article.txt"
cp "$tmp/out" "$tmp/from-tsv"
expect 0 classify -m "$tmp/m" -f json --explain=3 "$DATA/multi-topic-article.txt"
if cmp -s "$tmp/out" "$tmp/from-tsv"; then ok; else fail "classify differs between vocab.idx and vocab.tsv"; fi
cp -r "$tmp/m" "$tmp/j"
echo '{"format": ' >"$tmp/j/model.json"
expect_error 1 "model.json:.*malformed JSON" info "$tmp/j"
finish
