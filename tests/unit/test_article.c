/* test_article.c: nc_article parsers (JSON record, fastText line, plain text), headline cleaning
 * and page-furniture detection. No files: every input is a string in this file.
 * SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <newsclass/article.h>

#include "check.h"
#include "util.h"

static void clean(const char *in, const char *want)
{
    char buf[256];

    snprintf(buf, sizeof buf, "%s", in);
    nc_clean_headline(buf);
    CHECK_STR(buf, want);
}

static void test_clean_headline(void)
{
    clean("Talks resume in Geneva |", "Talks resume in Geneva");
    clean("Talks resume in Geneva|", "Talks resume in Geneva");
    clean("Talks resume - The Daily Planet", "Talks resume");
    clean("Talks resume | The Daily Planet", "Talks resume");
    clean("Talks resume \xE2\x80\x94 Planet", "Talks resume");
    clean("Talks resume :: Planet News", "Talks resume");
    clean("Talks resume | Section | Site", "Talks resume | Section");
    clean("  Talks resume  ", "Talks resume");
    clean("Talks resume -", "Talks resume");
    clean("Talks resume | Planet |", "Talks resume");
    /* left alone: hyphens inside words and scores, long suffixes, nothing before the separator */
    clean("Man Utd 2-1 Chelsea", "Man Utd 2-1 Chelsea");
    clean("Well-known author dies", "Well-known author dies");
    clean("Talks resume - after a long night of tense negotiations",
          "Talks resume - after a long night of tense negotiations");
    clean("- Planet", "- Planet");
    clean("|", "");
    clean("", "");
}

static int furn(const char *s)
{
    return nc_is_furniture(s, strlen(s));
}

static void test_furniture(void)
{
    CHECK(furn("Source: Reuters"));
    CHECK(furn("source: reuters"));
    CHECK(furn("  SHARE THIS ARTICLE  "));
    CHECK(furn("Share this"));
    CHECK(furn("No comments:"));
    CHECK(furn("No comments"));
    CHECK(furn("Post a Comment"));
    CHECK(furn("Add a Comment..."));
    CHECK(furn("Share on Facebook"));
    CHECK(furn("Related Topics"));
    CHECK(furn("Image copyright Getty Images"));
    CHECK(furn("Image caption The minister arrives in Geneva"));
    CHECK(furn("Advertisement"));
    CHECK(furn("Read more: the full story"));
    CHECK(furn("Click here to subscribe"));
    CHECK(furn("Subscribe to our newsletter"));
    CHECK(furn("Sign up for our daily briefing"));
    CHECK(furn("Follow us on Twitter"));
    CHECK(furn("Comments (12)"));
    CHECK(furn("Posted by Jane at 10:42"));
    CHECK(furn("Labels: politics, europe"));
    CHECK(furn("Newer Post Older Post Home"));
    CHECK(furn("Home"));
    CHECK(furn("Home | News | Sport"));
    CHECK(furn("Home \xC2\xBB World"));
    CHECK(furn("Skip to content"));
    CHECK(furn("\xC2\xA9 2024 Planet Media Ltd. All rights reserved."));
    CHECK(furn("Copyright \xC2\xA9 Planet Media"));
    CHECK(furn("We use cookies to improve your experience"));
    CHECK(furn("Cookies policy"));
    CHECK(furn("Reuse this content"));
    CHECK(furn("Tags: geneva, talks"));
    CHECK(furn("\xC2\xA0" "Advertisement" "\xC2\xA0"));
    /* not furniture */
    CHECK(!furn(""));
    CHECK(!furn("   "));
    CHECK(!furn("Home Office to review visa rules"));
    CHECK(!furn("Homeowners face higher rates"));
    CHECK(!furn("Subscribers to the service rose sharply"));
    CHECK(!furn("Reading more books is good for you"));
    CHECK(!furn("The source said talks would resume"));
    /* a prefix match on a long line is a real sentence */
    CHECK(!furn("Subscribe numbers rose as the paper cut its price for readers who sign up for "
                "a year"));
    CHECK(furn("Subscribe to our newsletter for the best stories of the day"));
}

