#!/bin/sh
# t0100-train.sh: `newsclass train`: a bundle from the tiny corpus, byte-identical on rerun,
# multi-class from --label-from-dir, and every bad input refused with file:line, a non-zero
# exit and no half-written model.
. "$(dirname "$0")/lib.sh"

expect 0 train -q --min-df 1 --folds 3 -o "$tmp/m1" "$DATA/tiny-train.jsonl"
[ -s "$tmp/out" ] && fail "train wrote to stdout"
for f in model.json vocab.tsv vocab.idx weights.bin; do
    if [ -s "$tmp/m1/$f" ]; then ok; else fail "bundle lacks $f"; fi
done
has "$tmp/m1/model.json" '"format":[[:space:]]*"newsclass-model"'
has "$tmp/m1/model.json" '"mode":[[:space:]]*"multi-label"'
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/m2" "$DATA/tiny-train.jsonl"
for f in model.json vocab.tsv vocab.idx weights.bin; do
    if cmp -s "$tmp/m1/$f" "$tmp/m2/$f"; then ok; else fail "$f differs between two runs"; fi
done
# any number of threads gives the same bundle (LR primal runs in parallel; the dual solvers'
# rand() is serialised), for multi-label with tone and for multi-class SVM
expect 0 train -q --min-df 1 --folds 3 --threads 3 -o "$tmp/m1t" "$DATA/tiny-train.jsonl"
expect 0 train -q --min-df 1 --folds 3 --threads 1 -o "$tmp/m1s" "$DATA/tiny-train.jsonl"
for f in model.json vocab.tsv vocab.idx weights.bin; do
    if cmp -s "$tmp/m1t/$f" "$tmp/m1s/$f"; then ok; else fail "$f differs between 1 and 3 threads"; fi
done
expect 0 train -q --min-df 1 --folds 2 --threads 4 --label-from-dir -o "$tmp/mct" "$DATA/tiny-bbc"
expect 0 train -q --min-df 1 --folds 2 --threads 1 --label-from-dir -o "$tmp/mcs" "$DATA/tiny-bbc"
if cmp -s "$tmp/mct/weights.bin" "$tmp/mcs/weights.bin"; then ok; else fail "multi-class weights differ between thread counts"; fi
# C chosen by cross-validation is a point of the solver's grid: logistic regression 2..512,
# the SVM (multi-class) 0.125..8 (info's label table, third column)
grid_cs() { # BUNDLE: the C of each label, one per line, in $tmp/cs
    expect 0 info "$1"
    awk '/^  label /{t = 1; next} /^[a-z]/{t = 0} t {print $3}' "$tmp/out" >"$tmp/cs"
}
in_grid() { # GRID...: every line of $tmp/cs is one of them
    [ -s "$tmp/cs" ] || return 1
    while read -r c; do
        found=0
        for g in "$@"; do [ "$c" = "$g" ] && found=1; done
        [ "$found" = 1 ] || return 1
    done <"$tmp/cs"
}
grid_cs "$tmp/m1"
if in_grid 2 8 32 128 512; then ok; else fail "lr C not on its grid: $(tr '\n' ' ' <"$tmp/cs")"; fi
grid_cs "$tmp/mct"
if in_grid 0.125 0.5 2 8; then ok; else fail "svm C not on its grid: $(tr '\n' ' ' <"$tmp/cs")"; fi
expect 0 train --help
has "$tmp/out" 'from 2, 8, 32, 128, 512 for lr; 0.125, 0.5, 2, 8 for svm'
# --C-grid: C chosen from the user's values instead, for either solver; recorded on the card
# and shown by info; the default card does not name a grid
expect 0 train -q --min-df 1 --folds 3 --C-grid 0.01,0.03 -o "$tmp/cg" "$DATA/tiny-train.jsonl"
grid_cs "$tmp/cg"
if in_grid 0.01 0.03; then ok; else fail "--C-grid: C not on the given grid: $(tr '\n' ' ' <"$tmp/cs")"; fi
has "$tmp/cg/model.json" '"C_grid":[[:space:]]*\[0\.01,[[:space:]]*0\.03\]'
expect 0 info "$tmp/cg"
has "$tmp/out" '^topics: .*, calibration platt, C chosen from 0\.01, 0\.03, thresholds'
if grep -q '"C_grid"' "$tmp/m1/model.json"; then fail "a grid on the default card"; else ok; fi
if cmp -s "$tmp/cg/weights.bin" "$tmp/m1/weights.bin"; then fail "--C-grid changed no weight"; else ok; fi
expect 0 train -q --min-df 1 --folds 2 --label-from-dir --C-grid 16,64 -o "$tmp/cgs" "$DATA/tiny-bbc"
grid_cs "$tmp/cgs"
if in_grid 16 64; then ok; else fail "--C-grid (svm): C not on the given grid: $(tr '\n' ' ' <"$tmp/cs")"; fi
# the summary names the topics whose C is the top of its grid (never with a fixed C)
expect 0 train --min-df 1 --folds 3 --C-grid 0.0001,100 -o "$tmp/cgt" "$DATA/tiny-train.jsonl"
has "$tmp/err" '^  C is the top of its grid \(100\) for cybersecurity, diplomacy, sport;$'
has "$tmp/err" '^  a grid reaching further \(--C-grid\) may fit better: compare with cross-validate$'
expect 0 train --min-df 1 --folds 3 -C 100 -o "$tmp/cgt" "$DATA/tiny-train.jsonl"
if grep -q 'top of its grid' "$tmp/err"; then fail "a fixed C called the top of a grid"; else ok; fi
expect_error 2 "--C-grid values must increase ('2' follows 8)" train -q --C-grid 8,2 -o "$tmp/th" \
    "$DATA/tiny-train.jsonl"
