#!/bin/sh
# t0120-csv-input.sh: corpora as CSV and TSV with a header row, across the commands. The same
# 90 articles as JSON Lines, CSV (quoted headlines, bodies over several lines, CRLF records,
# topics split at ';') and TSV (other column names, topics split at ' | ') must train
# byte-identical models and score the same; --input-format reads other names and standard
# input; bad records and headers are named by file and line.
. "$(dirname "$0")/lib.sh"

C=$DATA/csv
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/mj" "$C/train.jsonl"
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/mc" "$C/train.csv"
expect 0 train -q --min-df 1 --folds 3 -o "$tmp/mt" "$C/train.tsv"
for f in model.json vocab.tsv vocab.idx weights.bin; do
    if cmp -s "$tmp/mj/$f" "$tmp/mc/$f"; then ok; else fail "CSV: $f differs from the JSON Lines model's"; fi
    if cmp -s "$tmp/mj/$f" "$tmp/mt/$f"; then ok; else fail "TSV: $f differs from the JSON Lines model's"; fi
done

# classify: the same scores, ids and extra columns as fields (the source is echoed)
expect 0 classify -m "$tmp/mj" -f json "$C/train.jsonl"
cp "$tmp/out" "$tmp/cj"
expect 0 classify -m "$tmp/mj" -f json "$C/train.csv"
if cmp -s "$tmp/out" "$tmp/cj"; then ok; else fail "classify: CSV and JSON Lines outputs differ"; fi
has "$tmp/out" '^\{"id":"tr-001","date":"2023-01-03","source":"Harbour Courier",'
# standard input and a .txt name need --input-format; it conflicts with --jsonl
expect 0 classify -m "$tmp/mj" -f json --input-format tsv - <"$C/train.tsv"
if [ "$(wc -l <"$tmp/out")" -eq 90 ]; then ok; else fail "classify --input-format tsv -: not 90 lines"; fi
cp "$C/train.csv" "$tmp/corpus.txt"
expect 0 classify -m "$tmp/mj" -f json --input-format=csv "$tmp/corpus.txt"
if cmp -s "$tmp/out" "$tmp/cj"; then ok; else fail "classify --input-format=csv on a .txt name differs"; fi
expect_error 2 "two input formats given: csv and jsonl" classify -m "$tmp/mj" --input-format csv --jsonl "$C/train.csv"
expect_error 2 "unknown input format 'xlsx' (jsonl, text, fasttext, csv, tsv)" train -o "$tmp/x" --input-format xlsx "$C/train.csv"
if [ ! -e "$tmp/x" ]; then ok; else fail "a usage error left a model"; fi

# evaluate and cross-validate read the gold labels from CSV too
expect 0 evaluate -m "$tmp/mj" --json "$C/train.jsonl"
cp "$tmp/out" "$tmp/ej"
expect 0 evaluate -m "$tmp/mj" --json "$C/train.csv"
if cmp -s "$tmp/out" "$tmp/ej"; then ok; else fail "evaluate: CSV and JSON Lines results differ"; fi
expect 0 cross-validate -q -k 3 --min-df 1 --folds 3 --json "$C/train.tsv"
cp "$tmp/out" "$tmp/xt"
expect 0 cross-validate -q -k 3 --min-df 1 --folds 3 --json "$C/train.jsonl"
if cmp -s "$tmp/out" "$tmp/xt"; then ok; else fail "cross-validate: TSV and JSON Lines results differ"; fi
expect 0 features -q --min-df 1 --target sport -o "$tmp/c.svm" "$C/train.csv"
expect 0 features -q --min-df 1 --target sport -o "$tmp/j.svm" "$C/train.jsonl"
if cmp -s "$tmp/c.svm" "$tmp/j.svm"; then ok; else fail "features: CSV and JSON Lines vectors differ"; fi

# timeline: the date column, by name or from standard input
expect 0 timeline -q --by month --csv "$C/train.jsonl"
cp "$tmp/out" "$tmp/tj"
expect 0 timeline -q --by month --csv --input-format csv - <"$C/train.csv"
if cmp -s "$tmp/out" "$tmp/tj"; then ok; else fail "timeline: CSV and JSON Lines series differ"; fi
expect 0 timeline -q --by month --csv "$C/train.tsv"
if cmp -s "$tmp/out" "$tmp/tj"; then ok; else fail "timeline: TSV and JSON Lines series differ"; fi
expect_error 2 "'--from-classify' and '--input-format' exclude each other" timeline --from-classify --input-format csv "$C/train.csv"

# errors: file and line, exit 1, no model left behind
{ head -n 20 "$C/train.csv"; printf 'bad-1,"A headline","a body, then",diplomacy,2,,\r\n'; } >"$tmp/bad.csv"
expect_error 1 "bad.csv:21: 'tone' must be a number in \[-1, 1\], not '2'" train -q --min-df 1 --folds 3 -o "$tmp/mb" "$tmp/bad.csv"
if [ ! -e "$tmp/mb" ]; then ok; else fail "a bad CSV record left a model"; fi
printf 'title,text\n"open,quote\nnever closed\n' >"$tmp/open.csv"
expect_error 1 "open.csv:2: a quoted field of the record that starts here is never closed" classify -m "$tmp/mj" "$tmp/open.csv"
printf 'headline,body\nok,fine\ntoo,many,fields\n' >"$tmp/wide.csv"
expect_error 1 "wide.csv:3: 3 fields where the header (line 1) has 2" classify -m "$tmp/mj" -o "$tmp/wide.out" "$tmp/wide.csv"
if [ ! -e "$tmp/wide.out" ]; then ok; else fail "a failed classify left its output file"; fi
printf 'sport,Goal in the last minute\n' >"$tmp/noheader.csv"
expect_error 1 "noheader.csv:1: the header names no text column" train -q -o "$tmp/mb" "$tmp/noheader.csv"
printf 'text\tlabel\nx\t\n' >"$tmp/nolabel.tsv"
expect_error 1 "nolabel.tsv:2: empty 'label' (the article's label)" evaluate -m "$tmp/mj" "$tmp/nolabel.tsv"
finish
