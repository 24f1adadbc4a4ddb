#!/bin/sh
# t0200-classify.sh: `newsclass classify`: output formats, inputs (files, directories, stdin,
# JSON Lines), --explain, --threads, -o, the default model, a multi-topic article, and errors.
. "$(dirname "$0")/lib.sh"

expect 0 train -q --min-df 1 --folds 3 -o "$tmp/m" "$DATA/tiny-train.jsonl"
M="$tmp/m"

# JSON Lines: one object per article with the documented fields
expect 0 classify -m "$M" --format json "$DATA/tiny-test.jsonl"
n=$(wc -l <"$tmp/out")
[ "$n" -eq "$(grep -c . "$DATA/tiny-test.jsonl")" ] && ok || fail "expected one line per article, got $n"
for k in '"id":' '"scores":\{"cybersecurity":' '"labels":\[' '"primary":' '"tone":' '"tone_label":"(negative|neutral|positive)"' '"tone_interval":\[-?[0-9.]+,-?[0-9.]+\]\}$'; do
    has "$tmp/out" "$k"
done
cp "$tmp/out" "$tmp/one-thread"
# the 90% tone interval holds the tone, within [-1, 1], and is tone -+ the card's half-width
if command -v python3 >/dev/null 2>&1; then
    python3 - "$tmp/out" "$M/model.json" <<'PY' || fail "tone intervals are not tone -+ interval90"
import json, sys
q = json.load(open(sys.argv[2]))["tone"]["interval90"]
for line in open(sys.argv[1]):
    r = json.loads(line)
    lo, hi = r["tone_interval"]
    t = r["tone"]
    assert 0 < q <= 2 and -1 <= lo <= t <= hi <= 1, r
    assert abs(lo - max(-1, t - q)) < 2e-4 and abs(hi - min(1, t + q)) < 2e-4, (r, q)
PY
    ok
fi
# a bundle from before the interval (no tone.interval90) gives none; a bad one is refused
cp -r "$M" "$tmp/old"
sed 's/"interval90":[^,]*,//' "$M/model.json" >"$tmp/old/model.json"
expect 0 classify -m "$tmp/old" --format json "$DATA/tiny-test.jsonl"
if grep -q tone_interval "$tmp/out"; then fail "an old bundle got tone intervals"; else ok; fi
has "$tmp/out" '"tone_label":"(negative|neutral|positive)"\}$'
sed 's/"interval90":[^,]*,/"interval90": -0.5,/' "$M/model.json" >"$tmp/old/model.json"
expect_error 1 "tone.interval90" classify -m "$tmp/old" --format json "$DATA/tiny-test.jsonl"
# the JSON writer prints what cJSON would, byte for byte (NC_JSON_VIA_CJSON=1 takes cJSON's
# path), strings with quotes, backslashes, control characters and non-ASCII included
cat >"$tmp/odd.jsonl" <<'EOF2'
{"id":"q\"uo\\te\t\u0001\u001f","date":"2024-01-02","source":"Caf\u00e9 \"Planet\"","title":"Talks","text":"Ministers met for talks on trade and a summit."}
{"id":7,"title":"Match","text":"The striker scored twice as the club won the cup final."}
{"title":"Breach","text":"Hackers stole data in a ransomware attack on the network.","source":"a/b"}
EOF2
expect 0 classify -m "$M" --format json "$tmp/odd.jsonl"
cp "$tmp/out" "$tmp/odd-plain"
NC_JSON_VIA_CJSON=1 "$NC" classify -m "$M" --format json "$tmp/odd.jsonl" >"$tmp/odd-cjson" 2>"$tmp/err" ||
    fail "classify via cJSON failed"
if cmp -s "$tmp/odd-plain" "$tmp/odd-cjson"; then ok; else fail "JSON writer differs from cJSON"; fi
NC_JSON_VIA_CJSON=1 "$NC" classify -m "$M" --format json "$DATA/tiny-test.jsonl" >"$tmp/tiny-cjson" 2>"$tmp/err" ||
    fail "classify via cJSON failed"