expect_error 2 "--C-grid needs numbers separated by commas, not '8,'" train -q --C-grid 8, \
    -o "$tmp/th" "$DATA/tiny-train.jsonl"
expect_error 2 "--C-grid: 'x' is not a number in (0, 1e6]" cross-validate -q --C-grid 1,x \
    "$DATA/tiny-train.jsonl"
expect_error 2 "--C-grid takes at most 12 values" train -q --C-grid 1,2,3,4,5,6,7,8,9,10,11,12,13 \
    -o "$tmp/th" "$DATA/tiny-train.jsonl"
expect_error 2 '-C fixes C and --C-grid is for choosing it: give one of them' train -q -C 4 \
    --C-grid 1,2 -o "$tmp/th" "$DATA/tiny-train.jsonl"
# thresholds: the F1 curve averaged over +-0.1 by default (points of a 0.005 grid, recorded in
# the card), the exact maximum with --threshold-window 0; out-of-range windows refused
has "$tmp/m1/model.json" '"threshold_window":[[:space:]]*0.1,'
expect 0 info "$tmp/m1"
has "$tmp/out" 'calibration platt, thresholds on the F1 curve averaged over -\+0.1, fitted on 3 fold assignments$'
# Platt and the thresholds pool 3 fold assignments by default (recorded); --threshold-repeats 1
# fits them on one, as before, and moves them
has "$tmp/m1/model.json" '"fold_assignments":[[:space:]]*3,'
expect 0 train -q --min-df 1 --folds 3 --threshold-repeats 1 -o "$tmp/mr1" "$DATA/tiny-train.jsonl"
if grep -q '"fold_assignments"' "$tmp/mr1/model.json"; then fail "--threshold-repeats 1 recorded"; else ok; fi
grep -o '"platt_[ab]":[[:space:]]*[-0-9.e]*' "$tmp/m1/model.json" >"$tmp/platt3"
grep -o '"platt_[ab]":[[:space:]]*[-0-9.e]*' "$tmp/mr1/model.json" >"$tmp/platt1"
if [ -s "$tmp/platt1" ] && ! cmp -s "$tmp/platt1" "$tmp/platt3"; then ok; else fail "--threshold-repeats 1 changed no sigmoid"; fi
for r in 0 11 1.5 x; do
    expect_error 2 "--threshold-repeats needs a whole number in 1..10, not '$r'" \
        train -q --threshold-repeats "$r" -o "$tmp/mr2" "$DATA/tiny-train.jsonl"
done
grep -o '"threshold":[[:space:]]*[0-9.]*' "$tmp/m1/model.json" | sed 's/.*:[[:space:]]*//' >"$tmp/thr1"
if [ "$(wc -l <"$tmp/thr1")" -eq 3 ] &&
    awk '{ k = $1 / 0.005; if (k - int(k + 0.5) > 1e-6 || int(k + 0.5) - k > 1e-6) bad = 1 } END { exit bad }' "$tmp/thr1"
then ok; else fail "thresholds not on the 0.005 grid: $(tr '\n' ' ' <"$tmp/thr1")"; fi
expect 0 train -q --min-df 1 --folds 3 --threshold-window 0 -o "$tmp/mw0" "$DATA/tiny-train.jsonl"
if grep -q '"threshold_window"' "$tmp/mw0/model.json"; then fail "--threshold-window 0 recorded"; else ok; fi
expect 0 info "$tmp/mw0"
if grep -q 'averaged over' "$tmp/out"; then fail "info: a window for --threshold-window 0"; else ok; fi
grep -o '"threshold":[[:space:]]*[0-9.]*' "$tmp/mw0/model.json" | sed 's/.*:[[:space:]]*//' >"$tmp/thr0"
if cmp -s "$tmp/thr0" "$tmp/thr1"; then fail "--threshold-window 0 changed no threshold"; else ok; fi
for w in -0.1 0.6 x; do
    expect_error 2 "--threshold-window needs a number in \[0, 0.5\], not '$w'" \
        train -q --threshold-window "$w" -o "$tmp/mw2" "$DATA/tiny-train.jsonl"
