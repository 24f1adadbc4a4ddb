#!/bin/sh
# t0400-timeline.sh: `newsclass timeline`: exact numbers from classify-style records (no model
# needed), empty periods, topics, weighting and grouping, table/CSV/JSON/SVG output, bad dates
# reported and skipped, all-bad dates refused, --merge of shards equal to one run, scoring with
# a tiny model, file-name dates, and usage errors.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

C=$DATA/timeline-classified.jsonl

# same FILE1 FILE2 WHAT: byte-identical files
same() {
    if cmp -s "$1" "$2"; then ok; else
        fail "$3 differ"
        diff "$1" "$2" | head -10 >&2
    fi
}

# line FILE TEXT: FILE has exactly that line
line() {
    if grep -q -x -F -- "$2" "$1"; then ok; else fail "$1 lacks line '$2'"; fi
}

# ---- usage
expect 0 timeline --help
has "$tmp/out" '^usage: newsclass timeline'
expect_error 2 "unknown period 'year'" timeline --by year "$C"
expect_error 2 "'--weighted' needs '--topic'" timeline --weighted "$C"
expect_error 2 "exclude each other" timeline --csv --json "$C"
expect_error 2 "invalid window '0'" timeline --window 0 "$C"
expect_error 2 "invalid window '1001' (1 to 1000 periods)" timeline --window 1001 "$C"
# a date thousands of years away is an error naming it, not a run over millions of empty days
printf '%s\n' '{"id":"a","date":"2024-01-01","tone":0.5,"scores":{"sport":0.5},"labels":[]}' \
    '{"id":"b","date":"9999-12-31","tone":-0.5,"scores":{"sport":0.5},"labels":[]}' \
    >"$tmp/far.jsonl"
expect_error 1 'far.jsonl:2: the dates would run from 2024-01-01 to 9999-12-31, 2913174 days; a timeline spans at most 100000 periods' \
    timeline --by day "$tmp/far.jsonl"
# --since/--until leave such a date out (counted, not reported one by one), or everything
expect 0 timeline --by day --until 2030-12-31 --csv "$tmp/far.jsonl"
contains "$tmp/err" "left out 1 article dated outside --since/--until"
[ "$(grep -c '^all,' "$tmp/out")" -eq 1 ] && ok || fail "--until kept the far date"
expect_error 1 "no article dated within --since/--until (2 outside, 0 skipped)" \
    timeline --since 2030-01-01 --until 2031-01-01 "$tmp/far.jsonl"
expect_error 2 "invalid date '2024-13-01' for --since (YYYY-MM-DD)" timeline --since 2024-13-01 "$tmp/far.jsonl"
expect_error 2 "'--since' is after '--until'" timeline --since 2025-01-01 --until 2024-01-01 "$tmp/far.jsonl"
expect_error 2 "'--merge' takes topic" timeline --merge --since 2024-01-01 "$tmp/far.jsonl"
# one JSON object is built in memory: past 200,000 series x periods it is refused before
# anything is written (CSV streams, so it is not limited)
printf '%s\n' '{"id":"a","date":"1830-01-01","tone":0.5,"scores":{"sport":0.5},"labels":[]}' \
    '{"id":"b","date":"2020-01-01","tone":0.5,"scores":{"sport":0.5},"labels":[]}' \
    '{"id":"c","date":"2020-01-02","tone":0.5,"scores":{"sport":0.5},"labels":[]}' >"$tmp/wide.jsonl"
expect_error 1 "the JSON would hold 3 series x 69398 periods, more than the 200000 rows" \
    timeline --by day --group-by id --json "$tmp/wide.jsonl"
expect 0 timeline --by day --group-by id --csv "$tmp/wide.jsonl"
expect 0 timeline --by day --json "$tmp/wide.jsonl"
expect 0 timeline --by month --csv "$tmp/far.jsonl"
[ "$(grep -c . "$tmp/out")" -gt 95000 ] && ok || fail "--by month over 8,000 years"
expect_error 2 "'--merge' needs partial files" timeline --merge
expect_error 2 "reads no corpus" timeline --merge --topic sport "$tmp/x.partial"
expect_error 1 "cannot open '$tmp/missing.jsonl'" timeline "$tmp/missing.jsonl"

