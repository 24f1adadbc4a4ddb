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

# the C each fold chose, per topic, ends the report: one value of the grid per fold
has "$tmp/first.txt" "^C chosen by each fold's cross-validation \(folds 1-3\):$"
for t in cybersecurity diplomacy sport; do
    has "$tmp/first.txt" "^$t +(2|8|32|128|512) (2|8|32|128|512) (2|8|32|128|512)$"
done
run 0 cross-validate -q -k 3 --seed 7 --C-grid 0.25,4 "$DATA/tiny-train.jsonl"
has "$tmp/out" '^sport +(0\.25|4) (0\.25|4) (0\.25|4)$'

# training options are accepted and change the result
run 0 cross-validate -q -k 3 --seed 7 -C 0.5 --ngrams 1 --no-calibration "$DATA/tiny-train.jsonl"
cmp -s "$tmp/out" "$tmp/first.txt" && fail "-C/--ngrams made no difference"
if grep -q '^C chosen' "$tmp/out"; then fail "-C: the report lists chosen C"; else ok; fi

run 0 cross-validate -q --json -k 3 --seed 7 "$DATA/tiny-train.jsonl"
contains "$tmp/out" '"folds":	3' '"mode":	"multi-label"' '"micro_f1":' '"mean":' '"sd":' \
    '"labels":' '"sport":'
if command -v python3 >/dev/null 2>&1; then
    python3 -m json.tool "$tmp/out" >/dev/null 2>&1 || fail "--json output is not valid JSON"
    if python3 - "$tmp/out" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["C_chosen"]
assert sorted(c) == ["cybersecurity", "diplomacy", "sport"], c
assert all(len(v) == 3 and all(x in (2, 8, 32, 128, 512) for x in v) for v in c.values()), c
EOF
    then ok; else fail "--json: C_chosen"; fi
fi

# tone alone (no article carries topics): no table of topics and no C chosen
sed 's/, *"topics": *\[[^]]*\]//' "$DATA/tiny-train.jsonl" >"$tmp/tone-only.jsonl"
if grep -q '"topics"' "$tmp/tone-only.jsonl"; then fail "tone-only fixture still has topics"; else ok; fi
run 0 cross-validate -q -k 3 --min-df 1 "$tmp/tone-only.jsonl"
contains "$tmp/out" "tone_pearson"
if grep -q -e '^topic ' -e '^C chosen' "$tmp/out"; then fail "tone only: a topic table"; else ok; fi

# multi-class from folder names (the SVM's grid)
run 0 cross-validate -q -k 3 --min-df 1 --label-from-dir "$DATA/tiny-bbc"
contains "$tmp/out" "3-fold cross-validation of 15 articles" "multi-class" "accuracy" \
    "business" "sport" "tech"
has "$tmp/out" '^tech +(0\.125|0\.5|2|8) (0\.125|0\.5|2|8) (0\.125|0\.5|2|8)$'

# ---- --by-input: one fold per CORPUS operand ----
head -n 45 "$DATA/tiny-train.jsonl" >"$tmp/a.jsonl"
tail -n 45 "$DATA/tiny-train.jsonl" >"$tmp/b.jsonl"
run 0 cross-validate --by-input --min-df 1 --folds 3 "$tmp/a.jsonl" "$tmp/b.jsonl"
contains "$tmp/out" "2-fold cross-validation of 90 articles, one fold per input (multi-label)" \
    "each input held out (trained on the others):"
has "$tmp/out" '^.*a\.jsonl +45 +[01]\.[0-9]{3} +[01]\.[0-9]{3} +-?[01]\.[0-9]{3}$'
has "$tmp/out" '^.*b\.jsonl +45 +[01]\.[0-9]{3} +[01]\.[0-9]{3} +-?[01]\.[0-9]{3}$'
contains "$tmp/err" "fold 1/2 (held out '$tmp/a.jsonl'): trained on 45 articles, evaluated 45"
# every fold keeps the corpus's mode: the first half alone has one topic per article, and
# trained alone it would be a multi-class model
if grep -q '^accuracy ' "$tmp/out"; then fail "--by-input: a fold trained a multi-class model"; else ok; fi
run 0 cross-validate -q --json --by-input --min-df 1 --folds 3 "$tmp/a.jsonl" "$tmp/b.jsonl"
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$tmp/out" "$tmp/a.jsonl" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["folds_by"] == "input" and d["folds"] == 2, d.get("folds_by")
assert [i["input"] for i in d["inputs"]][0] == sys.argv[2]
assert all(i["articles"] == 45 and "micro_f1" in i and "tone_pearson" in i for i in d["inputs"])
EOF
    then ok; else fail "--by-input --json"; fi
fi
expect_error 2 "by-input makes one fold per CORPUS: not with -k" cross-validate --by-input -k 3 \
    "$tmp/a.jsonl" "$tmp/b.jsonl"
expect_error 2 "by-input needs at least two CORPUS operands" cross-validate --by-input "$tmp/a.jsonl"
: >"$tmp/empty.jsonl"
expect_error 1 "no articles in '$tmp/empty.jsonl'" cross-validate --by-input --min-df 1 \
    "$tmp/a.jsonl" "$tmp/empty.jsonl"
printf '\n \n' >"$tmp/blank.jsonl"
expect_error 1 "no articles in '$tmp/empty.jsonl' or '$tmp/blank.jsonl'$" cross-validate \
    --min-df 1 "$tmp/empty.jsonl" "$tmp/blank.jsonl"

finish
