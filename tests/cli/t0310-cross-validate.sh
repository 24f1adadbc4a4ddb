#!/bin/sh
# t0310-cross-validate.sh: `newsclass cross-validate` on the tiny fixtures: usage errors, the
# report and its JSON form, reproducibility with --seed, and that nothing is written to disk.
# Arguments: $1 newsclass binary, $2 tests/data, $3 source dir.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# ---- usage ----
run 0 cross-validate --help
contains "$tmp/out" "usage: newsclass cross-validate" "--solver" "--min-df"
run_error 2 cross-validate
contains "$tmp/err" "no corpus given"
run_error 2 cross-validate -k 1 "$DATA/tiny-train.jsonl"
run_error 2 cross-validate -k five "$DATA/tiny-train.jsonl"
run_error 2 cross-validate --solver nonsense "$DATA/tiny-train.jsonl"
run 2 cross-validate --no-such-option "$DATA/tiny-train.jsonl"
[ -s "$tmp/out" ] && fail "unknown option: stdout not empty"
run_error 1 cross-validate "$tmp/missing.jsonl"
run_error 1 cross-validate -k 20 --label-from-dir "$DATA/tiny-bbc"
contains "$tmp/err" "too few"

# ---- a run; in an empty working directory, which must stay empty ----
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && "$NC" cross-validate -k 3 --seed 7 "$DATA/tiny-train.jsonl" \
    >"$tmp/out" 2>"$tmp/err")
rc=$?
[ "$rc" -eq 0 ] || fail "cross-validate exited $rc"
contains "$tmp/out" "3-fold cross-validation of 90 articles" "multi-label" "seed 7" \
    "micro_f1" "macro_f1" "exact_match" "macro_auc" "ece" "brier" "tone_pearson" \
    "tone_mae" "cybersecurity" "diplomacy" "sport"
contains "$tmp/err" "fold 1/3" "fold 3/3"
[ -z "$(ls -A "$tmp/cwd")" ] || fail "cross-validate wrote files"
cp "$tmp/out" "$tmp/first.txt"

run 0 cross-validate -q -k 3 --seed 7 "$DATA/tiny-train.jsonl"
cmp -s "$tmp/out" "$tmp/first.txt" || fail "the same seed gave a different report"
[ -s "$tmp/err" ] && fail "-q: stderr not empty"

# training options are accepted and change the result
run 0 cross-validate -q -k 3 --seed 7 -C 0.5 --ngrams 1 --no-calibration "$DATA/tiny-train.jsonl"
cmp -s "$tmp/out" "$tmp/first.txt" && fail "-C/--ngrams made no difference"

run 0 cross-validate -q --json -k 3 --seed 7 "$DATA/tiny-train.jsonl"
contains "$tmp/out" '"folds":	3' '"mode":	"multi-label"' '"micro_f1":' '"mean":' '"sd":' \
    '"labels":' '"sport":'
if command -v python3 >/dev/null 2>&1; then
    python3 -m json.tool "$tmp/out" >/dev/null 2>&1 || fail "--json output is not valid JSON"
fi

# multi-class from folder names
run 0 cross-validate -q -k 3 --min-df 1 --label-from-dir "$DATA/tiny-bbc"
contains "$tmp/out" "3-fold cross-validation of 15 articles" "multi-class" "accuracy" \
    "business" "sport" "tech"

finish
