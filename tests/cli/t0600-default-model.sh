#!/bin/sh
# t0600-default-model.sh: the committed models/default is exactly what
# tools/train-default-model builds from the committed training-data/ (byte for byte), it
# loads, and the corpus passes tools/check-corpus; tools/cv-by-file works.
. "$(dirname "$0")/lib.sh"

if [ -x /usr/bin/python3 ]; then
    if /usr/bin/python3 "$SRC/tools/check-corpus" --quiet; then ok; else fail "tools/check-corpus failed"; fi
    # --against: an outside corpus holding one of our texts is caught, naming both places
    mkdir -p "$tmp/outside/sub"
    sed -n 7p "$SRC/training-data/sport.jsonl" | gzip >"$tmp/outside/sub/c.jsonl.gz"
    head -3 "$DATA/tiny-train.jsonl" >"$tmp/outside/clean.jsonl"
    if /usr/bin/python3 "$SRC/tools/check-corpus" --quiet --against "$tmp/outside" 2>"$tmp/err"; then
        fail "check-corpus --against missed a copied article"
    else
        has "$tmp/err" "^check-corpus: training-data/sport.jsonl:7 shares the words '.*' with sub/c.jsonl.gz:1 in "
    fi
    rm "$tmp/outside/sub/c.jsonl.gz"
    # a file it cannot read is an error, never a crash; odd lines are skipped
    printf 'not gzip' >"$tmp/outside/sub/bad.jsonl.gz"
    printf '[1, 2]\n{"title": 5, "text": null}\nnot json\n' >"$tmp/outside/odd.jsonl"
    if /usr/bin/python3 "$SRC/tools/check-corpus" --quiet --against "$tmp/outside" 2>"$tmp/err"; then
        fail "check-corpus --against passed an unreadable file"
    else
        has "$tmp/err" '^check-corpus: .*/sub/bad.jsonl.gz: cannot read it to check against: '
    fi
    rm "$tmp/outside/sub/bad.jsonl.gz"
    if /usr/bin/python3 "$SRC/tools/check-corpus" --quiet --against "$tmp/outside"; then ok; else
        fail "check-corpus --against failed on a corpus sharing no text"
    fi
    # and the measuring corpora, when this checkout has them beside it
    if [ -d "$SRC/../shared/corpora" ]; then
        if /usr/bin/python3 "$SRC/tools/check-corpus" --quiet --against "$SRC/../shared/corpora"; then ok; else
            fail "training-data shares text with ../shared/corpora"
        fi
    else
        echo "check against ../shared/corpora skipped: not present"
    fi
fi
sh "$SRC/tools/train-default-model" "$NC" "$tmp/default" 2>"$tmp/err" || fail "train-default-model failed"
for f in model.json vocab.tsv vocab.idx weights.bin lexicon.tsv; do
    if cmp -s "$SRC/models/default/$f" "$tmp/default/$f"; then ok; else
        fail "models/default/$f differs from a fresh build (rerun tools/train-default-model)"
    fi
done
expect 0 info "$SRC/models/default"
has "$tmp/out" 'multi-label'
# the tone stack's weight of the regression, falling on short texts
has "$tmp/out" '^ +lexicon stack \([0-9]+ words, change-word rules on\): regression weight [0-9.]+ -[0-9.]+ x shortness \([0-9.]+ for a sentence of 20 distinct words, [0-9.]+ for a long article of 300\)$'