if cmp -s "$tmp/one-thread" "$tmp/tiny-cjson"; then ok; else fail "JSON writer differs from cJSON"; fi
# threads never change the output
expect 0 classify -m "$M" --format json --threads 3 "$DATA/tiny-test.jsonl"
if cmp -s "$tmp/out" "$tmp/one-thread"; then ok; else fail "--threads 3 changed the output"; fi
# a larger input (750 articles, about 190 KB: three batches, and large enough for classify to
# start its threads) gives the same output for any thread count, in every format, from a file
# or a pipe (where the threads start only after the first batch)
for k in $(seq 25); do sed "s/\"id\": \"/&r$k-/" "$DATA/tiny-test.jsonl"; done >"$tmp/big.jsonl"
[ "$(wc -c <"$tmp/big.jsonl")" -gt 65536 ] && ok || fail "big.jsonl is not larger than 64 KB"
for f in json tsv table; do
    "$NC" classify -m "$M" --format $f --threads 1 "$tmp/big.jsonl" >"$tmp/big-1" 2>"$tmp/err" ||
        fail "classify --threads 1 ($f) failed"
    [ "$(grep -c . "$tmp/big-1")" -ge 750 ] && ok || fail "big input: too few lines ($f)"
    for t in 2 3 8; do
        "$NC" classify -m "$M" --format $f --threads $t "$tmp/big.jsonl" >"$tmp/big-t" 2>"$tmp/err" ||
            fail "classify --threads $t ($f) failed"
        if cmp -s "$tmp/big-1" "$tmp/big-t"; then ok; else fail "--threads $t changed the $f output"; fi
    done
    "$NC" classify -m "$M" --format $f --threads 2 - <"$tmp/big.jsonl" >"$tmp/big-t" 2>"$tmp/err" ||
        fail "classify from a pipe ($f) failed"
    if cmp -s "$tmp/big-1" "$tmp/big-t"; then ok; else fail "a pipe changed the $f output"; fi
done
# a stemming model through the pool (each thread has its own Snowball stemmer, freed when the
# thread ends: the sanitizer build of this test catches a leak)
expect 0 train -q --min-df 1 --folds 3 --stem -o "$tmp/mstem" "$DATA/tiny-train.jsonl"
"$NC" classify -m "$tmp/mstem" -f json --threads 1 "$tmp/big.jsonl" >"$tmp/stem-1" 2>"$tmp/err" ||
    fail "classify with a stemming model failed"
"$NC" classify -m "$tmp/mstem" -f json --threads 4 "$tmp/big.jsonl" >"$tmp/stem-4" 2>"$tmp/err" ||
    fail "classify with a stemming model on 4 threads failed"
if cmp -s "$tmp/stem-1" "$tmp/stem-4"; then ok; else fail "--threads 4 changed a stemming model's output"; fi
# a bad line in the third batch: the error names it, and -o leaves nothing behind
{ head -n 600 "$tmp/big.jsonl"; echo '{"id": "bad", "title": 5}'; tail -n 10 "$tmp/big.jsonl"; } >"$tmp/big-bad.jsonl"
expect_error 1 "big-bad.jsonl:601: 'title' must be a string" classify -m "$M" --threads 2 \
    -o "$tmp/big-bad.out" "$tmp/big-bad.jsonl"