done
# a trailing slash names the same bundle; retraining replaces it in place
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/slash/" "$DATA/tiny-train.jsonl"
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/slash/" "$DATA/tiny-train.jsonl"
if [ -f "$tmp/slash/model.json" ] && [ ! -e "$tmp/slash/.tmp" ] && [ ! -e "$tmp/slash.tmp" ]; then ok; else fail "trailing slash"; fi
# a different seed still trains
expect 0 train -q --min-df 1 --folds 3 --seed 7 -o "$tmp/m3" "$DATA/tiny-train.jsonl"
# the summary goes to stderr
expect 0 train --min-df 1 --folds 3 -o "$tmp/m4" "$DATA/tiny-train.jsonl"
has "$tmp/err" 'articles'
has "$tmp/err" "model written to"

# multi-class from a directory tree
expect 0 train -q --min-df 1 --folds 2 --label-from-dir -o "$tmp/mc" "$DATA/tiny-bbc"
if grep -q '"threshold_window"\|"fold_assignments"' "$tmp/mc/model.json"; then fail "multi-class card has a threshold window or fold assignments"; else ok; fi
has "$tmp/mc/model.json" '"mode":[[:space:]]*"multi-class"'

# bad input: clear message with the place, exit 1, no model left behind
printf '{"title": "a", "text": "b", "tone": 3}\n' >"$tmp/tone.jsonl"
expect_error 1 "tone.jsonl:1: 'tone' must be a number in \[-1, 1\]" train -o "$tmp/bad" "$tmp/tone.jsonl"
printf '{"title": "ok", "text": "fine"}\n{"title": "broken",\n' >"$tmp/json.jsonl"
expect_error 1 'json.jsonl:2: malformed JSON' train -o "$tmp/bad" "$tmp/json.jsonl"
printf '{"title": "a", "text": "\377\376"}\n' >"$tmp/utf8.jsonl"
expect_error 1 'utf8.jsonl:1: invalid UTF-8' train -o "$tmp/bad" "$tmp/utf8.jsonl"
printf '{"title": "a", "topics": "sport"}\n' >"$tmp/type.jsonl"
expect_error 1 "type.jsonl:1: 'topics'" train -o "$tmp/bad" "$tmp/type.jsonl"
printf '{"id": "x", "tone": 0.5}\n' >"$tmp/notext.jsonl"
expect_error 1 "notext.jsonl:1: missing 'text' and 'title'" train -o "$tmp/bad" "$tmp/notext.jsonl"
: >"$tmp/empty.jsonl"
expect_error 1 'no articles' train -o "$tmp/bad" "$tmp/empty.jsonl"
printf 'abc\000def\n' >"$tmp/bin.jsonl"
expect_error 1 'NUL byte' train -o "$tmp/bad" "$tmp/bin.jsonl"
# topic names with control characters would break TSV headers, info's table, vocab.tsv.labels
printf '{"title": "a", "text": "b", "topics": ["ok", "a\\tb"]}\n' >"$tmp/ctl.jsonl"
expect_error 1 "ctl.jsonl:1: topic name contains a control character (0x09)" \
    train -o "$tmp/bad" "$tmp/ctl.jsonl"
printf '{"title": "a", "text": "b", "label": "x\\ny"}\n' >"$tmp/ctl2.jsonl"
expect_error 1 "ctl2.jsonl:1: topic name contains a control character (0x0a)" \
    train -o "$tmp/bad" "$tmp/ctl2.jsonl"
printf '__label__ok text\n__label__a\033b text\n' >"$tmp/ctl.ft"
expect_error 1 "ctl.ft:2: topic name contains a control character (0x1b)" \
    train -o "$tmp/bad" "$tmp/ctl.ft"
mkdir -p "$tmp/ctldir/$(printf 'a\tb')"
printf 'Headline\nBody text.\n' >"$tmp/ctldir/$(printf 'a\tb')/1.txt"
expect_error 1 "1.txt': topic name (the folder's name) contains a control character (0x09)" \
    train --label-from-dir -o "$tmp/bad" "$tmp/ctldir"
expect_error 1 "cannot open '$tmp/missing.jsonl'" train -o "$tmp/bad" "$tmp/missing.jsonl"
mkdir "$tmp/dir.jsonl"
expect_error 1 "dir.jsonl" train -o "$tmp/bad" --multi-label "$tmp/dir.jsonl"
# a 20 MB single line is read (no line-length limit but memory), then refused for its bad tone
python3 -c 'import sys; sys.stdout.write("{\"title\": \"long\", \"tone\": 2, \"text\": \"" + "word " * 4000000 + "\"}\n")' >"$tmp/long.jsonl"
expect_error 1 "long.jsonl:1: 'tone' must be a number in \[-1, 1\]" train -o "$tmp/bad" "$tmp/long.jsonl"
# an unreadable file (only meaningful when not running as root)
if [ "$(id -u)" -ne 0 ]; then
    printf '{"title": "a", "text": "b"}\n' >"$tmp/secret.jsonl"
    chmod 000 "$tmp/secret.jsonl"
    expect_error 1 "cannot open '$tmp/secret.jsonl'" train -o "$tmp/bad" "$tmp/secret.jsonl"