# tools/cv-by-file: leave-one-file-out over three slices of the tiny corpus, as text and JSON
if [ -x /usr/bin/python3 ]; then
    split -l 30 -d --additional-suffix=.jsonl "$DATA/tiny-train.jsonl" "$tmp/slice"
    /usr/bin/python3 "$SRC/tools/cv-by-file" --newsclass "$NC" --files "$tmp"/slice0*.jsonl \
        -- --min-df 1 --folds 3 >"$tmp/out" 2>"$tmp/err" || fail "cv-by-file failed: $(cat "$tmp/err")"
    has "$tmp/out" '^leave-one-file-out over 3 files, 90 articles; options: --min-df 1 --folds 3$'
    has "$tmp/out" '^  diplomacy +P [01]\.[0-9]{3}  R [01]\.[0-9]{3}  F1 [01]\.[0-9]{3}  \(support [0-9]+\)$'
    has "$tmp/out" '^  topics mean F1 [01]\.[0-9]{3}$'
    has "$tmp/out" '^  tone +Pearson -?[01]\.[0-9]{3}  MAE [0-9.]+  3-class accuracy [01]\.[0-9]{3}$'
    [ "$(grep -c '^cv-by-file: slice0' "$tmp/err")" -eq 3 ] && ok || fail "cv-by-file: not one line per file"
    /usr/bin/python3 "$SRC/tools/cv-by-file" --json --newsclass "$NC" --files "$tmp"/slice0*.jsonl \
        -- --min-df 1 --folds 3 >"$tmp/out" 2>/dev/null || fail "cv-by-file --json failed"
    if /usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert d["articles"] == 90 and 0 <= d["pooled"]["topics_mean_f1"] <= 1' "$tmp/out"; then
        ok
    else
        fail "cv-by-file --json: not the pooled figures"
    fi
    # cv-by-file's default options (which learning-curve and tone-stack-study take too) are
    # tools/train-default-model's, but for the seed (1 is train's default)
    if /usr/bin/python3 - "$SRC" <<'PY'
import importlib.machinery, os, re, shlex, sys
src = os.path.abspath(sys.argv[1])
cv = importlib.machinery.SourceFileLoader("cv_by_file", os.path.join(src, "tools", "cv-by-file")).load_module()
sh = open(os.path.join(src, "tools", "train-default-model")).read().replace("\\\n", " ")
line = re.search(r'"\$nc" train --quiet (.*?) -o "\$out"', sh).group(1)
opts = [w.replace("$top", src) for w in shlex.split(line.replace('"', ""))]
i = opts.index("--seed")
assert opts[i + 1] == "1", opts
del opts[i:i + 2]
assert sorted(opts) == sorted(cv.DEFAULT) and len(opts) == len(cv.DEFAULT), (opts, cv.DEFAULT)
PY
    then ok; else fail "cv-by-file's default options are not tools/train-default-model's"; fi
    # without tone each file's line says so; a training failure is named, with no traceback
    /usr/bin/python3 "$SRC/tools/cv-by-file" --newsclass "$NC" --files "$tmp"/slice0*.jsonl \
        -- --min-df 1 --folds 3 --no-tone >"$tmp/out" 2>"$tmp/err" || fail "cv-by-file --no-tone failed"
    has "$tmp/err" '^cv-by-file: slice00\.jsonl +30 articles  \(no tone\)$'
    if grep -q 'tone +Pearson' "$tmp/out"; then fail "cv-by-file --no-tone: a tone line"; else ok; fi
    if /usr/bin/python3 "$SRC/tools/cv-by-file" --newsclass "$NC" --files "$tmp"/slice0*.jsonl \
        -- --min-df 0 >/dev/null 2>"$tmp/err"; then
        fail "cv-by-file ran with a refused option"
    else
        has "$tmp/err" '^cv-by-file: newsclass train failed \(its message is above\) with the options --min-df 0, holding out .*slice00\.jsonl$'
        if grep -q Traceback "$tmp/err"; then fail "cv-by-file: a traceback"; else ok; fi
    fi
    # tools/eval-default: its least squares (exact on a linear target, weight 0 for a constant
    # or copied regressor), and --ceilings on a stand-in for ../shared made of the tiny corpus
    if /usr/bin/python3 - "$SRC/tools/eval-default" <<'PY'
import importlib.machinery, sys
ev = importlib.machinery.SourceFileLoader("ev", sys.argv[1]).load_module()
rows = [[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 4.0], [0.0, 1.0], [2.5, -1.0]]
y = [3 * a - 2 * b + 0.5 for a, b in rows]
for r in (rows, [[a, b, a, 7.0] for a, b in rows]):
    fit = ev.lstsq_fit(r, y)
    assert max(abs(f - t) for f, t in zip(fit, y)) < 1e-6, fit
