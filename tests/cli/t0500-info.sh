#!/bin/sh
# t0500-info.sh: `newsclass info`: the model card as text and JSON; damaged bundles are refused
# with a message naming the file.
. "$(dirname "$0")/lib.sh"

expect 0 train -q --min-df 1 --folds 3 -o "$tmp/m" "$DATA/tiny-train.jsonl"
expect 0 info "$tmp/m"
has "$tmp/out" '^format: +newsclass-model version 1'
has "$tmp/out" 'diplomacy'
has "$tmp/out" '^tone: +svr \(C [0-9.]+\) on 90 examples;'
has "$tmp/out" '^  label +examples +C +threshold'
if grep -q 'lead views' "$tmp/out"; then fail "info names lead views for a model without"; else ok; fi
has "$tmp/out" '^ +90% interval: tone -\+ [0-9]\.[0-9]{3} \(split conformal on the cross-validated residuals\)$'
# with lead views the examples count them, and info says so (each article gets a second
# sentence, so that its lead is shorter than it)
sed 's/"text": "\([^"]*\)"/"text": "\1 Officials gave no further details on Monday evening."/' \
    "$DATA/tiny-train.jsonl" >"$tmp/two.jsonl"
expect 0 train -q --min-df 1 --folds 3 --lead-views --no-tone -o "$tmp/mlv" "$tmp/two.jsonl"
expect 0 info "$tmp/mlv"
has "$tmp/out" '^ +plus 90 lead views \(a long article.s headline and first sentence, with its labels\); the examples above count both$'
# --lead-views=2 on a third sentence: two leads of each article, and info names both
sed 's/"text": "\([^"]*\)"/"text": "\1 A fuller statement is expected from the ministry later this week."/' \
    "$tmp/two.jsonl" >"$tmp/three.jsonl"