fi
# a corpus with nothing to learn
printf '{"title": "a", "text": "b"}\n{"title": "c", "text": "d"}\n' >"$tmp/nolabels.jsonl"
expect_error 1 'neither topics' train --min-df 1 -o "$tmp/bad" "$tmp/nolabels.jsonl"
if [ -e "$tmp/bad" ] || [ -e "$tmp/bad.tmp" ]; then fail "a failed run left a model"; else ok; fi
# --topic-stopwords: the topic models ignore features made only of stop words (the card
# counts them), so an article of stop words scores on topics like one of unknown words;
# without the option the same stop words move the scores
expect 0 train -q --min-df 1 --folds 3 --topic-stopwords -o "$tmp/tstop" "$DATA/tiny-train.jsonl"
has "$tmp/tstop/model.json" '"stopword_features_ignored":[[:space:]]*[1-9]'
printf '{"id":"stop","title":"The and of","text":"It was said that they would be there with them."}\n' >"$tmp/stop.jsonl"
printf '{"id":"unknown","title":"Zqxv wyzzq","text":"Qqqzx vvwxq zzqqx."}\n' >"$tmp/unk.jsonl"
for m in tstop plain; do
    [ $m = plain ] && { expect 0 train -q --min-df 1 --folds 3 -o "$tmp/plain" "$DATA/tiny-train.jsonl"; }
    for a in stop unk; do
        "$NC" classify -m "$tmp/$m" -f json "$tmp/$a.jsonl" 2>/dev/null |
            sed 's/.*"scores":\({[^}]*}\).*/\1/' >"$tmp/$m-$a.scores"
    done
done
if cmp -s "$tmp/tstop-stop.scores" "$tmp/tstop-unk.scores"; then ok; else
    fail "--topic-stopwords: stop words still move topic scores ($(cat "$tmp/tstop-stop.scores") vs $(cat "$tmp/tstop-unk.scores"))"
fi
if cmp -s "$tmp/plain-stop.scores" "$tmp/plain-unk.scores"; then
    fail "without --topic-stopwords stop words should move topic scores"
else ok; fi

# a topic so rare that some folds have none of its positives: LIBLINEAR, asked to weight a
# label it does not find, would warn on stderr past the print hook; -q leaves stderr empty
awk 'NR == 1 { sub(/"topics": *\[[^]]*\]/, "\"topics\": [\"rare\"]") }
     NR > 1  { sub(/"topics": *\[[^]]*\]/, "\"topics\": []") } { print }' \
    "$DATA/tiny-train.jsonl" >"$tmp/onepos.jsonl"
if grep -q '"rare"' "$tmp/onepos.jsonl" && [ "$(grep -c '"topics": \[\]' "$tmp/onepos.jsonl")" -eq 89 ]; then
    ok; else fail "onepos.jsonl not made"; fi
expect 0 train -q --folds 3 -o "$tmp/onepos" "$tmp/onepos.jsonl"
if [ -s "$tmp/err" ]; then fail "train -q printed: $(head -c 200 "$tmp/err")"; else ok; fi
expect 0 cross-validate -q -k 3 "$tmp/onepos.jsonl"
if [ -s "$tmp/err" ]; then fail "cross-validate -q printed: $(head -c 200 "$tmp/err")"; else ok; fi

# the output path is checked before the training: an interrupted save's leftovers in DIR.tmp
# are cleared, anything of the user's there is refused, and so are paths no model can go to
mkdir -p "$tmp/lo.tmp" && : >"$tmp/lo.tmp/weights.bin.tmp.999.2" && : >"$tmp/lo.tmp/vocab.tsv"
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/lo" "$DATA/tiny-train.jsonl"
if [ -f "$tmp/lo/model.json" ] && [ ! -e "$tmp/lo.tmp" ]; then ok; else fail "leftovers in lo.tmp blocked the save"; fi
mkdir -p "$tmp/lo.tmp" && : >"$tmp/lo.tmp/notes.txt"
expect_error 1 "'$tmp/lo.tmp' holds 'notes.txt', which is not part of a model bundle" \
    train -q --min-df 1 --folds 3 -o "$tmp/lo" "$DATA/tiny-train.jsonl"
if [ -f "$tmp/lo.tmp/notes.txt" ] && [ -f "$tmp/lo/model.json" ]; then ok; else fail "a refused save touched lo or lo.tmp"; fi
# a file of the user's inside the old bundle is not deleted: the old bundle goes aside with it
rm -r "$tmp/lo.tmp" && : >"$tmp/lo/notes.txt"
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/lo" "$DATA/tiny-train.jsonl"
if [ -f "$tmp/lo/model.json" ] && [ ! -e "$tmp/lo/notes.txt" ] && [ ! -e "$tmp/lo.tmp" ] &&
    ls "$tmp"/lo.old.*/notes.txt >/dev/null 2>&1; then ok; else fail "notes.txt in the old bundle lost or in the way"; fi
