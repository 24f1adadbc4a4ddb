#!/bin/sh
# t0150-features.sh: `newsclass features`: valid LIBLINEAR/svmlight output, vocabulary and
# label files, --use-vocab, --target; errors. When ../shared/corpora/bbc_news and
# liblinear-tools are present, the cross-check: vectors written for the BBC train split, fed to
# liblinear-train / liblinear-predict on the test split, reach at least 97% accuracy.
. "$(dirname "$0")/lib.sh"

expect 0 features -q --min-df 1 --vocab "$tmp/v.tsv" -o "$tmp/train.svm" --target sport "$DATA/tiny-train.jsonl"
[ "$(wc -l <"$tmp/train.svm")" -eq "$(grep -c . "$DATA/tiny-train.jsonl")" ] && ok || fail "one line per article"
has "$tmp/v.tsv" '^# newsclass-vocab 1 docs=[0-9]+ features=[0-9]+ mode=vocab ngrams=2 title=1 stopwords=0 stoplist=2 stem=0$'
# every line: label, then strictly ascending 1-based indices
if awk '{ if ($1 != "+1" && $1 != "-1") exit 1; p = 0
          for (i = 2; i <= NF; i++) { split($i, a, ":"); if (a[1] + 0 <= p) exit 1; p = a[1] + 0 } }' "$tmp/train.svm"
then ok; else fail "features output is not valid LIBLINEAR input"; fi
expect 0 features -q --use-vocab "$tmp/v.tsv" -o "$tmp/test.svm" --target sport "$DATA/tiny-test.jsonl"
# multi-class labels 1..K with the mapping beside the vocabulary
expect 0 features -q --min-df 1 --label-from-dir --vocab "$tmp/mc.tsv" -o "$tmp/mc.svm" "$DATA/tiny-bbc"
has "$tmp/mc.tsv.labels" '^1	'
expect_error 1 'use --target' features --min-df 1 -o "$tmp/x.svm" "$DATA/tiny-train.jsonl"
[ -e "$tmp/x.svm" ] && fail "partial output left behind" || ok
expect_error 2 'standard input can be read only once' features -
expect_error 1 "cannot open" features --use-vocab "$tmp/none.tsv" "$DATA/tiny-test.jsonl"
printf '\n \n' >"$tmp/blank.jsonl"
expect_error 1 "no articles in '$tmp/blank.jsonl'$" features -o "$tmp/b.svm" "$tmp/blank.jsonl"

bbc="$SRC/../shared/corpora/bbc_news"
if [ -d "$bbc" ] && command -v liblinear-train >/dev/null 2>&1; then
    gzip -dc "$bbc/train.jsonl.gz" >"$tmp/bbc-train.jsonl"
    expect 0 features -q --vocab "$tmp/bbc.tsv" -o "$tmp/bbc-train.svm" "$tmp/bbc-train.jsonl"
    expect 0 features -q --use-vocab "$tmp/bbc.tsv" -o "$tmp/bbc-test.svm" "$bbc/test.jsonl"
    liblinear-train -q "$tmp/bbc-train.svm" "$tmp/bbc.model" >/dev/null
    acc=$(liblinear-predict "$tmp/bbc-test.svm" "$tmp/bbc.model" "$tmp/bbc.pred" | sed -n 's/^Accuracy = \([0-9.]*\)%.*/\1/p')
    echo "BBC cross-check: liblinear on newsclass vectors: $acc%"
    if awk "BEGIN { exit !($acc >= 97) }"; then ok; else fail "BBC accuracy $acc% < 97%"; fi
else
    echo "BBC cross-check skipped: ../shared/corpora/bbc_news or liblinear-tools absent"
fi
# a vocabulary path that cannot be written is found before the vectors are: nothing written
expect_error 1 "cannot create '$tmp/nodir/v'" features --target diplomacy --vocab "$tmp/nodir/v" \
    -o "$tmp/t1.svm" "$DATA/tiny-train.jsonl"