expect 0 train -q --min-df 1 --folds 3 --lead-views=2 --no-tone -o "$tmp/mlv2" "$tmp/three.jsonl"
expect 0 info "$tmp/mlv2"
has "$tmp/out" '^ +plus 180 lead views \(a long article.s headline and first 1\.\.2 sentences, with its labels\); the examples above count both$'
expect 0 info --json "$tmp/m"
has "$tmp/out" '"files"'
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"; then ok; else fail "info --json is not JSON"; fi
fi
expect_error 1 "cannot open model" info "$tmp/none"
expect_error 2 "too many arguments" info "$tmp/m" "$tmp/m"
cp -r "$tmp/m" "$tmp/v"
sed 's/"format_version":[[:space:]]*1/"format_version": 3/' "$tmp/m/model.json" >"$tmp/v/model.json"
expect_error 1 "format version 3 is newer than this newsclass (2)" info "$tmp/v"
# the stop-word list is recorded (2 today; a bundle without it used list 1); unknown: refused
has "$tmp/m/model.json" '"stopword_list":[[:space:]]*2'
cp -r "$tmp/m" "$tmp/sl"
sed 's/"stopword_list":[[:space:]]*2/"stopword_list": 7/' "$tmp/m/model.json" >"$tmp/sl/model.json"
expect_error 1 "unknown stop-word list 7" info "$tmp/sl"
# settings of the wrong kind or out of range are refused by name (never cast blindly)
bad_setting() { # SED_EXPR EXPECTED
    rm -rf "$tmp/bs" && cp -r "$tmp/m" "$tmp/bs"
    sed "$1" "$tmp/m/model.json" >"$tmp/bs/model.json"
    expect_error 1 "$2" info "$tmp/bs"
    expect_error 1 "$2" classify -m "$tmp/bs" "$DATA/multi-topic-article.txt"
}
bad_setting 's/"ngram_max":[[:space:]]*2/"ngram_max": 1e300/' "'features.ngram_max' must be an integer from 1 to 3"
bad_setting 's/"ngram_max":[[:space:]]*2/"ngram_max": "2"/' "'features.ngram_max' must be an integer from 1 to 3"
bad_setting 's/"features":[[:space:]]*[0-9][0-9]*/"features": -5/' "'features.features' must be an integer from 0 to"
bad_setting 's/"max_df":[[:space:]]*1/"max_df": 1e308/' "'features.max_df' must be a number in (0, 1]"
bad_setting 's/"threshold":[[:space:]]*[0-9.e-]*/"threshold": 2/' "'platt_a' and 'platt_b' must be finite and 'threshold' in \[0, 1\]"
bad_setting 's/"platt_a":[[:space:]]*[0-9.e-]*/"platt_a": 1e999/' "'platt_a' and 'platt_b' must be finite"
# a value of the wrong type is refused, never replaced by a default; so are a mode, label
# names and booleans that make no sense, and anything after the object; messages name the file
bad_setting 's/"threshold":[[:space:]]*[0-9.e-]*/"threshold": "0.9"/' "$tmp/bs/model.json: label '[a-z]*': 'platt_a' and 'platt_b' must be finite and 'threshold' in \[0, 1\]"
bad_setting 's/"platt_b":[[:space:]]*[-0-9.e]*/"platt_b": "x"/' "'platt_a' and 'platt_b' must be finite"
bad_setting 's/"interval90":[[:space:]]*[0-9.e-]*/"interval90": "x"/' "$tmp/bs/model.json: 'tone.interval90' must be in \[0, 2\]"
bad_setting 's/"mode":[[:space:]]*"multi-label"/"mode": "junk"/' "'topics.mode' must be \"multi-label\" or \"multi-class\", not \"junk\""
bad_setting 's/"name":[[:space:]]*"diplomacy"/"name": "cybersecurity"/' "label 'cybersecurity' is listed twice"
bad_setting 's/"name":[[:space:]]*"diplomacy"/"name": ""/' "label 1 has an empty name"
bad_setting 's/"stem":[[:space:]]*false/"stem": 1/' "'sublinear_tf' must be true or false"
bad_setting '$s/$/ junk/' "$tmp/bs/model.json:[0-9]*: malformed JSON"
rm -rf "$tmp/bs" && cp -r "$tmp/m" "$tmp/bs" && echo x >>"$tmp/bs/weights.bin"
expect_error 1 "$tmp/bs/weights.bin: checksum mismatch" info "$tmp/bs"
sed 's/"stopword_list":[[:space:]]*2,//' "$tmp/m/model.json" >"$tmp/sl/model.json"
expect 0 info "$tmp/sl"
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
# evaluation.json (tools/eval-default --card): shown when present, flagged when it was measured
# on another build of the model, refused by file and line when damaged
expect 0 info "$tmp/m"
if grep -q '^real text:' "$tmp/out"; then fail "info shows an evaluation the bundle lacks"; else ok; fi
w=$(sed -n 's/.*"weights.bin":[[:space:]]*"\([^"]*\)".*/\1/p' "$tmp/m/model.json")
[ -n "$w" ] && ok || fail "no weights.bin checksum in model.json"
cp -r "$tmp/m" "$tmp/e"
cat >"$tmp/e/evaluation.json" <<EOF2
{"measured_by": "tools/eval-default", "date": "2026-01-02", "model_weights": "$w",
 "sets": {"dev": {"diplomacy": {"f1": 0.8, "precision": 0.81, "recall": 0.79, "support": 43},
                  "tone_pearson": 0.5973, "n": 300}}}
EOF2
expect 0 info "$tmp/e"
has "$tmp/out" '^real text: +measured by tools/eval-default on 2026-01-02 \(evaluation.json\)$'
has "$tmp/out" '^  dev: diplomacy F1 0.800 \(P 0.810, R 0.790, n 43\), tone_pearson 0.597, n 300$'
# 95% intervals (K_ci95) print beside their figures, in the set and inside a topic; a
# malformed one is left out rather than misread
cat >"$tmp/e/evaluation.json" <<EOF2
{"measured_by": "tools/eval-default", "date": "2026-01-02", "model_weights": "$w",
 "sets": {"dev": {"diplomacy": {"f1": 0.8, "f1_ci95": [0.703, 0.883], "precision": 0.81,
                                "recall": 0.79, "support": 43},
                  "tone_pearson": 0.5973, "tone_pearson_ci95": [0.515, 0.668],
                  "share": 0.07, "share_ci95": [0.1, "x"], "n": 300}}}