expect_error 1 "no model directory given" train -q -o '' "$DATA/tiny-train.jsonl"
expect_error 1 "cannot write model to '$tmp/nodir/m': no directory '$tmp/nodir'" \
    train -q -o "$tmp/nodir/m" "$DATA/tiny-train.jsonl"
expect_error 1 "cannot write model to '$DATA/tiny-train.jsonl': not a directory" \
    train -q -o "$DATA/tiny-train.jsonl" "$DATA/tiny-train.jsonl"
expect_error 2 "--tone-oof and --output both name '$tmp/same'" \
    train -q --tone-oof "$tmp/same" -o "$tmp/same" "$DATA/tiny-train.jsonl"

# options that exclude each other are usage errors (2), caught before the corpus is read
expect_error 2 '--topic-stopwords needs a vocabulary: not with --hash-bits' train -q \
    --topic-stopwords --hash-bits 12 -o "$tmp/th" "$DATA/tiny-train.jsonl"
expect_error 2 '--topic-stopwords matches words, not stems: not with --stem' train -q \
    --topic-stopwords --stem -o "$tmp/th" "$DATA/tiny-train.jsonl"
expect_error 2 '--topic-stopwords matches words, not stems: not with --stem' cross-validate -q \
    --stem --topic-stopwords "$DATA/tiny-train.jsonl"
expect_error 2 '--multi-label and --multi-class exclude each other' train -q --multi-class \
    --multi-label -o "$tmp/th" "$DATA/tiny-train.jsonl"
expect_error 2 '--tone-lexicon is for the tone, which --no-tone leaves out' train -q --no-tone \
    --tone-lexicon "$tmp/none.tsv" -o "$tmp/th" "$DATA/tiny-train.jsonl"
if [ -e "$tmp/th" ]; then fail "a refused training wrote $tmp/th"; else ok; fi

# retraining in place replaces the whole bundle, its evaluation.json (which described the old
# build) included, and leaves no old directory beside it
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/re" "$DATA/tiny-train.jsonl"
echo '{"sets": {}}' >"$tmp/re/evaluation.json"
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/re" "$DATA/tiny-train.jsonl"
[ ! -e "$tmp/re/evaluation.json" ] && ok || fail "a retrained bundle kept the old evaluation.json"
if ls -d "$tmp"/re.old.* >/dev/null 2>&1; then fail "retraining left $(ls -d "$tmp"/re.old.*)"; else ok; fi

# --tone-file-folds: tone's folds hold out whole input files (recorded on the card), the same
# model for any thread count; too few files is an error
split -l 30 -d --additional-suffix=.jsonl "$DATA/tiny-train.jsonl" "$tmp/slice"
expect 0 train -q --min-df 1 --folds 3 --tone-file-folds -o "$tmp/tff" "$tmp"/slice0*.jsonl
has "$tmp/tff/model.json" '"folds_by":[[:space:]]*"file"'
has "$tmp/tff/model.json" '"files":[[:space:]]*3,'
expect 0 info "$tmp/tff"
has "$tmp/out" '^tone: +svr \(C [0-9.]+\) on [0-9]+ examples; cv \(folds by file\) Pearson'
expect 0 train -q --min-df 1 --folds 3 --tone-file-folds --threads 1 -o "$tmp/tff1" "$tmp"/slice0*.jsonl
cmp -s "$tmp/tff/weights.bin" "$tmp/tff1/weights.bin" && cmp -s "$tmp/tff/model.json" "$tmp/tff1/model.json" &&
    ok || fail "--tone-file-folds: the model depends on the thread count"
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/tfr" "$tmp"/slice0*.jsonl
if grep -q '"folds_by"' "$tmp/tfr/model.json"; then fail "folds_by without --tone-file-folds"; else ok; fi
if cmp -s "$tmp/tff/model.json" "$tmp/tfr/model.json"; then fail "--tone-file-folds changed nothing"; else ok; fi
expect_error 1 'tone file folds: 1 file carries tone, fewer than the 3 folds' \
    train -q --min-df 1 --folds 3 --tone-file-folds -o "$tmp/tff2" "$DATA/tiny-train.jsonl"
expect_error 1 'tone file folds: 2 files carry tone, fewer than the 3 folds' \
    train -q --min-df 1 --folds 3 --tone-file-folds -o "$tmp/tff2" "$tmp/slice00.jsonl" "$tmp/slice01.jsonl"
[ ! -e "$tmp/tff2" ] && ok || fail "a failed training left a model behind"