[ ! -e "$tmp/big-bad.out" ] && ok || fail "a failed classify left its output file"
# piped output defaults to JSON
"$NC" classify -m "$M" "$DATA/tiny-test.jsonl" >"$tmp/piped" 2>/dev/null
if cmp -s "$tmp/piped" "$tmp/one-thread"; then ok; else fail "piped default is not JSON"; fi
# TSV and table
expect 0 classify -m "$M" --format tsv "$DATA/tiny-test.jsonl"
has "$tmp/out" '^id	primary	labels	cybersecurity	diplomacy	sport	tone	tone_label$'
expect 0 classify -m "$M" --format table "$DATA/tiny-test.jsonl"
has "$tmp/out" '^article +topics'
# the columns line up whatever the labels given (the topics column holds all three at once),
# and a tone that rounds to zero is never "-0.00"
n=$(awk '{ print length($0) }' "$tmp/out" | sort -u | wc -l)
[ "$n" -eq 1 ] && ok || fail "table lines differ in length: $(awk '{ print length($0) }' "$tmp/out" | sort -u | tr '\n' ' ')"
if grep -q -- '-0\.00 ' "$tmp/out"; then fail "table prints -0.00"; else ok; fi
expect 0 classify -m "$M" --format table "$DATA/multi-topic-article.txt"
has "$tmp/out" 'cybersecurity,diplomacy'
n=$(awk '{ print length($0) }' "$tmp/out" | sort -u | wc -l)
[ "$n" -eq 1 ] && ok || fail "table lines differ in length for a multi-topic article"
# a plain-text article, from a file and from stdin, with furniture stripped
expect 0 classify -m "$M" -f json "$DATA/multi-topic-article.txt"
has "$tmp/out" '"id":"[^"]*multi-topic-article.txt"'
"$NC" classify -m "$M" -f json - <"$DATA/multi-topic-article.txt" >"$tmp/stdin" 2>"$tmp/err" || fail "stdin classify failed"
has "$tmp/stdin" '"id":"-"'
# JSON Lines on stdin is recognised
"$NC" classify -m "$M" -f json <"$DATA/tiny-test.jsonl" >"$tmp/stdin2" 2>"$tmp/err" || fail "stdin jsonl failed"
if cmp -s "$tmp/stdin2" "$tmp/one-thread"; then ok; else fail "JSONL on stdin differs from the file"; fi
# a directory of articles
mkdir -p "$tmp/dir/sub"
cp "$DATA/multi-topic-article.txt" "$tmp/dir/a.txt"
cp "$DATA/unrelated-article.txt" "$tmp/dir/sub/b.txt"
expect 0 classify -m "$M" -f json "$tmp/dir"
[ "$(wc -l <"$tmp/out")" -eq 2 ] && ok || fail "directory: expected 2 articles"
# --explain gives terms and contributions
expect 0 classify -m "$M" -f json --explain 3 "$DATA/multi-topic-article.txt"
has "$tmp/out" '"explain":\{'
has "$tmp/out" '"term":"[^"]+","contribution":-?[0-9.]+'
# -o writes atomically and leaves no temporary
expect 0 classify -m "$M" -f json -o "$tmp/out.jsonl" "$DATA/tiny-test.jsonl"
if cmp -s "$tmp/out.jsonl" "$tmp/one-thread"; then ok; else fail "-o output differs"; fi
ls "$tmp" | grep -q 'out.jsonl.tmp' && fail "temporary left behind" || ok

# errors: file:line, exit 1, nothing on stdout, no output file
printf '{"title": "x", "text": "y"}\n{"title": 5}\n' >"$tmp/bad.jsonl"
expect_error 1 "bad.jsonl:2: 'title'" classify -m "$M" -f json -o "$tmp/never.jsonl" "$tmp/bad.jsonl"
[ -e "$tmp/never.jsonl" ] && fail "an output file was left after an error" || ok
expect_error 1 "cannot open model" classify -m "$tmp/nomodel" "$DATA/tiny-test.jsonl"
expect_error 1 "cannot open '$tmp/nofile.txt'" classify -m "$M" "$tmp/nofile.txt"
printf 'binary\000data' >"$tmp/bin.txt"
expect_error 1 "binary file" classify -m "$M" "$tmp/bin.txt"
printf '\n\n  \n' >"$tmp/blank.txt"
expect_error 1 "empty article" classify -m "$M" "$tmp/blank.txt"
# an empty or blank JSON Lines input: the error names it
printf '\n  \n' >"$tmp/blank.jsonl"
: >"$tmp/empty.jsonl"
expect_error 1 "no articles in '$tmp/blank.jsonl'$" classify -m "$M" "$tmp/blank.jsonl"
expect_error 1 "no articles in '$tmp/empty.jsonl' or '$tmp/blank.jsonl'$" \
    classify -m "$M" "$tmp/empty.jsonl" "$tmp/blank.jsonl"
