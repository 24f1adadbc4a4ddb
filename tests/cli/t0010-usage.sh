#!/bin/sh
# t0010-usage.sh: top-level usage, help and version; usage errors exit 2 with stdout clean.
. "$(dirname "$0")/lib.sh"

expect_error 2 'usage: newsclass' 
expect 0 --help
has "$tmp/out" '^usage: newsclass'
has "$tmp/out" 'classify'
expect 0 --version
has "$tmp/out" '^newsclass [0-9]+\.[0-9]+\.[0-9]+'
expect_error 2 "'frobnicate' is not a newsclass command" frobnicate
expect_error 2 "is not a newsclass command" help frobnicate
for cmd in train classify info features; do
    expect 0 help "$cmd"
    has "$tmp/out" "^usage: newsclass $cmd"
    expect 0 "$cmd" --help
    has "$tmp/out" "^usage: newsclass $cmd"
    expect_error 2 "try 'newsclass help $cmd'" "$cmd" --no-such-flag
    has "$tmp/err" "^newsclass $cmd: unrecognized option '--no-such-flag'$"
done
expect_error 2 "missing required option '--output'" train "$DATA/tiny-train.jsonl"
expect_error 2 'no corpus given' train -o "$tmp/m"
expect_error 2 "\-C needs a number" train -C abc -o "$tmp/m" "$DATA/tiny-train.jsonl"
expect_error 2 'unknown solver' train --solver foo -o "$tmp/m" "$DATA/tiny-train.jsonl"
expect_error 2 'unknown format' classify --format xml "$DATA/tiny-test.jsonl"
expect_error 2 '\-\-threads needs' classify --threads 0 "$DATA/tiny-test.jsonl"
expect_error 2 'two input formats given: jsonl and text' classify --jsonl --text "$DATA/tiny-test.jsonl"
# standard input can be read once: '-' twice is a usage error, before anything is read
expect_error 2 "'-' given twice: standard input can be read only once" classify - "$DATA/tiny-test.jsonl" - </dev/null
expect_error 2 "'-' given twice" evaluate - - </dev/null
expect_error 2 "'-' given twice" cross-validate --by-input - - </dev/null
expect_error 2 "'-' given twice" train -o "$tmp/m" - - </dev/null
expect_error 2 "'-' given twice" timeline - - </dev/null
[ -e "$tmp/m" ] && fail "a usage error created output"
finish