static void test_from_text(void)
{
    static const char doc[] = "\xEF\xBB\xBF\n"
                              "Source: Planet Wire\r\n"
                              "Talks resume in Geneva | The Daily Planet\r\n"
                              "\n"
                              "Share this article\n"
                              "Diplomats met on Monday.\n"
                              "They talked for hours.\n"
                              "\n"
                              "\n"
                              "Advertisement\n"
                              "\n"
                              "A deal may follow.   \n"
                              "Subscribe to our newsletter\n";
    nc_article a;
    nc_error err = { 0 };

    nc_article_init(&a);
    CHECK_EQ_INT(nc_article_from_text(doc, sizeof doc - 1, "talks.txt", 0, &a, &err), NC_OK);
    CHECK_STR(a.title, "Talks resume in Geneva");
    CHECK_STR(a.text, "Diplomats met on Monday.\nThey talked for hours.\n\nA deal may follow.");
    CHECK_STR(a.id, "talks.txt");
    CHECK_STR(a.file, "talks.txt");
    CHECK_EQ_INT(a.line, 0);
    CHECK_EQ_INT(a.has_topics, 0);
    CHECK_EQ_INT(a.has_tone, 0);
    CHECK(a.date == NULL);

    /* keep_furniture: "Source:" is now the headline */
    CHECK_EQ_INT(nc_article_from_text(doc, sizeof doc - 1, "talks.txt", 1, &a, &err), NC_OK);
    CHECK_STR(a.title, "Source: Planet Wire");
    CHECK(strstr(a.text, "Share this article\nDiplomats met") != NULL);
    CHECK(strstr(a.text, "Advertisement\n\nA deal") != NULL);

    /* headline only */
    CHECK_EQ_INT(nc_article_from_text("Just a headline\n", 16, "h", 0, &a, &err), NC_OK);
    CHECK_STR(a.title, "Just a headline");
    CHECK_STR(a.text, "");

    /* errors: the article is left empty */
    CHECK_EQ_INT(nc_article_from_text("ab\0c", 4, "bin.txt", 0, &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "'bin.txt': binary file (NUL byte at offset 2)");
    CHECK(a.title == NULL && a.id == NULL);
    CHECK_EQ_INT(nc_article_from_text("Head\nok line\nbad \xC3\x28 here\n", 24, "u.txt", 0, &a,
                                      &err),
                 NC_EFORMAT);
    CHECK_STR(err.msg, "'u.txt':3: invalid UTF-8 at byte 5");
    CHECK_EQ_INT(nc_article_from_text("\xED\xA0\x80", 3, "s.txt", 0, &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "'s.txt':1: invalid UTF-8 at byte 1");
    CHECK_EQ_INT(nc_article_from_text("", 0, "e.txt", 0, &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "'e.txt': empty article");
    CHECK_EQ_INT(nc_article_from_text(" \n\t\r\n  ", 7, "w.txt", 0, &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "'w.txt': empty article");
    CHECK_EQ_INT(nc_article_from_text("Advertisement\nShare this\n", 25, "f.txt", 0, &a, &err),
                 NC_EFORMAT);
    CHECK_STR(err.msg, "'f.txt': empty article");
    nc_article_finish(&a);
}

static int json(const char *line, nc_article *a, nc_error *err)
{
    return nc_article_from_json(line, strlen(line), "c.jsonl", 7, a, err);
}

static void json_fails(const char *line, const char *msg)
{
    nc_article a;
    nc_error err = { 0 };

    nc_article_init(&a);
    CHECK_EQ_INT(json(line, &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, msg);
    CHECK(a.id == NULL && a.title == NULL && a.topics == NULL && a.nfields == 0);
    nc_article_finish(&a);
}

static void test_from_json(void)
{
    nc_article a;
    nc_error err = { 0 };

    nc_article_init(&a);
    CHECK_EQ_INT(json("{\"id\":\"a1\",\"date\":\"2024-03-01\",\"source\":\"Planet\",\"title\":"
                      "\"Talks\",\"text\":\"Body \\u00e9\",\"topics\":[\"diplomacy\",\"sport\","
                      "\"diplomacy\"],\"tone\":-0.5,\"n\":3,\"extra\":{\"x\":1}}  ",
                      &a, &err),
                 NC_OK);
    CHECK_STR(a.id, "a1");
    CHECK_STR(a.title, "Talks");
    CHECK_STR(a.text, "Body \xC3\xA9");
    CHECK_STR(a.date, "2024-03-01");
    CHECK_EQ_INT(a.has_topics, 1);
    CHECK_EQ_INT(a.ntopics, 2); /* duplicates dropped */
    CHECK_STR(a.topics[0], "diplomacy");
    CHECK_STR(a.topics[1], "sport");
    CHECK_EQ_INT(a.has_tone, 1);
    CHECK_NEAR(a.tone, -0.5, 1e-12);
    CHECK_STR(a.file, "c.jsonl");
    CHECK_EQ_INT(a.line, 7);
    CHECK_EQ_INT(a.nfields, 4); /* every string field but the body */
    CHECK_STR(a.field_names[2], "source");
    CHECK_STR(nc_article_field(&a, "text"), "Body \xC3\xA9");
    CHECK_STR(nc_article_field(&a, "source"), "Planet");
    CHECK_STR(nc_article_field(&a, "id"), "a1");
    CHECK(nc_article_field(&a, "n") == NULL);
    CHECK(nc_article_field(&a, "missing") == NULL);

    /* defaults: id from file:line, no topics, no tone, title "" */
    CHECK_EQ_INT(json("{\"text\":\"only text\"}", &a, &err), NC_OK);
    CHECK_STR(a.id, "c.jsonl:7");
    CHECK_STR(a.title, "");
    CHECK_EQ_INT(a.has_topics, 0);
    CHECK_EQ_INT(a.ntopics, 0);
    CHECK_EQ_INT(a.has_tone, 0);
    CHECK(a.date == NULL);

    /* label is a one-element topic list; topics wins over label */
    CHECK_EQ_INT(json("{\"title\":\"t\",\"label\":\"sport\"}", &a, &err), NC_OK);
    CHECK_EQ_INT(a.has_topics, 1);
    CHECK_EQ_INT(a.ntopics, 1);
    CHECK_STR(a.topics[0], "sport");
    CHECK_EQ_INT(json("{\"title\":\"t\",\"label\":\"sport\",\"topics\":[\"diplomacy\"]}", &a,
                      &err),
                 NC_OK);
    CHECK_EQ_INT(a.ntopics, 1);
    CHECK_STR(a.topics[0], "diplomacy");
    CHECK_EQ_INT(json("{\"title\":\"t\",\"label\":\"sport\",\"topics\":null}", &a, &err), NC_OK);
    CHECK_STR(a.topics[0], "sport");
    CHECK_EQ_INT(json("{\"title\":\"t\",\"topics\":[]}", &a, &err), NC_OK);
    CHECK_EQ_INT(a.has_topics, 1);
    CHECK_EQ_INT(a.ntopics, 0);
    CHECK_EQ_INT(json("{\"title\":\"t\",\"topics\":null,\"tone\":null,\"id\":null}", &a, &err),
                 NC_OK);
    CHECK_EQ_INT(a.has_topics, 0);
    CHECK_EQ_INT(a.has_tone, 0);
    CHECK_STR(a.id, "c.jsonl:7");
    CHECK_EQ_INT(json("{\"id\":42,\"title\":\"t\",\"tone\":1}", &a, &err), NC_OK);
    CHECK_STR(a.id, "42");
    CHECK_NEAR(a.tone, 1.0, 0);
    /* other keys may repeat and hold \u0000; "\\u0000" is a backslash and text, no escape */
    CHECK_EQ_INT(json("{\"text\":\"x\",\"n\":1,\"n\":2,\"e\":\"a\\u0000b\","
                      "\"o\":{\"date\":\"\\u0000\"},\"date\":\"2024-01-01\\\\u0000\","
                      "\"topics\":[\"\\\\u0000\"]}",
                      &a, &err),
                 NC_OK);
    CHECK_STR(a.date, "2024-01-01\\u0000");
    CHECK_STR(a.topics[0], "\\u0000");
    CHECK_STR(nc_article_field(&a, "e"), "a");
    nc_article_finish(&a);

    json_fails("{\"title\":\"t\",", "c.jsonl:7: malformed JSON at column 13");
    json_fails("{\"title\" \"t\"}", "c.jsonl:7: malformed JSON at column 10");
    json_fails("{\"title\":\"t\"} x", "c.jsonl:7: malformed JSON at column 15");
    json_fails("not json", "c.jsonl:7: malformed JSON at column 1");
    json_fails("[\"title\"]", "c.jsonl:7: expected a JSON object");
    json_fails("\"title\"", "c.jsonl:7: expected a JSON object");
    json_fails("{\"title\":\"t\xFF\"}", "c.jsonl:7: invalid UTF-8 at byte 12");
    json_fails("{\"title\":\"\xC0\xAF\"}", "c.jsonl:7: invalid UTF-8 at byte 11");
    json_fails("{\"title\":1}", "c.jsonl:7: 'title' must be a string");
    json_fails("{\"title\":\"t\",\"text\":[]}", "c.jsonl:7: 'text' must be a string");
    json_fails("{\"title\":\"t\",\"date\":20240301}", "c.jsonl:7: 'date' must be a string");
    json_fails("{\"title\":\"t\",\"id\":1.5}", "c.jsonl:7: 'id' must be a string or an integer");
    /* out of any integer type's range: refused before any cast (UBSan would catch one) */
    json_fails("{\"title\":\"t\",\"id\":1e300}", "c.jsonl:7: 'id' must be a string or an integer");
    json_fails("{\"title\":\"t\",\"id\":-1e300}", "c.jsonl:7: 'id' must be a string or an integer");
    json_fails("{\"title\":\"t\",\"topics\":\"sport\"}",
               "c.jsonl:7: 'topics' must be an array of strings");
    json_fails("{\"title\":\"t\",\"topics\":[\"sport\",3]}",
               "c.jsonl:7: 'topics' must be an array of non-empty strings");
    json_fails("{\"title\":\"t\",\"label\":[\"sport\"]}",
               "c.jsonl:7: 'label' must be a non-empty string");
    json_fails("{\"title\":\"t\",\"tone\":1.5}", "c.jsonl:7: 'tone' must be a number in [-1, 1]");
    json_fails("{\"title\":\"t\",\"tone\":-1.0001}",
               "c.jsonl:7: 'tone' must be a number in [-1, 1]");
    json_fails("{\"title\":\"t\",\"tone\":\"0.5\"}",
               "c.jsonl:7: 'tone' must be a number in [-1, 1]");
    json_fails("{\"id\":\"x\"}", "c.jsonl:7: missing 'text' and 'title'");
    /* topic names: no control characters, which would break TSV headers and tables */
    json_fails("{\"text\":\"x\",\"topics\":[\"ok\",\"a\\tb\"]}",
               "c.jsonl:7: topic name contains a control character (0x09)");
    json_fails("{\"text\":\"x\",\"topics\":[\"a\\u007fb\"]}",
               "c.jsonl:7: topic name contains a control character (0x7f)");
    json_fails("{\"text\":\"x\",\"label\":\"x\\ny\"}",
               "c.jsonl:7: topic name contains a control character (0x0a)");
    json_fails("{\"text\":\"x\",\"label\":\"x\\u001by\",\"topics\":[\"a\"]}",
               "c.jsonl:7: topic name contains a control character (0x1b)");
    json_fails("{\"text\":\"x\",\"o\":{},\"topics\":[\"a\\rb\"]}",
               "c.jsonl:7: topic name contains a control character (0x0d)");
    /* a known field twice: cJSON would read the first and never check the second */
    json_fails("{\"text\":\"x\",\"tone\":0.1,\"tone\":5}", "c.jsonl:7: duplicate key 'tone'");
    json_fails("{\"text\":\"x\",\"tone\":5,\"tone\":0.1}", "c.jsonl:7: duplicate key 'tone'");
    json_fails("{\"title\":\"a\",\"text\":\"x\",\"title\":\"b\"}",
               "c.jsonl:7: duplicate key 'title'");
    json_fails("{\"text\":\"x\",\"t\\u0065xt\":\"y\"}", "c.jsonl:7: duplicate key 'text'");
    json_fails("{\"text\":\"x\",\"id\":1,\"o\":[],\"id\":\"b\"}", "c.jsonl:7: duplicate key 'id'");
    json_fails("{\"text\":\"x\",\"topics\":[],\"date\":null,\"topics\":[\"a\"],\"date\":\"d\"}",
               "c.jsonl:7: duplicate key 'topics'");
    json_fails("{\"text\":\"x\",\"label\":\"a\",\"label\":\"a\"}",
               "c.jsonl:7: duplicate key 'label'");
    /* \u0000 would end a known field's string early */
    json_fails("{\"text\":\"x\",\"date\":\"2024-01-01\\u0000junk\"}",
               "c.jsonl:7: 'date' contains a NUL character (\\u0000)");
    json_fails("{\"title\":\"a\\u0000\",\"o\":{\"p\":\"\\u0000\"}}",
               "c.jsonl:7: 'title' contains a NUL character (\\u0000)");
    json_fails("{\"text\":\"x\",\"topics\":[\"a\",\"\\u0000b\"]}",
               "c.jsonl:7: 'topics' contains a NUL character (\\u0000)");
    json_fails("{\"text\":\"x\\\\\\u0000\"}",
               "c.jsonl:7: 'text' contains a NUL character (\\u0000)");
    json_fails("{\"tone\\u0000x\":0.5,\"text\":\"x\"}",
               "c.jsonl:7: 'tone' contains a NUL character (\\u0000)");
    json_fails("{\"title\":\"\",\"text\":\"  \"}", "c.jsonl:7: missing 'text' and 'title'");
    json_fails("{}", "c.jsonl:7: missing 'text' and 'title'");
    {
        nc_article b;
        nc_error e = { 0 };
        nc_article_init(&b);
        CHECK_EQ_INT(nc_article_from_json("{\"title\":\"a\0\"}", 14, "c.jsonl", 7, &b, &e),
                     NC_EFORMAT);
        CHECK_STR(e.msg, "c.jsonl:7: NUL byte (binary file?)");
        /* not NUL-terminated: only len bytes are read */
        CHECK_EQ_INT(nc_article_from_json("{\"title\":\"a\"}garbage", 13, "c.jsonl", 7, &b, &e),
                     NC_OK);
        CHECK_STR(b.title, "a");
        nc_article_finish(&b);
    }
}

/* The fast JSON path (flat records) and the cJSON path (taken here by adding a nested object,
 * which the fast path leaves to cJSON) give the same article. */
static void same_both_ways(const char *rec)
{
    nc_article a, b;
    nc_error e1 = { 0 }, e2 = { 0 };
    char slow[1024];
    size_t n = strlen(rec);

    CHECK(n > 2 && n + 16 < sizeof slow);
    memcpy(slow, rec, n);
    while (n && slow[n - 1] != '}')
        n--;
    snprintf(slow + n - 1, sizeof slow - n + 1, ",\"zz\":{\"q\":[1]}}");
    nc_article_init(&a);
    nc_article_init(&b);
    CHECK_EQ_INT(json(rec, &a, &e1), NC_OK);
    CHECK_EQ_INT(json(slow, &b, &e2), NC_OK);
    CHECK_STR(a.id, b.id);
    CHECK_STR(a.title, b.title);
    CHECK_STR(a.text, b.text);
    CHECK((a.date == NULL) == (b.date == NULL));
    if (a.date && b.date)
        CHECK_STR(a.date, b.date);
    CHECK_EQ_INT(a.has_topics, b.has_topics);
    CHECK_EQ_INT(a.ntopics, b.ntopics);
    for (size_t i = 0; i < a.ntopics && i < b.ntopics; i++)
        CHECK_STR(a.topics[i], b.topics[i]);
    CHECK_EQ_INT(a.has_tone, b.has_tone);
    CHECK(a.tone == b.tone);
    CHECK_EQ_INT(a.nfields, b.nfields);
    for (size_t i = 0; i < a.nfields && i < b.nfields; i++) {
        CHECK_STR(a.field_names[i], b.field_names[i]);
        CHECK_STR(a.field_values[i], b.field_values[i]);
    }
    CHECK_STR(a.file, b.file);
    CHECK_EQ_INT(a.line, b.line);
    nc_article_finish(&a);
    nc_article_finish(&b);
}

static void test_json_fast_path(void)
{
    same_both_ways("{\"id\":\"a1\",\"title\":\"T\",\"text\":\"plain body\",\"topics\":[\"sport\"],"
                   "\"tone\":0.5,\"date\":\"2024-03-01\"}");
    same_both_ways(" { \"title\" : \"Esc \\\" \\\\ \\/ \\b\\f\\n\\r\\t end\" , \"text\" :"
                   " \"\\u00e9\\u20ac\\ud83d\\ude00 \\u0041\" } ");
    same_both_ways("{\"id\":42,\"title\":\"t\",\"tone\":-2.5e-1,\"n\":-0.0,\"b\":true,"
                   "\"f\":false,\"z\":null,\"arr\":[\"x\", \"y\"],\"e\":[]}");
    same_both_ways("{\"title\":\"t\",\"label\":\"sport\"}");
    same_both_ways("{\"title\":\"t\",\"label\":\"sport\",\"topics\":[\"a\",\"b\",\"a\"]}");
    same_both_ways("{\"title\":\"t\",\"topics\":[],\"label\":null,\"tone\":null,\"id\":null}");
    same_both_ways("{\"text\":\"x\",\"source\":\"P\",\"source\":\"Q\",\"id\":\"\",\"date\":\"\"}");
    same_both_ways("{\"title\":\"\\\\\\\"\",\"text\":\"a\\\\\"}");
    same_both_ways("{\"title\":\"Caf\xC3\xA9\",\"text\":\"\",\"tone\":1,\"id\":-7}");
    /* longer than the 16-byte scans, escapes at and across their edges */
    same_both_ways("{\"title\":\"A headline that runs well past sixteen bytes\",\"text\":"
                   "\"First paragraph, long enough to need several scans.\\n\\nSecond "
                   "\\\"quoted\\\" part\\u2019s end, then \\\\ and \\/ and more text "
                   "after \\t a tab escape: caf\xC3\xA9 na\xC3\xAFve \\ud83d\\ude00.\"}");
}

static int ft(const char *line, nc_article *a, nc_error *err)
{
    return nc_article_from_fasttext(line, strlen(line), "d.ft", 3, a, err);
}

/* Many topics: duplicates dropped in first-seen order past the scan's range too (the hash
 * table), the same on the fast path, the cJSON path (a nested object) and fastText; and in
 * linear time: 200,000 topics took minutes with a scan for duplicates. */
static void test_many_topics(void)
{
    enum { N = 200000 };
    nc_strbuf js = NC_STRBUF_INIT, ft = NC_STRBUF_INIT;
    nc_article a;
    nc_error err = { 0 };

    nc_article_init(&a);
    nc_strbuf_add(&js, "{\"text\":\"x\",\"topics\":[", 22);
    for (int i = 0; i < N; i++) { /* t0 .. t99999, then all again in reverse, then t0 */
        int k = i < N / 2 ? i : N - 1 - i;
        nc_strbuf_addf(&js, "%s\"t%d\"", i ? "," : "", k);
        nc_strbuf_addf(&ft, "__label__t%d ", k);
    }
    nc_strbuf_add(&js, ",\"t0\"]}", 7);
    nc_strbuf_add(&ft, "__label__t0 text", 16);
    for (int pass = 0; pass < 3; pass++) {
        int rc;
        if (pass == 0) {
            rc = nc_article_from_json(js.buf, js.len, "c.jsonl", 7, &a, &err);
        } else if (pass == 1) { /* a nested object: the cJSON path */
            js.len -= 1;
            nc_strbuf_add(&js, ",\"o\":{}}", 8);
            rc = nc_article_from_json(js.buf, js.len, "c.jsonl", 7, &a, &err);
        } else {
            rc = nc_article_from_fasttext(ft.buf, ft.len, "d.ft", 3, &a, &err);
        }
        CHECK_EQ_INT(rc, NC_OK);
        CHECK_EQ_INT(a.ntopics, N / 2);
        if (a.ntopics == N / 2) {
            CHECK_STR(a.topics[0], "t0");
            CHECK_STR(a.topics[1], "t1");
            CHECK_STR(a.topics[N / 2 - 1], "t99999");
        }
    }
    nc_article_finish(&a);
    nc_strbuf_finish(&js);
    nc_strbuf_finish(&ft);
}

static void test_from_fasttext(void)
{
    nc_article a;
    nc_error err = { 0 };

    nc_article_init(&a);
    CHECK_EQ_INT(ft("__label__sport __label__diplomacy  Talks on the World Cup ", &a, &err),
                 NC_OK);
    CHECK_EQ_INT(a.has_topics, 1);
    CHECK_EQ_INT(a.ntopics, 2);
    CHECK_STR(a.topics[0], "sport");
    CHECK_STR(a.topics[1], "diplomacy");
    CHECK_STR(a.text, "Talks on the World Cup");
    CHECK_STR(a.title, "");
    CHECK_STR(a.id, "d.ft:3");
    CHECK_EQ_INT(a.line, 3);
    CHECK_EQ_INT(ft("no labels here __label__x", &a, &err), NC_OK);
    CHECK_EQ_INT(a.has_topics, 0);
    CHECK_STR(a.text, "no labels here __label__x");
    CHECK_EQ_INT(ft("__label__sport   ", &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "d.ft:3: no text after the labels");
    CHECK_EQ_INT(ft("__label__ text", &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "d.ft:3: empty label '__label__'");
    CHECK_EQ_INT(ft("__label__a \xFF", &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "d.ft:3: invalid UTF-8 at byte 12");
    /* topic names go into TSV headers and tables: no control bytes (white space splits) */
    CHECK_EQ_INT(ft("__label__a\x01" "b text", &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "d.ft:3: topic name contains a control character (0x01)");
    CHECK_EQ_INT(ft("__label__ok __label__a\x7f text", &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "d.ft:3: topic name contains a control character (0x7f)");
    CHECK(a.topics == NULL && a.ntopics == 0);
    nc_article_finish(&a);
}

int main(void)
{
    nc_article a;

    test_clean_headline();
    test_furniture();
    test_from_text();
    test_from_json();
    test_json_fast_path();
    test_from_fasttext();
    test_many_topics();
    nc_article_init(&a);
    nc_article_finish(&a); /* finish on an empty article is harmless */
    nc_article_finish(NULL);
    return check_report();
}