# a known field twice (the second was never checked), \u0000 in one (it cut the string short)
printf '{"text": "x", "tone": 0.1, "tone": 5}\n' >"$tmp/dup.jsonl"
expect_error 1 "dup.jsonl:1: duplicate key 'tone'$" classify -m "$M" "$tmp/dup.jsonl"
printf '{"text": "x", "date": "2024-01-01\\u0000junk"}\n' >"$tmp/nul.jsonl"
expect_error 1 "nul.jsonl:1: 'date' contains a NUL character" classify -m "$M" "$tmp/nul.jsonl"
# binary data without a line end is refused after its first chunk, not read whole (it used to
# take gigabytes of memory); timeout's 124 would mean it is still reading
if command -v timeout >/dev/null 2>&1; then
    timeout 60 "$NC" classify -m "$M" /dev/zero >"$tmp/out" 2>"$tmp/err"
    st=$?
    [ "$st" -eq 1 ] && ok || fail "classify /dev/zero exited $st"
    contains "$tmp/err" "'/dev/zero': binary file (NUL byte at offset 0)"
    timeout 60 "$NC" classify -m "$M" --jsonl /dev/zero >"$tmp/out" 2>"$tmp/err"
    st=$?
    [ "$st" -eq 1 ] && ok || fail "classify --jsonl /dev/zero exited $st"
    contains "$tmp/err" "/dev/zero:1: NUL byte (binary file?)"
    # 200,000 topics on one line: linear time (the scan for duplicates took minutes)
    awk 'BEGIN { printf "{\"id\":\"L\",\"text\":\"y\",\"topics\":[";
                 for (i = 0; i < 200000; i++) printf "%s\"t%d\"", i ? "," : "", i % 150000;
                 print "]}" }' >"$tmp/topics.jsonl"
    timeout 60 "$NC" classify -m "$M" -f json "$tmp/topics.jsonl" >"$tmp/out" 2>"$tmp/err"
    st=$?
    [ "$st" -eq 0 ] && ok || fail "classify of 200,000 topics exited $st"
    has "$tmp/out" '^\{"id":"L",'
fi

# The shipped default model: found without -m; a multi-topic article comes out multi-topic
if [ -f "$SRC/models/default/model.json" ]; then
    expect 0 classify -f json "$DATA/multi-topic-article.txt" "$DATA/unrelated-article.txt"
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$tmp/out" "$SRC/models/default/model.json" <<'PY' && ok || fail "multi-topic article"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
card = json.load(open(sys.argv[2]))
thr = {l["name"]: l["threshold"] for l in card["topics"]["labels"]}
multi, other = rows
bad = []
for t in ("diplomacy", "cybersecurity"):
    if multi["scores"][t] < thr[t]:
        bad.append("%s %.3f below its threshold %.3f" % (t, multi["scores"][t], thr[t]))
if not multi["scores"]["sport"] > other["scores"]["sport"] + 0.2:
    bad.append("sport %.3f not well above the unrelated article's %.3f" % (multi["scores"]["sport"], other["scores"]["sport"]))
if not multi["tone"] < 0:
    bad.append("tone %.3f is not negative" % multi["tone"])
if other["labels"]:
    bad.append("the unrelated article got %s" % other["labels"])
