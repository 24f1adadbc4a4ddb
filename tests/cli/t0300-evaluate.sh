#!/bin/sh
# t0300-evaluate.sh: `newsclass evaluate` end to end on the tiny fixtures: usage errors, the text
# and JSON reports, worst errors, the reliability diagram, odd gold data and broken input.
# Every failing call must exit with the right code, print its error on stderr and nothing on
# stdout. Arguments: $1 newsclass binary, $2 tests/data, $3 source dir.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# ---- usage ----
run 0 evaluate --help
contains "$tmp/out" "usage: newsclass evaluate" "--reliability"
run 0 help evaluate
contains "$tmp/out" "usage: newsclass evaluate"
run_error 2 evaluate -m "$tmp/none"
contains "$tmp/err" "no corpus given"
run_error 2 evaluate --errors many "$DATA/tiny-test.jsonl"
run_error 2 evaluate --errors -1 "$DATA/tiny-test.jsonl"
run 2 evaluate --no-such-option "$DATA/tiny-test.jsonl"
[ -s "$tmp/out" ] && fail "unknown option: stdout not empty"
run_error 1 evaluate -m "$tmp/no-model" "$DATA/tiny-test.jsonl"

# ---- a model of the tiny corpus ----
run 0 train -q --seed 1 "$DATA/tiny-train.jsonl" -o "$tmp/m"
if [ ! -f "$tmp/m/model.json" ]; then
    fail "could not train the tiny model"
    exit 1
fi

run 0 evaluate -m "$tmp/m" "$DATA/tiny-test.jsonl"
contains "$tmp/out" "30 articles" "multi-label" "cybersecurity" "diplomacy" "sport" \
    "micro average" "macro average" "exact-match ratio" "ECE" "Brier" \
    "Pearson r" "Spearman rho" "MAE" "RMSE" "3-class accuracy" "95% CI"
# the tone interval's coverage, with Wilson's interval, on every article with a gold tone
has "$tmp/out" '^  interval coverage +(0|1)\.[0-9]{3}   \[[01]\.[0-9]{3}, [01]\.[0-9]{3}\]   \(90% intervals on 30 articles, mean width [0-9.]+\)$'
grep -q "evaluated 30 articles" "$tmp/err" || fail "no progress line on stderr"
run 0 evaluate -q -m "$tmp/m" "$DATA/tiny-test.jsonl"
[ -s "$tmp/err" ] && fail "-q: stderr not empty"

# JSON: one object with every number, the same on every run
run 0 evaluate -q --json -m "$tmp/m" "$DATA/tiny-test.jsonl"
cp "$tmp/out" "$tmp/first.json"
contains "$tmp/out" '"articles":	30' '"mode":	"multi-label"' '"micro":' '"macro":' \
    '"exact_match":' '"macro_auc":' '"auc":' '"ap":' '"ece":' '"brier":' '"reliability":' \
    '"tone":' '"pearson":' '"ci_low":' '"accuracy3":' '"confusion3":' '"interval90":' \
    '"coverage":' '"coverage_ci_low":' '"coverage_ci_high":' '"mean_width":'
if command -v python3 >/dev/null 2>&1; then
    python3 -m json.tool "$tmp/out" >/dev/null 2>&1 || fail "--json output is not valid JSON"
fi
run 0 evaluate -q --json -m "$tmp/m" "$DATA/tiny-test.jsonl"
cmp -s "$tmp/out" "$tmp/first.json" || fail "--json output differs between two runs"

# standard input, forced JSON Lines
run 0 evaluate -q --json --jsonl -m "$tmp/m" - <"$DATA/tiny-test.jsonl"
cmp -s "$tmp/out" "$tmp/first.json" || fail "stdin gives a different evaluation"

# worst errors
run 0 evaluate -q --errors 2 -m "$tmp/m" "$DATA/tiny-test.jsonl"
contains "$tmp/out" "worst errors:" "false positive"
run 0 evaluate -q --json --errors 1 -m "$tmp/m" "$DATA/tiny-test.jsonl"
contains "$tmp/out" '"false_positives":' '"title":'