# --topic-file-folds: the topics' folds (C, Platt, thresholds, the card's cv figures) hold out
# whole input files, recorded on the card and shown by info; the same model for any thread
# count; too few files is an error
expect 0 train -q --min-df 1 --folds 3 --topic-file-folds -o "$tmp/pff" "$tmp"/slice0*.jsonl
has "$tmp/pff/model.json" '"folds_by":[[:space:]]*"file"'
expect 0 info "$tmp/pff"
has "$tmp/out" '^topics: .*, folds by file \(3 files\)$'
if grep -q '^tone: .*folds by file' "$tmp/out"; then fail "--topic-file-folds changed tone's folds"; else ok; fi
expect 0 train -q --min-df 1 --folds 3 --topic-file-folds --threads 1 -o "$tmp/pff1" "$tmp"/slice0*.jsonl
cmp -s "$tmp/pff/weights.bin" "$tmp/pff1/weights.bin" && cmp -s "$tmp/pff/model.json" "$tmp/pff1/model.json" &&
    ok || fail "--topic-file-folds: the model depends on the thread count"
if grep -q '"folds_by"' "$tmp/tfr/model.json"; then fail "folds_by without --topic-file-folds"; else ok; fi
# the cross-validated figures are out-of-file ones now
if [ "$(grep -o '"f1":[^,}]*' "$tmp/pff/model.json")" = "$(grep -o '"f1":[^,}]*' "$tmp/tfr/model.json")" ]; then
    fail "--topic-file-folds changed nothing in the topics' cross-validated F1"
else ok; fi
expect_error 1 'topic file folds: 2 files carry topics, fewer than the 3 folds' \
    train -q --min-df 1 --folds 3 --topic-file-folds -o "$tmp/pff2" "$tmp/slice00.jsonl" "$tmp/slice01.jsonl"
[ ! -e "$tmp/pff2" ] && ok || fail "a failed training left a model behind"

# lexicon errors name the file and the line
printf 'good\t0.5\nbad\t-0.5\ngood\t0.25\n' >"$tmp/duplex.tsv"
expect_error 1 "duplex.tsv:3: duplicate word 'good' (first on line 1)$" \
    train -q --min-df 1 --folds 3 --tone-lexicon "$tmp/duplex.tsv" -o "$tmp/bad" \
    "$DATA/tiny-train.jsonl"
printf '# no words\n' >"$tmp/nolex.tsv"
expect_error 1 "nolex.tsv: no words" \
    train -q --min-df 1 --folds 3 --tone-lexicon "$tmp/nolex.tsv" -o "$tmp/bad" \
    "$DATA/tiny-train.jsonl"
[ ! -e "$tmp/bad" ] && ok || fail "a failed training left a model behind"

# change words are on with a lexicon, recorded in the card; --no-change-words turns them off
printf 'unemployment\t-0.5\ndeaths\t-1\nprofits\t0.5\nwin\t0.5\ndefeat\t-0.5\n' >"$tmp/lex.tsv"
expect 0 train -q --min-df 1 --folds 3 --tone-lexicon "$tmp/lex.tsv" -o "$tmp/cw1" "$DATA/tiny-train.jsonl"
has "$tmp/cw1/model.json" '"lexicon_shift":[[:space:]]*1,'
expect 0 info "$tmp/cw1"
has "$tmp/out" 'lexicon stack \(5 words, change-word rules on\)'
has "$tmp/out" 'the regression learnt the label less 0.5 x a lexicon-only fit of it'
expect 0 train -q --min-df 1 --folds 3 --tone-lexicon "$tmp/lex.tsv" --no-change-words -o "$tmp/cw0" \
    "$DATA/tiny-train.jsonl"
has "$tmp/cw0/model.json" '"lexicon_shift":[[:space:]]*0,'
expect 0 info "$tmp/cw0"
has "$tmp/out" 'lexicon stack \(5 words, change-word rules off\)'
printf 'Deaths fell\nFewer deaths and unemployment fell.\n' >"$tmp/fell.txt"
expect 0 classify -m "$tmp/cw1" -f tsv "$tmp/fell.txt"
cp "$tmp/out" "$tmp/fell1"
expect 0 classify -m "$tmp/cw0" -f tsv "$tmp/fell.txt"
if cmp -s "$tmp/out" "$tmp/fell1"; then fail "--no-change-words: same tone for 'deaths fell'"; else ok; fi


# the lexicon baseline: on by default with a lexicon (weight 0.5, recorded in the card),
# --tone-baseline 0 turns it off and changes the tone; weights outside [0, 1] are refused
has "$tmp/cw1/model.json" '"weight":[[:space:]]*0.5,'
expect 0 train -q --min-df 1 --folds 3 --tone-lexicon "$tmp/lex.tsv" --tone-baseline 0 -o "$tmp/tb0" \
    "$DATA/tiny-train.jsonl"