# ---- classify output, by week: hand-computed values
# W09: tones 0.5 -0.5 0.25 1 -> mean 0.3125, sd 0.625, CI 0.3125 -/+ 3.1824 * 0.3125 (upper
# end clipped to 1), median 0.375; W10: -0.2 0 -> -0.1; W11 empty; W12: 0.6 0.4 -> 0.5
expect 0 timeline --csv "$C"
[ -s "$tmp/err" ] && fail "stderr not empty: $(cat "$tmp/err")"
cp "$tmp/out" "$tmp/week.csv"
line "$tmp/week.csv" 'series,period,first_day,last_day,n,sum_w,n_eff,mean,sd,ci95_low,ci95_high,median,median_exact,share_negative,share_neutral,share_positive,rolling_mean'
line "$tmp/week.csv" 'all,2024-W09,2024-02-26,2024-03-03,4,4,4,0.3125,0.625,-0.682014,1,0.375,1,0.25,0.25,0.5,'
line "$tmp/week.csv" 'all,2024-W10,2024-03-04,2024-03-10,2,2,2,-0.1,0.141421,-1,1,-0.1,1,0,1,0,'
line "$tmp/week.csv" 'all,2024-W11,2024-03-11,2024-03-17,0,0,0,,,,,,,,,,'
line "$tmp/week.csv" 'all,2024-W12,2024-03-18,2024-03-24,2,2,2,0.5,0.141421,-0.770621,1,0.5,1,0,0,1,'
if [ "$(wc -l <"$tmp/week.csv")" -eq 5 ]; then ok; else fail "expected 4 weeks"; fi

expect 0 timeline "$C"
has "$tmp/out" '^tone by week: all articles'
has "$tmp/out" '^8 articles, 2024-W09 to 2024-W12 \(4 weeks\)'
has "$tmp/out" '^2024-W09 +4 +\+0\.312 +0\.625 +\[-0\.682, \+1\.000\] +\+0\.375 +25% +25% +50%'
has "$tmp/out" '^2024-W11 +0 +- +- +- +- +- +- +-$'
has "$tmp/out" '^trend: '
has "$tmp/out" '^notable changes'

expect 0 timeline --json --window 2 "$C"
has "$tmp/out" '^\{"by":"week","topic":null,"weighted":false,"group_by":null,"window":2,'
has "$tmp/out" '"period":"2024-W11","first_day":"2024-03-11","last_day":"2024-03-17","n":0,'
has "$tmp/out" '"trend":\[\{"series":"all","unit":"week","periods_with_articles":3,'
has "$tmp/out" '"changes":\['
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d["periods"]) == 4; assert d["periods"][1]["rolling_mean"] == 0.175' <"$tmp/out"; then ok; else fail "JSON output"; fi
fi

# by day and month; stdin needs --from-classify
expect 0 timeline --by month --csv --from-classify - <"$C"
line "$tmp/out" 'all,2024-02,2024-02-01,2024-02-29,3,3,3,0.0833333,0.520416,-1,1,0.25,1,0.333333,0.333333,0.333333,'
expect 0 timeline --by day --csv "$C"
if [ "$(grep -c '^all,' "$tmp/out")" -eq 24 ]; then ok; else fail "expected 24 days (2024-02-26 to 03-20)"; fi
line "$tmp/out" 'all,2024-03-03,2024-03-03,2024-03-03,1,1,1,1,,,,1,1,0,0,1,'

# topics: filter, weights, one series per topic, groups
expect 0 timeline --csv --topic sport "$C"
line "$tmp/out" 'sport,2024-W09,2024-02-26,2024-03-03,3,3,3,0.583333,0.381881,-0.365312,1,0.5,1,0,0.333333,0.666667,'
line "$tmp/out" 'sport,2024-W11,2024-03-11,2024-03-17,0,0,0,,,,,,,,,,'
expect 0 timeline --csv --topic sport --weighted "$C"
has "$tmp/out" '^sport,2024-W09,2024-02-26,2024-03-03,4,2\.36,[0-9.]+,0\.584746,'
expect 0 timeline --csv --topic all "$C"
if [ "$(grep -c '^diplomacy,' "$tmp/out")" -eq 4 ] && [ "$(grep -c '^sport,' "$tmp/out")" -eq 4 ]; then
    ok
