#!/bin/sh
# t0700-library.sh: the installed library. `cmake --install` of this build into a temporary
# prefix gives libnewsclass.a, the headers and newsclass.pc; README's example program (the
# ```c block of "Using the library from C") compiles against them with pkg-config and
# -Wall -Wextra -Werror, and labels articles as `newsclass classify` does.
. "$(dirname "$0")/lib.sh"

build=$(dirname "$NC")
cc=${CC:-cc}
if ! command -v cmake >/dev/null 2>&1 || ! command -v pkg-config >/dev/null 2>&1 ||
    ! command -v "$cc" >/dev/null 2>&1 || [ ! -f "$build/CMakeCache.txt" ]; then
    echo "skipped: needs cmake, pkg-config, a C compiler and the build tree of $NC"
    exit 77
fi

pfx="$tmp/prefix"
if cmake --install "$build" --prefix "$pfx" >"$tmp/install.log" 2>&1; then ok; else
    fail "cmake --install failed"
    sed 's/^/    /' "$tmp/install.log" >&2
fi
pc=$(find "$pfx" -name newsclass.pc | head -n 1)
lib=$(find "$pfx" -name libnewsclass.a | head -n 1)
for f in "$pc" "$lib" "$pfx/include/newsclass/newsclass.h" "$pfx/include/newsclass/model.h" \
    "$pfx/bin/newsclass" "$pfx/share/newsclass/models/default/model.json"; do
    if [ -n "$f" ] && [ -f "$f" ]; then ok; else fail "not installed: ${f:-newsclass.pc or libnewsclass.a}"; fi
done
# the public headers stand alone: no LIBLINEAR, GSL or cJSON in them
if grep -lE '#include <(linear|gsl/|cjson/|cJSON)' "$pfx/include/newsclass/"*.h; then
    fail "a public header includes a dependency's header"
else ok; fi

# each installed header compiles on its own, as C11 and (when there is a C++ compiler) C++11
for h in "$pfx/include/newsclass/"*.h; do
    printf '#include <newsclass/%s>\n' "$(basename "$h")" >"$tmp/h.c"
    if "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$pfx/include" -fsyntax-only "$tmp/h.c" \
        2>"$tmp/cc.log"; then ok; else
        fail "$(basename "$h") does not compile on its own"
        sed 's/^/    /' "$tmp/cc.log" >&2
    fi
    if command -v c++ >/dev/null 2>&1; then
        cp "$tmp/h.c" "$tmp/h.cpp"
        if c++ -std=c++11 -Wall -Wextra -Werror -I"$pfx/include" -fsyntax-only "$tmp/h.cpp" \
            2>"$tmp/cc.log"; then ok; else
            fail "$(basename "$h") does not compile as C++"
            sed 's/^/    /' "$tmp/cc.log" >&2
        fi
    fi
done

# README's examples, exactly as printed there: the Nth ```c block of the section
example() {
    awk -v want="$1" '/^## Using the library from C/ { s = 1 } /^## / && !/Using the library/ { s = 0 }
        s && /^```c$/ { n++; c = n == want; next } c && /^```$/ { c = 0 } c { print }' "$SRC/README.md"
}
example 1 >"$tmp/label.c"
example 2 >"$tmp/train.c"
if grep -q 'nc_classify' "$tmp/label.c"; then ok; else fail "no classifying example in README.md"; fi
if grep -q 'nc_train(' "$tmp/train.c"; then ok; else fail "no training example in README.md"; fi
export PKG_CONFIG_PATH
PKG_CONFIG_PATH=$(dirname "$pc")
flags=$(pkg-config --cflags --libs newsclass) || fail "pkg-config --cflags --libs newsclass failed"
# shellcheck disable=SC2086 # the flags are words
if "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$tmp/label" "$tmp/label.c" $flags \
    2>"$tmp/cc.log"; then ok; else
    fail "README's example does not compile against the installed library"
    sed 's/^/    /' "$tmp/cc.log" >&2
fi

