# lib.sh: shared helpers for the CLI tests (sourced). Arguments of every test script:
# $1 newsclass binary, $2 tests/data, $3 source dir. Sets NC, DATA, SRC and a temporary
# directory $tmp removed on exit; call `finish` at the end.
# SPDX-License-Identifier: MIT
NC=$1
DATA=$2
SRC=$3
case $NC in /*) ;; *) NC=$(pwd)/$NC ;; esac
case $DATA in /*) ;; *) DATA=$(pwd)/$DATA ;; esac
case $SRC in /*) ;; *) SRC=$(pwd)/$SRC ;; esac
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

ok() { checks=$((checks + 1)); }

# expect CODE ARGS...: run newsclass; stdout in $tmp/out, stderr in $tmp/err
expect() {
    want=$1
    shift
    "$NC" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        fail "newsclass $* exited $got, expected $want"
        sed 's/^/    stderr: /' "$tmp/err" >&2
    else
        ok
    fi
}

# expect_error CODE PATTERN ARGS...: a failing call: nothing on stdout, PATTERN on stderr
expect_error() {
    want=$1
    pat=$2
    shift 2
    expect "$want" "$@"
    if [ -s "$tmp/out" ]; then fail "newsclass $*: stdout not empty on error"; else ok; fi
    if grep -q -- "$pat" "$tmp/err"; then ok; else
        fail "newsclass $*: stderr lacks '$pat'"
        sed 's/^/    stderr: /' "$tmp/err" >&2
    fi
}

# run CODE ARGS...: as expect
run() { expect "$@"; }

# run_error CODE CMD ARGS...: a failing call: nothing on stdout, "newsclass CMD: " on stderr
run_error() {
    expect "$@"
    if [ -s "$tmp/out" ]; then fail "newsclass $*: stdout not empty on error"; else ok; fi
    if grep -q "^newsclass $2: " "$tmp/err"; then ok; else
        fail "newsclass $*: no error message on stderr"
    fi
}

# contains FILE STRING...: every STRING (fixed) is in FILE
contains() {
    f=$1
    shift
    for s in "$@"; do
        if grep -qF -- "$s" "$f"; then ok; else fail "'$s' not found in $(basename "$f")"; fi
    done
}

# has FILE PATTERN: grep -E
has() {
    if grep -q -E -- "$2" "$1"; then ok; else fail "$1 lacks /$2/"; fi
}

# xml_clean FILE WHAT: FILE holds no U+FFFE (XML 1.0 cannot) and parses as XML (when python3 is
# there); WHAT names it in a failure
xml_clean() {
    if LC_ALL=C grep -q "$(printf '\357\277\276')" "$1"; then
        fail "U+FFFE written to $2"
    else ok; fi
    if command -v python3 >/dev/null 2>&1; then
        if python3 -c 'import sys, xml.dom.minidom as m; m.parse(sys.argv[1])' "$1"; then
            ok
        else fail "$2 is not well-formed XML"; fi
    fi
}

finish() {
    echo "$checks passed, $failures failed"
    [ "$failures" -eq 0 ]
}