else
    fail "--topic all: one series per topic"
fi
expect 0 timeline --topic all "$C"
has "$tmp/out" '\| diplomacy +\| sport'
expect 0 timeline --csv --group-by source "$C"
has "$tmp/out" '^Hill Town Herald,2024-W09,2024-02-26,2024-03-03,2,'
has "$tmp/out" '^Lakeside Ledger,2024-W09,2024-02-26,2024-03-03,2,'
expect 0 timeline --topic nosuch "$C"
has "$tmp/err" "no article carries topic 'nosuch'"

# ---- bad dates: none valid -> exit 1, message, nothing on stdout
expect_error 1 'no article with a valid date (3 skipped)' timeline "$DATA/timeline-nodates.jsonl"
has "$tmp/err" 'timeline-nodates.jsonl:1: missing date, skipped'
has "$tmp/err" "timeline-nodates.jsonl:3: invalid date '2023-02-30', skipped"

# ---- SVG: written atomically, well formed
expect 0 timeline --by day --window 3 --svg "$tmp/chart.svg" "$C"
if [ -s "$tmp/chart.svg" ]; then ok; else fail "no SVG written"; fi
if command -v xmllint >/dev/null 2>&1; then
    if xmllint --noout "$tmp/chart.svg"; then ok; else fail "SVG is not well-formed XML"; fi
else
    has "$tmp/chart.svg" '</svg>'
fi
has "$tmp/chart.svg" 'Tone over time: .*timeline-classified.jsonl'
has "$tmp/chart.svg" '95% CI of the mean'
if ls "$tmp"/chart.svg.tmp.* >/dev/null 2>&1; then fail "temporary SVG left behind"; else ok; fi
expect_error 1 "cannot create '$tmp/no/dir.svg'" timeline --svg "$tmp/no/dir.svg" "$C"

# ---- partials of classify output: two shards merged == one run
head -n 3 "$C" >"$tmp/c1.jsonl"
tail -n +4 "$C" >"$tmp/c2.jsonl"
expect 0 timeline --by day --topic sport --weighted --partial "$tmp/c1.part" "$tmp/c1.jsonl"
expect 0 timeline --by day --topic sport --weighted --partial "$tmp/c2.part" "$tmp/c2.jsonl"
has "$tmp/c1.part" '^\{"format":"newsclass-timeline-partial","version":2,"by":"day","topic":"sport"'
expect 0 timeline --by week --topic sport --weighted --csv "$C"
cp "$tmp/out" "$tmp/whole.csv"
expect 0 timeline --merge --by week --csv "$tmp/c2.part" "$tmp/c1.part"
same "$tmp/whole.csv" "$tmp/out" "--merge of day shards by week vs one run"
expect 0 timeline --by week --partial "$tmp/w.part" "$tmp/c1.jsonl"
expect_error 1 'partial is by week; cannot merge it by day' timeline --merge --by day "$tmp/w.part"
expect_error 1 'not a newsclass timeline partial' timeline --merge "$tmp/c1.part" "$C"
expect_error 1 'partial has other settings' timeline --merge "$tmp/c1.part" "$tmp/w.part"
# a damaged partial is refused with the line and what is wrong, never a crash or a huge
# allocation: a key beyond 9999-12-31, sums that do not add up, sums that would overflow (three
# days of one month, merged by month; the header's counts made to match the records)
python3 - "$tmp/c1.part" "$tmp" <<'PY'
import datetime, json, sys
lines = open(sys.argv[1]).read().splitlines()
head, rec = json.loads(lines[0]), json.loads(lines[1])
def write(name, recs, h=head):
    h = dict(h, series_records=[len(recs)], series_n=[str(sum(int(r["n"]) for r in recs))])
    with open(sys.argv[2] + "/" + name, "w") as f:
        f.write(json.dumps(h) + "\n" + "".join(json.dumps(r) + "\n" for r in recs))