# the training example writes the bundle `newsclass train` writes, byte for byte
# shellcheck disable=SC2086
if "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$tmp/train" "$tmp/train.c" $flags \
    2>"$tmp/cc.log"; then ok; else
    fail "README's training example does not compile against the installed library"
    sed 's/^/    /' "$tmp/cc.log" >&2
fi
if "$tmp/train" "$tmp/libmodel" "$DATA/tiny-train.jsonl" >"$tmp/lib.out" 2>"$tmp/lib.err"; then
    ok
else
    fail "README's training example failed"
    sed 's/^/    /' "$tmp/lib.err" >&2
fi
contains "$tmp/lib.out" "90 articles, 3 topics and tone"
expect 0 train -q -o "$tmp/climodel" "$DATA/tiny-train.jsonl"
if diff -r "$tmp/libmodel" "$tmp/climodel" >/dev/null; then ok; else
    fail "the training example's bundle differs from newsclass train's"
fi
"$tmp/train" "$tmp/m2" "$tmp/no-such.jsonl" >/dev/null 2>"$tmp/lib.err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -e "$tmp/m2" ]; then ok; else fail "training example on a missing file exited $rc"; fi
contains "$tmp/lib.err" "no-such.jsonl"

# its output agrees with the command's, on a JSON Lines corpus and a plain-text article
model="$SRC/models/default"
for input in "$DATA/tiny-test.jsonl" "$DATA/multi-topic-article.txt"; do
    if "$tmp/label" "$model" "$input" >"$tmp/lib.out" 2>"$tmp/lib.err"; then ok; else
        fail "label $input failed"
        sed 's/^/    /' "$tmp/lib.err" >&2
    fi
    expect 0 classify -m "$model" -f json "$input"
    # the same ids, labels and scores (the JSON rounds to 4 places, the example prints 2)
    if python3 - "$tmp/out" "$tmp/lib.out" <<'EOF'
import json, re, sys
cli = [json.loads(line) for line in open(sys.argv[1])]
lib = open(sys.argv[2]).read().splitlines()
assert len(cli) == len(lib), "%d articles against %d" % (len(cli), len(lib))
for d, line in zip(cli, lib):
    m = re.fullmatch(r"(.*?):((?: \S+ \([01]\.\d\d\))*) \| tone ([-+]\d\.\d\d) (\w+)", line)
    assert m, "unexpected line: " + line
    assert m.group(1) == d["id"], line
    got = re.findall(r" (\S+) \(([01]\.\d\d)\)", m.group(2))
    assert [l for l, _ in got] == sorted(d["labels"]), line
    for l, v in got:
        assert abs(float(v) - d["scores"][l]) <= 0.0051, line
    assert abs(float(m.group(3)) - d["tone"]) <= 0.0051 and m.group(4) == d["tone_label"], line
EOF
    then ok; else fail "the example and newsclass classify disagree on $(basename "$input")"; fi
done

# a bad record: named by file and line on stderr, exit 1, the other articles still labelled
{
    head -n 2 "$DATA/tiny-test.jsonl"
    echo '{"id": "broken", "title": '
    sed -n 3p "$DATA/tiny-test.jsonl"
} >"$tmp/bad.jsonl"
"$tmp/label" "$model" "$tmp/bad.jsonl" >"$tmp/lib.out" 2>"$tmp/lib.err"
rc=$?
if [ "$rc" -eq 1 ]; then ok; else fail "label on a bad record exited $rc, expected 1"; fi
contains "$tmp/lib.err" "bad.jsonl:3:"
if [ "$(wc -l <"$tmp/lib.out")" -eq 3 ]; then ok; else fail "expected 3 labelled articles around the bad record"; fi
"$tmp/label" "$tmp/no-model" "$DATA/tiny-test.jsonl" >"$tmp/lib.out" 2>"$tmp/lib.err"
rc=$?
if [ "$rc" -eq 1 ] && [ ! -s "$tmp/lib.out" ]; then ok; else fail "label without a model exited $rc"; fi
contains "$tmp/lib.err" "no-model"
finish