if grep -q '"baseline"' "$tmp/tb0/model.json"; then fail "--tone-baseline 0: baseline in card"; else ok; fi
expect 0 info "$tmp/tb0"
if grep -q 'lexicon-only fit' "$tmp/out"; then fail "info: a baseline shown for weight 0"; else ok; fi
expect 0 classify -m "$tmp/cw1" -f tsv "$DATA/tiny-test.jsonl"
cut -f7 "$tmp/out" >"$tmp/tb05.tone"
expect 0 classify -m "$tmp/tb0" -f tsv "$DATA/tiny-test.jsonl"
if cut -f7 "$tmp/out" | cmp -s - "$tmp/tb05.tone"; then fail "--tone-baseline 0: same tones as 0.5"; else ok; fi
if grep -q '"baseline"' "$tmp/tfr/model.json"; then fail "baseline without a lexicon"; else ok; fi
for w in -0.1 1.5 x ''; do
    expect_error 2 "--tone-baseline needs a weight in \[0, 1\], not '$w'" \
        train -q --tone-lexicon "$tmp/lex.tsv" --tone-baseline "$w" -o "$tmp/tb2" "$DATA/tiny-train.jsonl"
done
[ ! -e "$tmp/tb2" ] && ok || fail "a refused option left a model behind"

# --tone-oof: every training article's cross-validated tone, consistent with the card
# (each article gets a second sentence, so that --lead-views adds its lead as an article)
sed 's/"text": "\([^"]*\)"/"text": "\1 Officials gave no further details on Monday evening."/' \
    "$DATA/tiny-train.jsonl" >"$tmp/two.jsonl"
expect 0 train -q --min-df 1 --folds 3 --lead-views --tone-lexicon "$SRC/training-data/tone-lexicon.tsv" \
    --tone-oof "$tmp/oof.jsonl" -o "$tmp/oofm" "$tmp/two.jsonl"
if [ -f "$tmp/oof.jsonl" ] && [ ! -e "$tmp/oof.jsonl.tmp" ]; then ok; else fail "--tone-oof: no file"; fi
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$tmp/oof.jsonl" "$tmp/oofm/model.json" "$tmp/two.jsonl" <<'EOF'
import json, math, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
card = json.load(open(sys.argv[2]))
tone = card["tone"]
n_in = sum(1 for line in open(sys.argv[3]) if line.strip())
c, sc = tone["stack"], tone["scale"]
assert len(rows) == tone["articles"] == n_in + card["training"]["lead_views"] > n_in, len(rows)
assert [r["lead_view"] for r in rows[:n_in]] == [False] * n_in and all(r["lead_view"] for r in rows[n_in:])
assert [r["line"] for r in rows[:n_in]] == list(range(1, n_in + 1))
assert {r["fold"] for r in rows} == {0, 1, 2}
for r in rows:  # the stack, scale and clamp of classify, on the out-of-fold parts
    L, s = r["lexicon"], r["oof_regression"]
    v = (c[0] + (c[1] + c[6] * L["shortness"]) * s + c[2] * L["mean"] + c[3] * L["per_10_tokens"]
         + c[4] * L["negative_share"] + c[5] * L["positive_share"])
    assert abs(max(-1, min(1, sc * v)) - r["oof_tone"]) < 1e-9, r
x = [r["oof_tone"] for r in rows]; y = [r["tone"] for r in rows]
mx, my = sum(x) / len(x), sum(y) / len(y)
p = sum((a - mx) * (b - my) for a, b in zip(x, y)) / math.sqrt(
    sum((a - mx) ** 2 for a in x) * sum((b - my) ** 2 for b in y))
assert abs(p - tone["cv"]["pearson"]) < 1e-5, (p, tone["cv"]["pearson"])
EOF
    then ok; else fail "--tone-oof rows disagree with the model card"; fi
fi
expect_error 1 "tone-oof: --no-tone trains no tone" train -q --min-df 1 --folds 3 --no-tone \
    --tone-oof "$tmp/oof2.jsonl" -o "$tmp/oofm2" "$DATA/tiny-train.jsonl"
if [ ! -e "$tmp/oof2.jsonl" ] && [ ! -e "$tmp/oofm2" ]; then ok; else fail "--tone-oof error left files"; fi

# --lead-views=N: with three sentences in every article, --lead-views=2 adds two leads of each
# (headline + first sentence, headline + first two), recorded in the card; 1..3 only
sed 's/"text": "\([^"]*\)"/"text": "\1 Officials gave no further details on Monday evening. A fuller statement is expected later this week."/' \
    "$DATA/tiny-train.jsonl" >"$tmp/three.jsonl"
expect 0 train -q --min-df 1 --folds 3 --lead-views=2 --tone-oof "$tmp/oof3.jsonl" -o "$tmp/lv2" "$tmp/three.jsonl"
expect 0 train -q --min-df 1 --folds 3 --lead-views -o "$tmp/lv1" "$tmp/three.jsonl"
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$tmp/three.jsonl" "$tmp/lv1/model.json" "$tmp/lv2/model.json" "$tmp/oof3.jsonl" <<'EOF'
import collections, json, sys
n = sum(1 for line in open(sys.argv[1]) if line.strip())
one, two = (json.load(open(p))["training"] for p in sys.argv[2:4])
assert one["lead_views"] == n and "lead_sentences" not in one, one
assert two["lead_views"] == 2 * n and two["lead_sentences"] == 2, two
lines = collections.Counter(json.loads(line)["line"] for line in open(sys.argv[4]))
assert set(lines.values()) == {3} and len(lines) == n, lines
EOF
    then ok; else fail "--lead-views=2: not two leads of every article"; fi