write("farkey.part", [rec, dict(rec, key=2 ** 40)])
write("badsum.part", [dict(rec, sw=str(int(rec["sw"]) + 1))])
epoch = datetime.date(1970, 1, 1)
k0 = ((epoch + datetime.timedelta(rec["key"])).replace(day=1) - epoch).days
big = dict(rec, n=str(2 ** 40), sw=str(2 ** 63), sw2="0", swx="0", swx2="0",
           classes=["0", str(2 ** 63), "0"], hist=[[0, str(2 ** 63)]])
write("overflow.part", [dict(big, key=k0 + i) for i in range(3)], dict(head, first=k0, last=k0 + 2))
write("farhead.part", [rec], dict(head, last=10 ** 12))
PY
expect_error 1 "farkey.part:3: 'key' is not a day between 0001-01-01 and 9999-12-31" \
    timeline --merge "$tmp/farkey.part"
expect_error 1 "badsum.part:2: malformed partial record: its class weights or histogram do not add up to 'sw'" \
    timeline --merge "$tmp/badsum.part"
expect_error 1 "overflow.part:3: sums too large: merging this record would overflow" \
    timeline --merge --by month "$tmp/overflow.part"
expect_error 1 "farhead.part: partial header's 'first' and 'last' are not periods" \
    timeline --merge "$tmp/farhead.part"
# a partial that is valid line by line but not whole is refused too: its header counts the
# records and articles of every series (version 2), so a file cut at any line boundary, a
# record repeated or a record of a series the header does not declare all fail, where they
# once merged silently into wrong counts
expect 0 timeline --partial "$tmp/all.part" "$C"
has "$tmp/all.part" '"series":\["all"\],"series_records":\[3\],"series_n":\["8"\]\}$'
head -n 1 "$tmp/all.part" >"$tmp/cut.part"
expect_error 1 "cut.part: series 'all' has 0 records with 0 articles, but the header says 3 with 8 (the file was cut short or edited)" \
    timeline --merge "$tmp/cut.part"
nlines=$(wc -l <"$tmp/all.part")
i=2
while [ "$i" -lt "$nlines" ]; do
    head -n "$i" "$tmp/all.part" >"$tmp/cut.part"
    expect_error 1 "cut.part: series 'all' has $((i - 1)) records with [0-9]* articles, but the header says 3 with 8" \
        timeline --merge "$tmp/cut.part"
    i=$((i + 1))
done
i=2
while [ "$i" -le "$nlines" ]; do
    { cat "$tmp/all.part"; sed -n "${i}p" "$tmp/all.part"; } >"$tmp/twice.part"
    expect_error 1 "twice.part:$((nlines + 1)): a second record for series 'all', period 2024-W[0-9]* (the first is on line $i)" \
        timeline --merge "$tmp/twice.part"
    i=$((i + 1))
done
sed '2s/"series":"all"/"series":"other"/' "$tmp/all.part" >"$tmp/undeclared.part"
expect_error 1 "undeclared.part:2: series 'other' is not among the header's series" \
    timeline --merge "$tmp/undeclared.part"
# with several series each is counted: one series' record dropped (--topic all, one run)
expect 0 timeline --topic all --partial "$tmp/topics.part" "$C"
grep -v '"series":"sport","key":2827' "$tmp/topics.part" >"$tmp/nosport.part"
if cmp -s "$tmp/topics.part" "$tmp/nosport.part"; then fail "no sport record in 2024-W10"; else ok; fi
expect_error 1 "nosport.part: series 'sport' has 2 records with 4 articles, but the header says 3 with 5" \
    timeline --merge "$tmp/nosport.part"