# reliability diagram, written atomically
run 0 evaluate -q -m "$tmp/m" --reliability "$tmp/rel.svg" "$DATA/tiny-test.jsonl"
[ -s "$tmp/rel.svg" ] || fail "--reliability wrote nothing"
contains "$tmp/rel.svg" "<svg" "</svg>" "<polyline" "observed frequency" "predicted probability" \
    "perfect calibration" "cybersecurity" "diplomacy" "sport"
ls "$tmp" | grep -q 'rel.svg.tmp' && fail "a temporary file was left behind"
run_error 1 evaluate -q -m "$tmp/m" --reliability "$tmp/no/such/dir/rel.svg" \
    "$DATA/tiny-test.jsonl"
contains "$tmp/err" "cannot create"

# a label XML 1.0 cannot hold (U+FFFE) is written as U+FFFD, markup escaped: the diagram stays
# well-formed
sed 's/"sport"/"sp\\ufffeort \& <x>"/g' "$DATA/tiny-train.jsonl" >"$tmp/oddlab-train.jsonl"
sed 's/"sport"/"sp\\ufffeort \& <x>"/g' "$DATA/tiny-test.jsonl" >"$tmp/oddlab-test.jsonl"
run 0 train -q --min-df 1 --folds 3 --no-tone -o "$tmp/oddlab" "$tmp/oddlab-train.jsonl"
run 0 evaluate -q -m "$tmp/oddlab" --reliability "$tmp/oddlab.svg" "$tmp/oddlab-test.jsonl"
contains "$tmp/oddlab.svg" "$(printf 'sp\357\277\275ort &amp; &lt;x&gt;')"
xml_clean "$tmp/oddlab.svg" "the reliability diagram"

# gold data the model cannot score: an unknown label, an article without topics
cat >"$tmp/odd.jsonl" <<'EOF'
{"id":"odd-1","title":"Minister visits neighbour","text":"The foreign minister met her counterpart for talks.","topics":["diplomacy","politics"],"tone":0.5}
{"id":"odd-2","title":"Cup final tonight","text":"The club plays the cup final tonight.","tone":0}
{"id":"odd-3","title":"Hackers hit bank","text":"Hackers stole data from the bank in a breach.","topics":["cybersecurity"],"tone":-1}
EOF
run 0 evaluate -q --json -m "$tmp/m" "$tmp/odd.jsonl"
contains "$tmp/out" '"articles":	3' '"evaluated":	2' '"without_gold":	1' \
    '"unknown_gold_articles":	1' '"politics":	1'
run 0 evaluate -q -m "$tmp/m" "$tmp/odd.jsonl"
contains "$tmp/out" "unknown gold labels: 'politics' (1)"

# broken and empty input
printf '{"id":"x","title":"fine","topics":[]}\n{not json\n' >"$tmp/bad.jsonl"
run_error 1 evaluate -q -m "$tmp/m" "$tmp/bad.jsonl"
contains "$tmp/err" "bad.jsonl:2"
: >"$tmp/empty.jsonl"
run_error 1 evaluate -q -m "$tmp/m" "$tmp/empty.jsonl"
contains "$tmp/err" "no articles in '$tmp/empty.jsonl'"
run_error 1 evaluate -q -m "$tmp/m" "$tmp/missing.jsonl"

# multi-class: one label per article from the folder names
run 0 train -q --label-from-dir --min-df 1 "$DATA/tiny-bbc" -o "$tmp/bbc"
run 0 evaluate -q -m "$tmp/bbc" --label-from-dir "$DATA/tiny-bbc"
contains "$tmp/out" "multi-class" "accuracy:" "macro-F1:" "confusion matrix" "business" "tech"
run 0 evaluate -q --json -m "$tmp/bbc" --label-from-dir "$DATA/tiny-bbc"
contains "$tmp/out" '"mode":	"multi-class"' '"confusion":' '"matrix":' '"accuracy":'
# nothing to measure (the folder names are not labels without --label-from-dir): an error,
# not a report of empty sections
expect_error 1 "nothing to measure: none of the 15 articles carries gold topics.*add --label-from-dir" \
    evaluate -q -m "$tmp/bbc" "$DATA/tiny-bbc"