fi
for v in 0 4 x; do
    expect_error 2 "--lead-views needs 1, 2 or 3, not '$v'" \
        train -q --lead-views="$v" -o "$tmp/lvx" "$DATA/tiny-train.jsonl"
done
[ ! -e "$tmp/lvx" ] && ok || fail "a refused --lead-views left a model behind"

# --char-ngrams: character n-grams beside the words, recorded in the card, shown by info,
# byte-identical on rerun; classify scores the same from vocab.idx and from vocab.tsv; bad
# values and --hash-bits refused before reading
expect 0 train -q --min-df 1 --folds 3 --char-ngrams 3-5 -o "$tmp/ch1" "$DATA/tiny-train.jsonl"
has "$tmp/ch1/model.json" '"char_ngram_min":[[:space:]]*3,'
has "$tmp/ch1/model.json" '"char_ngram_max":[[:space:]]*5,'
has "$tmp/ch1/vocab.tsv" '	~<'
# format version 2, so that a build knowing only 1 refuses the bundle instead of scoring it
# without its character n-grams; a model without them stays version 1
has "$tmp/ch1/model.json" '"format_version":[[:space:]]*2,'
has "$tmp/m1/model.json" '"format_version":[[:space:]]*1,'
if grep -q '"char_ngram' "$tmp/m1/model.json"; then fail "a model without them records them"; else ok; fi
expect 0 info "$tmp/ch1"
has "$tmp/out" 'word 1\.\.2-grams and character 3-5-grams,'
expect 0 train -q --min-df 1 --folds 3 --char-ngrams 3-5 -o "$tmp/ch2" "$DATA/tiny-train.jsonl"
for f in model.json vocab.tsv vocab.idx weights.bin; do
    if cmp -s "$tmp/ch1/$f" "$tmp/ch2/$f"; then ok; else fail "--char-ngrams: $f differs between two runs"; fi
done
expect 0 classify -m "$tmp/ch1" -f json "$DATA/tiny-train.jsonl"
cp "$tmp/out" "$tmp/ch-idx.json"
rm "$tmp/ch2/vocab.idx"
expect 0 classify -m "$tmp/ch2" -f json "$DATA/tiny-train.jsonl"
if cmp -s "$tmp/out" "$tmp/ch-idx.json"; then ok; else fail "--char-ngrams: vocab.tsv and vocab.idx score differently"; fi
if [ "$(wc -l <"$tmp/out")" -eq "$(wc -l <"$DATA/tiny-train.jsonl")" ]; then ok; else fail "--char-ngrams: not every article classified"; fi
# a misspelt word still meets its parts: --explain names a character n-gram
printf 'Diplomatically\nxx\n' >"$tmp/misspelt.txt"
expect 0 classify -m "$tmp/ch1" -f json --explain 3 --text "$tmp/misspelt.txt"
has "$tmp/out" '"term":"~'
expect_error 2 "--char-ngrams needs M-N with 1 <= M <= N <= 8" train -o "$tmp/chb" --char-ngrams 5-3 "$DATA/tiny-train.jsonl"
expect_error 2 "not '0-4'" train -o "$tmp/chb" --char-ngrams 0-4 "$DATA/tiny-train.jsonl"
expect_error 2 "not '3-9'" cross-validate --char-ngrams 3-9 "$DATA/tiny-train.jsonl"
expect_error 2 "--char-ngrams needs a vocabulary: not with --hash-bits" train -o "$tmp/chb" --char-ngrams 4 --hash-bits 12 "$DATA/tiny-train.jsonl"
if [ ! -e "$tmp/chb" ]; then ok; else fail "a refused --char-ngrams left a model"; fi
# a model.json that claims them without a vocabulary to match, or out of range, is refused
cp -r "$tmp/ch1" "$tmp/ch3"
sed 's/"char_ngram_max":[[:space:]]*5/"char_ngram_max": 2/' "$tmp/ch1/model.json" >"$tmp/ch3/model.json"
expect_error 1 "char_ngram_min' and 'char_ngram_max' must be 1 <= min <= max <= 8" classify -m "$tmp/ch3" "$DATA/tiny-train.jsonl"

# an existing non-model directory is never overwritten
mkdir "$tmp/keep" && echo precious >"$tmp/keep/file"
expect_error 1 'not a model' train -q --min-df 1 --folds 3 -o "$tmp/keep" "$DATA/tiny-train.jsonl"
has "$tmp/keep/file" precious
finish