# a record outside the header's range; a header listing a series twice or miscounting them
sed '2s/"key":2826,/"key":2830,/' "$tmp/all.part" >"$tmp/outside.part"
expect_error 1 "outside.part:2: 'key' is outside the header's range" timeline --merge "$tmp/outside.part"
sed '1s/"series":\["all"\],"series_records":\[3\],"series_n":\["8"\]/"series":["all","all"],"series_records":[3,0],"series_n":["8","0"]/' \
    "$tmp/all.part" >"$tmp/twicehead.part"
expect_error 1 "twicehead.part: malformed partial header: series 'all' is listed twice" \
    timeline --merge "$tmp/twicehead.part"
sed '1s/"series_records":\[3\]/"series_records":[]/' "$tmp/all.part" >"$tmp/nocount.part"
expect_error 1 "nocount.part: malformed partial header: 'series_records' and 'series_n' must be arrays as long as 'series'" \
    timeline --merge "$tmp/nocount.part"
# version 1 partials (no per-series counts) still merge, with the other checks: without a
# topic the records must still hold the header's articles; unknown versions are refused
sed '1s/"version":2,/"version":1,/; 1s/,"series_records":.*\}$/}/' "$tmp/all.part" >"$tmp/v1.part"
expect 0 timeline --merge --csv "$tmp/v1.part"
cp "$tmp/out" "$tmp/v1.csv"
expect 0 timeline --merge --csv "$tmp/all.part"
same "$tmp/v1.csv" "$tmp/out" "--merge of a version 1 and a version 2 partial"
head -n 2 "$tmp/v1.part" >"$tmp/v1cut.part"
expect_error 1 "v1cut.part: the records hold 4 articles, but the header says 8 (the file was cut short or edited)" \
    timeline --merge "$tmp/v1cut.part"
sed '1s/"version":2,/"version":3,/' "$tmp/all.part" >"$tmp/v3.part"
expect_error 1 "v3.part: unsupported partial version (this newsclass reads versions 1 to 2)" \
    timeline --merge "$tmp/v3.part"

# a write error on standard output is reported as such (the table fits stdio's buffer, so it
# shows only when flushed)
if [ -w /dev/full ]; then
    for fmt in "" --csv --json; do
        # shellcheck disable=SC2086
        "$NC" timeline $fmt "$C" >/dev/full 2>"$tmp/err"
        rc=$?
        [ "$rc" -eq 1 ] && ok || fail "timeline $fmt >/dev/full exited $rc, expected 1"
        has "$tmp/err" '^newsclass timeline: cannot write standard output: No space left on device$'
    done
fi

# text the SVG cannot hold as XML 1.0 (U+FFFE, a control character, bytes that are not UTF-8)
# becomes U+FFFD; markup characters are escaped
sed '1s/"Lakeside Ledger"/"Lake\\ufffeside\\u0001 \& <Ledger>"/' "$C" >"$tmp/oddsrc.jsonl"
printf '{"date":"2024-03-01","source":"bad \377\376 bytes","scores":{},"labels":[],"tone":0.1}\n' \
    >>"$tmp/oddsrc.jsonl"
expect 0 timeline --group-by source --svg "$tmp/oddsrc.svg" "$tmp/oddsrc.jsonl"
contains "$tmp/oddsrc.svg" "$(printf 'Lake\357\277\275side &amp; &lt;Ledger&gt;')" \
    "$(printf 'bad \357\277\275\357\277\275 bytes')"
xml_clean "$tmp/oddsrc.svg" "the SVG of odd sources"

# ---- with a model: score articles, bad dates, merge equality
if ! "$NC" train -q --min-df 1 --folds 3 -o "$tmp/m" "$DATA/tiny-train.jsonl" 2>"$tmp/train.err"; then
    echo "SKIP: cannot train a model for the scoring tests" >&2
    cat "$tmp/train.err" >&2
    finish
    exit $?
fi