for b in bad:
    print("multi-topic article: " + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
    fi
    # tone does not drift with length (the default model stacks a lexicon): once vs ten times;
    # a mild paragraph, so that clamping at +-1 cannot hide a drift
    para='The council approved the new budget after a long debate, though several members warned that costs could rise again next year.'
    printf '%s\n' "$para" | sed 's/^/{"id": "once", "text": "/; s/$/"}/' >"$tmp/len.jsonl"
    rep=$(for i in 1 2 3 4 5 6 7 8 9 10; do printf '%s\\n\\n' "$para"; done)
    printf '{"id": "ten", "text": "%s"}\n' "$rep" >>"$tmp/len.jsonl"
    expect 0 classify -f tsv "$tmp/len.jsonl"
    t1=$(awk -F'\t' '$1 == "once" { print $(NF-1) }' "$tmp/out")
    t10=$(awk -F'\t' '$1 == "ten" { print $(NF-1) }' "$tmp/out")
    if awk "BEGIN { d = $t1 - $t10; exit !(d < 0.05 && d > -0.05) }"; then ok; else
        fail "tone drifts with length: once $t1, ten times $t10"
    fi
fi
# --tone-parts: the regression score and lexicon features the tone is made of
expect 0 classify -m "$SRC/models/default" -f json --tone-parts "$DATA/tiny-test.jsonl"
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$tmp/out" "$SRC/models/default/model.json" <<'EOF'
import json, sys
tone = json.load(open(sys.argv[2]))["tone"]
c, sc = tone["stack"], tone["scale"]
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    t = d["tone_parts"]
    L, s = t["lexicon"], t["regression"]
    v = (c[0] + (c[1] + c[6] * L["shortness"]) * s + c[2] * L["mean"] + c[3] * L["per_10_tokens"]
         + c[4] * L["negative_share"] + c[5] * L["positive_share"])
    assert abs(max(-1, min(1, sc * v)) - d["tone"]) <= 5.1e-5, d  # the JSON tone has 4 places
    n += 1
assert n == 30, n
EOF
    then ok; else fail "--tone-parts does not make up the tone"; fi
fi
expect_error 2 "tone-parts needs --format json" classify -m "$M" -f tsv --tone-parts "$DATA/tiny-test.jsonl"
expect 0 train -q --min-df 1 --folds 3 --no-tone -o "$tmp/notone" "$DATA/tiny-train.jsonl"
expect_error 1 "tone-parts: model '.*' has no tone" classify -m "$tmp/notone" -f json --tone-parts \
    "$DATA/tiny-test.jsonl"
# a bad record ends the run (exit 1) after everything read before it is written, whatever the
# batch it falls in and the number of threads
awk 'BEGIN { for (i = 1; i <= 600; i++)
    if (i == 300) print "{bad"; else printf "{\"id\": \"a%d\", \"text\": \"Ministers met to talk about trade.\"}\n", i }' \
    >"$tmp/bad300.jsonl"
for t in 1 2; do
    "$NC" classify -t "$t" -f tsv "$tmp/bad300.jsonl" >"$tmp/out" 2>"$tmp/err"
    if [ $? -eq 1 ] && [ "$(wc -l <"$tmp/out")" -eq 300 ] && grep -q "bad300.jsonl:300: malformed JSON" "$tmp/err"; then
        ok; else fail "classify -t $t: the 299 articles before a bad line 300 not all written (got $(wc -l <"$tmp/out") lines)"; fi
done
# no FILE and a terminal on standard input: classify says it is reading it (not a silent wait);
# from a pipe or a file it says nothing
if command -v script >/dev/null 2>&1; then
    script -qec "'$NC' classify -f json" /dev/null </dev/null >"$tmp/tty.out" 2>&1
    if grep -q "newsclass classify: reading articles from standard input (end with Ctrl-D" "$tmp/tty.out"; then
        ok; else fail "no hint on a terminal: $(head -c 300 "$tmp/tty.out")"; fi
fi
"$NC" classify -f json <"$DATA/tiny-test.jsonl" >/dev/null 2>"$tmp/err"
if grep -q 'reading articles' "$tmp/err"; then fail "hint printed for a redirected stdin"; else ok; fi
finish