EOF2
expect 0 info "$tmp/e"
has "$tmp/out" '^  dev: diplomacy F1 0.800 \[0.703, 0.883\] \(P 0.810, R 0.790, n 43\), tone_pearson 0.597 \[0.515, 0.668\], share 0.070, n 300$'
sed 's/"model_weights": "[^"]*"/"model_weights": "nc64:0000000000000000"/' "$tmp/e/evaluation.json" >"$tmp/e/x" &&
    mv "$tmp/e/x" "$tmp/e/evaluation.json"
expect 0 info "$tmp/e"
has "$tmp/out" 'STALE: measured on another build of this model'
printf '{"measured_by": "x",\n "sets": {\n  "dev": [1, 2,\n' >"$tmp/e/evaluation.json"
expect_error 1 "evaluation.json:3: not valid JSON" info "$tmp/e"
echo '{"measured_by": "x"}' >"$tmp/e/evaluation.json"
expect_error 1 'evaluation.json: not an evaluation' info "$tmp/e"
echo '{"sets": {"dev": [1, 2]}}' >"$tmp/e/evaluation.json"
expect_error 1 "evaluation.json: set 'dev' is not an object" info "$tmp/e"
# present but unreadable (a directory): an error, not silently "no evaluation"
rm "$tmp/e/evaluation.json" && mkdir "$tmp/e/evaluation.json"
expect_error 1 'evaluation.json' info "$tmp/e"
# the card's descriptive fields are not checked on load (classify does not use them), so a
# hand-edited one may hold anything there: info prints "?" for a value of the wrong kind, never
# "(null)" (a NULL string given to printf) or "nan"
cp -r "$tmp/m" "$tmp/card"
python3 - "$tmp/m/model.json" "$tmp/card/model.json" <<'PY'
import json, sys
card = json.load(open(sys.argv[1]))
tr = card["training"]
tr.update(date_range=[1, 2], articles="many", seed=None, articles_per_label=[1, 2],
          tone_distribution={"-1": "x", "1": 4})
card["tone"].update(method=["svr"], articles={"n": 90})
card["tone"]["cv"]["pearson"] = "0.5"
card["topics"]["labels"][0]["cv"]["f1"] = [0.9]
card["topics"]["labels"][0]["articles"] = True
json.dump(card, open(sys.argv[2], "w"), indent=1)
PY
expect 0 info "$tmp/card"
has "$tmp/out" '^dates:      \? \.\. \?$'
has "$tmp/out" '^training:   \? articles \(90 with topics, [0-9]+ of them with none; 90 with tone\), seed \?, 3 folds$'
has "$tmp/out" '^tone:       \? \(C [0-9.]+\) on \? examples; cv Pearson \?, MAE [0-9.]+,'
has "$tmp/out" '^  [a-z]+ +\? +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +\? '
has "$tmp/out" '^per label: $'
has "$tmp/out" '^tone steps: -1: \? 1: 4$'
if grep -q -e '(null)' -e 'nan' "$tmp/out"; then fail "info printed (null) or nan"; else ok; fi
# a write error on standard output is an error (the card fits stdio's buffer, so it shows only
# when flushed), in both forms
if [ -w /dev/full ]; then
    for opt in "" --json; do
        # shellcheck disable=SC2086
        "$NC" info $opt "$tmp/m" >/dev/full 2>"$tmp/err"
        rc=$?
        [ "$rc" -eq 1 ] && ok || fail "info $opt >/dev/full exited $rc, expected 1"
        has "$tmp/err" '^newsclass info: cannot write standard output: No space left on device$'
    done
fi
# counts print whole, whatever their size (%g once printed a seed of 2147483647 as 2.14748e+09)
expect 0 train -q --min-df 1 --folds 2 --seed 2147483647 -o "$tmp/big" "$DATA/tiny-train.jsonl"
expect 0 info "$tmp/big"
has "$tmp/out" '^training:   90 articles \(90 with topics, [0-9]+ of them with none; 90 with tone\), seed 2147483647, 2 folds$'
if grep -q 'e+0' "$tmp/out"; then fail "info printed a number in exponent form"; else ok; fi
expect_error 2 "--seed needs a whole number in 0..2147483647, not '2147483648'" \
    train -q --seed 2147483648 -o "$tmp/big2" "$DATA/tiny-train.jsonl"
finish