printf '{"id": "a", "title": "Talks", "text": "Ministers met."}\n' >"$tmp/nogold.jsonl"
expect_error 1 "nothing to measure: none of the 1 articles carries gold topics ('topics' or 'label') or a gold tone$" \
    evaluate -q -m "$tmp/m" "$tmp/nogold.jsonl"

# ---- --compare: two models on the same articles, differences with paired intervals ----
run 0 evaluate -q -m "$tmp/m" --compare "$tmp/m" "$DATA/tiny-test.jsonl"
contains "$tmp/out" "comparison on 30 articles" "paired bootstrap, 1000 resamples, seed 1"
has "$tmp/out" '^F1 cybersecurity +[01]\.[0-9]{3} +[01]\.[0-9]{3} +\+0\.000  \[\+0\.000, \+0\.000\]$'
has "$tmp/out" '^tone MAE +'
if grep -q "better" "$tmp/out"; then fail "a model compared with itself is better"; else ok; fi
run 0 train -q --seed 1 -C 0.01 --no-calibration "$DATA/tiny-train.jsonl" -o "$tmp/m2"
run 0 evaluate -q -m "$tmp/m" --compare "$tmp/m2" --json --resamples 200 --seed 5 "$DATA/tiny-test.jsonl"
cp "$tmp/out" "$tmp/cmp1"
if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/out" <<'PY' && ok || fail "--compare --json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["articles"] == 30 and d["resamples"] == 200 and d["seed"] == 5
names = [m["metric"] for m in d["metrics"]]
assert names[:5] == ["F1 cybersecurity", "F1 diplomacy", "F1 sport", "micro F1", "macro F1"], names
assert names[5:] == ["tone Pearson", "tone MAE", "tone 3-class accuracy"], names
for m in d["metrics"]:
    lo, hi = m["ci95"]
    assert lo is None or lo <= m["diff"] + 1e-12 and m["diff"] <= hi + 1e-12, m
    assert abs(m["b"] - m["a"] - m["diff"]) < 1e-12
PY
fi
run 0 evaluate -q -m "$tmp/m" --compare "$tmp/m2" --json --resamples 200 --seed 5 "$DATA/tiny-test.jsonl"
cmp -s "$tmp/out" "$tmp/cmp1" && ok || fail "--compare: the same seed gave other intervals"
expect_error 1 "cannot compare" evaluate -q -m "$tmp/m" --compare "$tmp/bbc" "$DATA/tiny-test.jsonl"
# B with the same kind and number of topics but other names, and B with more topics than A:
# each model is read with its own labels (they were once A's, which let the first through and
# read past A's labels for the second)
sed 's/"sport"/"athletics"/g' "$DATA/tiny-train.jsonl" >"$tmp/renamed.jsonl"
run 0 train -q --min-df 1 --folds 3 -o "$tmp/renamed" "$tmp/renamed.jsonl"
expect_error 1 "cannot compare" evaluate -q -m "$tmp/m" --compare "$tmp/renamed" "$DATA/tiny-test.jsonl"
sed 's/"topics": \[\]/"topics": ["weather", "culture"]/' "$DATA/tiny-train.jsonl" >"$tmp/more.jsonl"
run 0 train -q --min-df 1 --folds 3 -o "$tmp/more" "$tmp/more.jsonl"
expect_error 1 "cannot compare" evaluate -q -m "$tmp/m" --compare "$tmp/more" "$DATA/tiny-test.jsonl"
expect_error 2 "--resamples needs a number in 10..1000000" evaluate -m "$tmp/m" --compare "$tmp/m2" --resamples 5 "$DATA/tiny-test.jsonl"
expect_error 2 "--compare reports the comparison only" evaluate -m "$tmp/m" --compare "$tmp/m2" --errors 3 "$DATA/tiny-test.jsonl"

finish