if [ -e "$tmp/t1.svm" ]; then fail "vectors written before the vocabulary failed"; else ok; fi
# a topic no article carries: an error when fitting, a warning on a test split
expect_error 1 "no article carries the topic 'nosuch' (--target)" features --target nosuch \
    --vocab "$tmp/tv" -o "$tmp/t2.svm" "$DATA/tiny-train.jsonl"
if [ -e "$tmp/t2.svm" ] || [ -e "$tmp/tv" ]; then fail "a refused --target wrote files"; else ok; fi
expect 0 features -q --target diplomacy --vocab "$tmp/tv" -o "$tmp/t2.svm" "$DATA/tiny-train.jsonl"
expect 0 features -q --target nosuch --use-vocab "$tmp/tv" "$DATA/tiny-test.jsonl"
has "$tmp/err" "warning: no article carries the topic 'nosuch'"
if grep -qv '^-1 ' "$tmp/out"; then fail "--target nosuch gave a +1"; else ok; fi
# a vocabulary file records the tokenizer options it was fitted with; --use-vocab with other
# options is refused, naming them (it would vectorise differently from the fit)
expect 0 features -q --target diplomacy --stem --ngrams 1 --vocab "$tmp/vs" -o "$tmp/vs.svm" "$DATA/tiny-train.jsonl"
has "$tmp/vs" '^# newsclass-vocab 1 docs=90 features=[0-9]+ mode=vocab ngrams=1 title=1 stopwords=0 stoplist=2 stem=1$'
expect_error 1 "$tmp/vs:1: the vocabulary was fitted with other feature options: --ngrams 1 (here 2), --stem (here without)" \
    features -q --target diplomacy --use-vocab "$tmp/vs" "$DATA/tiny-test.jsonl"
expect 0 features -q --target diplomacy --stem --ngrams 1 --use-vocab "$tmp/vs" "$DATA/tiny-train.jsonl"
if cmp -s "$tmp/out" "$tmp/vs.svm"; then ok; else fail "--use-vocab with the fit's options: other vectors"; fi
# a vocabulary without recorded settings (a model bundle's, an older build's) is taken as it is
sed '1s/ ngrams=.*//' "$tmp/vs" >"$tmp/vs-old"
expect 0 features -q --target diplomacy --stem --ngrams 1 --use-vocab "$tmp/vs-old" "$DATA/tiny-train.jsonl"
# character n-grams are recorded too (only when used), and their terms need them
expect 0 features -q --target sport --char-ngrams 3-4 --vocab "$tmp/vc" -o "$tmp/vc.svm" "$DATA/tiny-train.jsonl"
has "$tmp/vc" '^# newsclass-vocab 2 docs=90 features=[0-9]+ mode=vocab ngrams=2 title=1 stopwords=0 stoplist=2 stem=0 chars=3-4$'
has "$tmp/vc" '	~<'
expect_error 1 "$tmp/vc:1: the vocabulary was fitted with other feature options: --char-ngrams 3-4 (here without)" \
    features -q --target sport --use-vocab "$tmp/vc" "$DATA/tiny-test.jsonl"
expect 0 features -q --target sport --char-ngrams 3-4 --use-vocab "$tmp/vc" "$DATA/tiny-train.jsonl"
if cmp -s "$tmp/out" "$tmp/vc.svm"; then ok; else fail "--use-vocab with --char-ngrams: other vectors"; fi
sed '1s/ ngrams=.*//' "$tmp/vc" >"$tmp/vc-old"
expect_error 2 "--char-ngrams needs a vocabulary: not with --hash-bits" \
    features -q --char-ngrams 3-5 --hash-bits 12 "$DATA/tiny-train.jsonl"
expect_error 1 "does not fit the settings (no character n-grams)" \
    features -q --target sport --use-vocab "$tmp/vc-old" "$DATA/tiny-test.jsonl"
finish