noisy = [t + e for t, e in zip(y, [0.3, -0.2, 0.1, -0.4, 0.2, 0.0])]
fit = ev.lstsq_fit(rows, noisy)
assert abs(sum(f - t for f, t in zip(fit, noisy))) < 1e-6  # residuals sum to 0 (intercept)
assert ev.pearson(fit, noisy) > 0.99
PY
    then ok; else fail "eval-default: lstsq_fit"; fi
    sh_corp="$tmp/shared/corpora"
    mkdir -p "$sh_corp/newstopics_dev" "$sh_corp/nyt_editorial_tone" "$sh_corp/bbc_news" \
        "$sh_corp/ag_news"
    cp "$DATA/tiny-test.jsonl" "$sh_corp/newstopics_dev/dev.jsonl"
    cp "$DATA/tiny-test.jsonl" "$sh_corp/nyt_editorial_tone/sentences.jsonl"
    /usr/bin/python3 -c 'import json, sys
for l in open(sys.argv[1]):
    a = json.loads(l)
    a["label"] = "sport" if "sport" in a["topics"] else "business"
    print(json.dumps(a))' "$DATA/tiny-test.jsonl" >"$sh_corp/bbc_news/test.jsonl"
    cp "$sh_corp/bbc_news/test.jsonl" "$sh_corp/ag_news/test.jsonl"
    if /usr/bin/python3 "$SRC/tools/eval-default" --newsclass "$NC" --shared "$tmp/shared" \
            --json --ceilings >"$tmp/out" 2>"$tmp/err" &&
       /usr/bin/python3 -c 'import json, sys
c = json.load(open(sys.argv[1]))["ceilings"]
for t in ("diplomacy", "cybersecurity", "sport"):
    e = c["newstopics_dev_best_f1_" + t]
    assert 0 < e["f1"] <= 1 and 0 < e["threshold"] < 1, e
for k in ("newstopics_dev_tone_pearson_best_stack", "nyt_tone_pearson_best_stack"):
    assert 0 < c[k] <= 1, c
ag = json.load(open(sys.argv[1]))["ag_news_test_topic_shares"]
assert ag["sport"]["sport"] > ag["business"]["sport"], ag  # the tiny sport items get sport
for cls, sh in ag.items():
    assert sh["none"] == 0 or all(sh[t] < 1 for t in ("diplomacy", "cybersecurity", "sport")), sh' "$tmp/out"; then
        ok
    else
        fail "eval-default --ceilings: $(cat "$tmp/err")"
    fi
    # tools/learning-curve: subsets of the three slices, measured on the same stand-in sets
    if /usr/bin/python3 "$SRC/tools/learning-curve" --newsclass "$NC" --shared "$tmp/shared" \
            --files "$tmp"/slice0*.jsonl --fractions 0.34,0.67 --seeds 1,2 --json \
            -- --min-df 1 --folds 3 >"$tmp/out" 2>"$tmp/err" &&
       /usr/bin/python3 -c 'import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
assert [(r["fraction"], r["files"], r["articles"]) for r in runs] == \
    [(0.34, 1, 30), (0.34, 1, 30), (0.67, 2, 60), (0.67, 2, 60), (1.0, 3, 90)], runs
full = runs[-1]
assert all(0 <= full[t][k] <= 1 for t in ("diplomacy", "cybersecurity", "sport")
           for k in ("auc", "f1", "best_f1")), full
assert full["diplomacy"]["best_f1"] >= full["diplomacy"]["f1"], full
assert -1 <= full["tone_pearson"] <= 1 and 0 <= full["tone_accuracy3"] <= 1, full' "$tmp/out"
    then ok; else fail "learning-curve: $(cat "$tmp/err")"; fi
    if /usr/bin/python3 "$SRC/tools/learning-curve" --newsclass "$NC" --shared "$tmp/no-such" \
            >"$tmp/out" 2>"$tmp/err"; then
        has "$tmp/err" 'no newstopics_dev or nyt_editorial_tone; skipped$'
    else
        fail "learning-curve without the shared corpora: not a clean skip"
    fi
    if /usr/bin/python3 "$SRC/tools/cv-by-file" --newsclass "$tmp/none" >/dev/null 2>"$tmp/err"; then
        fail "cv-by-file ran without a newsclass binary"
    else
        has "$tmp/err" 'is not an executable'
    fi
fi
finish
