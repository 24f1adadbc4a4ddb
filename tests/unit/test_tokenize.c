/* test_tokenize.c: the tokenizer's normalisation rules and its robustness. */
#include <stdlib.h>
#include <string.h>

#include <newsclass/features.h>

#include "check.h"

struct collect {
    char out[4096];
    size_t len;
};

static int collect(const nc_token *t, void *ctx)
{
    struct collect *c = ctx;
    if (c->len + t->len + 3 >= sizeof c->out)
        return 0;
    if (c->len) {
        if (t->sentence_start) {
            c->out[c->len++] = ' ';
            c->out[c->len++] = '|';
        }
        c->out[c->len++] = ' ';
    }
    memcpy(c->out + c->len, t->text, t->len);
    c->len += t->len;
    c->out[c->len] = '\0';
    return 0;
}

/* Count tokens, and those holding a space. */
static int count_tokens(const nc_token *t, void *ctx)
{
    int *n = ctx;
    n[0]++;
    n[1] += memchr(t->text, ' ', t->len) != NULL;
    return 0;
}

static const char *tok(const char *s, const nc_feature_opts *o)
{
    static struct collect c;
    memset(&c, 0, sizeof c);
    nc_tokenize(s, strlen(s), o, collect, &c);
    return c.out;
}

int main(void)
{
    nc_feature_opts o;
    nc_feature_opts_default(&o);

    CHECK_STR(tok("Russia's Foreign Minister", &o), "russia foreign minister");
    CHECK_STR(tok("They don't co-operate", &o), "they don't co operate");
    CHECK_STR(tok("cyber-attack on 12 May 2024", &o), "cyber attack on <dd> may <dddd>");
    CHECK_STR(tok("costs 3.5 or 1,000,000 or 123456", &o), "costs <d.d> or <d.d> or <d+>");
    CHECK_STR(tok("see https://example.org/a?b=1 or mail press@example.org", &o),
              "see <url> or mail <email>");
    /* sentence breaks stop n-grams: '|' marks a token that starts a sentence */
    CHECK_STR(tok("Talks failed. Markets fell!", &o), "talks failed | markets fell");
    CHECK_STR(tok("One line\n\nNew paragraph", &o), "one line | new paragraph");
    /* Unicode: NFKC + case folding, curly apostrophes, accented letters */
    CHECK_STR(tok("ÉCOLE Straße ﬁnal", &o), "école strasse final");
    CHECK_STR(tok("Kyiv\xe2\x80\x99s talks", &o), "kyiv talks");
    /* folding that puts a space in a word (U+037A -> " \u03b9"; Arabic U+FE70.. likewise)
     * gives two words, never a token with a space (which a vocabulary reads as two) */
    CHECK_STR(tok("Foo\xcd\xba" "bar talks", &o), "foo \xce\xb9" "bar talks");
    CHECK_STR(tok("\xcd\xba", &o), "\xce\xb9");
    {
        int n[2] = { 0, 0 };
        const char *s = "Foo\xcd\xba" "bar\xcd\xba" "baz";
        nc_tokenize(s, strlen(s), &o, count_tokens, n);
        CHECK_EQ_INT(n[0], 3);
        CHECK_EQ_INT(n[1], 0);
    }
    /* scraped-feed entities */
    CHECK_STR(tok("Russia #39;s move &amp; quot;plan quot;", &o), "russia move plan");
    CHECK_STR(tok("it&#39;s fine, isn&#39;t it", &o), "it fine isn't it");
    /* invalid UTF-8 and control bytes are separators, never a crash */
    CHECK_STR(tok("bad\xff\xfe" "byte \xc3 end", &o), "bad byte end");
    CHECK_STR(tok("", &o), "");
    /* very long junk words are skipped */
    {
        char big[300];
        memset(big, 'a', sizeof big - 1);
        big[sizeof big - 1] = '\0';
        CHECK_STR(tok(big, &o), "");
    }
    /* stop words and stemming on request */
    o.stopwords = 1;
    CHECK_STR(tok("The talks and the summit", &o), "talks summit");
    CHECK_STR(tok("He said talks also failed", &o), "talks failed");
    /* bundles from before 2026-11-27 keep the first list's lookup, which missed three words */
    o.stopword_list = 1;
    CHECK_STR(tok("He said talks also failed", &o), "said talks also failed");
    CHECK_STR(tok("The talks and the summit", &o), "talks summit");
    o.stopword_list = 2;
    o.stopwords = 0;
    /* the same list, word by word (--topic-stopwords masks features with it) */
    CHECK(nc_is_stopword("the", 3));
    CHECK(nc_is_stopword("said", 4));
    CHECK(nc_is_stopword("themselves", 10));
    /* the list is binary-searched: its first and last words, and the three once appended out of
     * order (which --stopwords then never dropped) */
    CHECK(nc_is_stopword("a", 1));
    CHECK(nc_is_stopword("yourselves", 10));
    CHECK(nc_is_stopword("also", 4));
    CHECK(nc_is_stopword("says", 4));
    CHECK(!nc_is_stopword("talks", 5));
    CHECK(!nc_is_stopword("not", 3)); /* negators stay: tone needs them */
    CHECK(!nc_is_stopword("the", 2)); /* "th" */
    CHECK(!nc_is_stopword("", 0));
    CHECK(!nc_is_stopword("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 41));
    o.stem = 1;
    CHECK_STR(tok("negotiations negotiated", &o), "negoti negoti");
    /* a stopping callback stops */
    {
        struct collect c;
        memset(&c, 0, sizeof c);
        CHECK_EQ_INT(nc_tokenize("a b c", 5, NULL, collect, &c), 0);
    }
    return check_report();
}