expect 0 timeline -m "$tmp/m" --csv "$DATA/timeline-baddates.jsonl"
has "$tmp/err" 'timeline-baddates.jsonl:2: missing date, skipped'
has "$tmp/err" "timeline-baddates.jsonl:3: invalid date '2024-02-30', skipped"
has "$tmp/err" "timeline-baddates.jsonl:7: invalid date '', skipped"
has "$tmp/err" 'skipped 7 articles with a missing or invalid date \(the first 5 shown\)'
if [ "$(grep -c ', skipped$' "$tmp/err")" -eq 5 ]; then ok; else fail "expected 5 reported bad dates"; fi
if grep -q 'timeline-baddates.jsonl:8:' "$tmp/err"; then fail "more than 5 reported"; else ok; fi
has "$tmp/out" '^all,2024-W02,2024-01-08,2024-01-14,2,'
has "$tmp/out" '^all,2024-W03,2024-01-15,2024-01-21,0,'
has "$tmp/out" '^all,2024-W04,2024-01-22,2024-01-28,2,'
expect 0 timeline -q -m "$tmp/m" "$DATA/timeline-baddates.jsonl"
if [ -s "$tmp/err" ]; then fail "-q: stderr not empty"; else ok; fi

# scoring directly and via classify output give the same counts per period
expect 0 timeline -m "$tmp/m" --by month --csv "$DATA/tiny-train.jsonl"
cut -d, -f1-5 "$tmp/out" >"$tmp/direct.cut"
"$NC" classify -m "$tmp/m" --format json "$DATA/tiny-train.jsonl" >"$tmp/classified.jsonl" 2>/dev/null
expect 0 timeline --by month --csv "$tmp/classified.jsonl"
cut -d, -f1-5 "$tmp/out" >"$tmp/via.cut"
same "$tmp/direct.cut" "$tmp/via.cut" "counts scored directly and from classify output"
if [ "$(grep -c '^all,' "$tmp/direct.cut")" -eq 23 ]; then ok; else fail "tiny-train spans 23 months"; fi

# shards: one run over the whole corpus == merge of two partials (table, CSV, JSON)
head -n 45 "$DATA/tiny-train.jsonl" >"$tmp/s1.jsonl"
tail -n +46 "$DATA/tiny-train.jsonl" >"$tmp/s2.jsonl"
for opts in "--by month" "--by week --topic all" "--by month --topic diplomacy --weighted --window 2"; do
    # shellcheck disable=SC2086
    {
        expect 0 timeline -m "$tmp/m" $opts --partial "$tmp/p1" "$tmp/s1.jsonl"
        expect 0 timeline -m "$tmp/m" $opts --partial "$tmp/p2" "$tmp/s2.jsonl"
        w=$(echo "$opts" | sed -n 's/.*--window \([0-9]*\).*/--window \1/p')
        for fmt in "" --csv --json; do
            expect 0 timeline -m "$tmp/m" $opts $fmt "$DATA/tiny-train.jsonl"
            grep -v '^input: ' "$tmp/out" | sed 's/"inputs":\[[^]]*\]//' >"$tmp/one"
            expect 0 timeline --merge $w $fmt "$tmp/p1" "$tmp/p2"
            grep -v '^input: ' "$tmp/out" | sed 's/"inputs":\[[^]]*\]//' >"$tmp/merged"
            same "$tmp/one" "$tmp/merged" "one run vs --merge ($opts $fmt)"
        done
    }
done

# a directory of text files dated by their names
mkdir "$tmp/dir"
printf 'Harbour festival draws record crowds\nThousands came to the quay for music and fireworks.\n' >"$tmp/dir/2024-03-01-festival.txt"
printf 'Storm damage closes coastal road\nEngineers say repairs will take weeks.\n' >"$tmp/dir/news_2024-03-19.txt"
printf 'Council approves new library\nBuilding work starts in the spring.\n' >"$tmp/dir/undated.txt"
expect 0 timeline -m "$tmp/m" --by month --date-from-name --csv "$tmp/dir"
has "$tmp/out" '^all,2024-03,2024-03-01,2024-03-31,2,'
has "$tmp/err" 'undated.txt: no date in the file name or the article, skipped'
# nothing read at all: the error names the input
printf '\n \n' >"$tmp/blank.jsonl"
expect_error 1 "no articles in '$tmp/blank.jsonl'$" timeline -m "$tmp/m" "$tmp/blank.jsonl"

finish
