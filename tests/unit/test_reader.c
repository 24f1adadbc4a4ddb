/* test_reader.c: nc_reader over every input format, directories, gzip, standard input and the
 * error paths. Small fixtures live in tests/data/readers/; anything large, binary or odd (a 20 MB
 * line, NUL bytes, gzip files, symbolic links) is generated in a temporary directory under /tmp.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <newsclass/article.h>

#include "check.h"
#include "util.h"

#define DATA NC_TEST_DATA "/readers"

static char tmpdir[] = "/tmp/nc-test-reader-XXXXXX";

static char *tmp_path(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];

    snprintf(p, sizeof buf[0], "%s/%s", tmpdir, name);
    return p;
}

static void write_file(const char *path, const char *data, size_t len)
{
    /* len 0 with non-empty data means "up to the NUL" */
    FILE *fp = fopen(path, "wb");

    if (len == 0)
        len = strlen(data);
    CHECK(fp != NULL);
    if (!fp)
        return;
    CHECK_EQ_INT(fwrite(data, 1, len, fp), len);
    CHECK_EQ_INT(fclose(fp), 0);
}

/* Read everything from 'path' into one string: a line per call, either "id [topics]" or
 * "! message"; errors do not stop the reading. 'strip' is removed
 * from the front of ids and messages. Returns NULL when the open fails (message in *err). */
static char *collect(const char *path, const nc_reader_opts *o, const char *strip, nc_error *err)
{
    nc_reader *r = NULL;
    nc_article a;
    nc_strbuf sb = NC_STRBUF_INIT;
    size_t sl = strip ? strlen(strip) : 0;

    nc_article_init(&a);
    if (nc_reader_open(path, o, &r, err) < 0)
        return NULL;
    for (int guard = 0; guard < 1000; guard++) {
        int rc = nc_reader_next(r, &a, err);
        if (rc == 0)
            break;
        if (rc < 0) {
            const char *m = err->msg;
            if (sl && strncmp(m, strip, sl) == 0)
                m += sl;
            nc_strbuf_addf(&sb, "! %s\n", m);
            continue;
        }
        nc_strbuf_add(&sb, a.id + (sl && strncmp(a.id, strip, sl) == 0 ? sl : 0),
                      strlen(a.id) - (sl && strncmp(a.id, strip, sl) == 0 ? sl : 0));
        if (a.has_topics) {
            nc_strbuf_addc(&sb, ' ');
            nc_strbuf_addc(&sb, '[');
            for (size_t i = 0; i < a.ntopics; i++)
                nc_strbuf_addf(&sb, "%s%s", i ? "," : "", a.topics[i]);
            nc_strbuf_addc(&sb, ']');
        }
        nc_strbuf_addc(&sb, '\n');
    }
    nc_article_finish(&a);
    nc_reader_free(r);
    return nc_strbuf_detach(&sb);
}

static void expect(const char *path, const nc_reader_opts *o, const char *strip, const char *want)
{
    nc_error err = { 0 };
    char *got = collect(path, o, strip, &err);

    if (!got)
        fprintf(stderr, "open '%s' failed: %s\n", path, err.msg);
    CHECK_STR(got, want);
    free(got);
}

static void expect_open_error(const char *path, nc_format f, const char *want)
{
    nc_reader_opts o = { f, 0, 0 };
    nc_reader *r = (nc_reader *)&o; /* must be reset to NULL */
    nc_error err = { 0 };

    CHECK_EQ_INT(nc_reader_open(path, &o, &r, &err), NC_EIO);
    CHECK(r == NULL);
    CHECK_STR(err.msg, want);
}

static void test_jsonl(void)
{
    nc_reader *r = NULL;
    nc_article a;
    nc_error err = { 0 };

    nc_article_init(&a);
    CHECK_EQ_INT(nc_reader_open(DATA "/sample.jsonl", NULL, &r, &err), NC_OK);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.id, "j1");
    CHECK_STR(a.title, "Talks resume in Geneva");
    CHECK_STR(a.text, "Diplomats met on Monday.");
    CHECK_STR(a.date, "2024-03-01");
    CHECK_STR(nc_article_field(&a, "source"), "Planet");
    CHECK_NEAR(a.tone, 0.5, 0);
    CHECK_EQ_INT(a.line, 1);
    CHECK_STR(a.file, DATA "/sample.jsonl");
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1); /* after a blank line; CRLF line end */
    CHECK_STR(a.id, DATA "/sample.jsonl:3");
    CHECK_STR(a.title, "Cup final tonight");
    CHECK_STR(a.text, "");
    CHECK_EQ_INT(a.ntopics, 1);
    CHECK_STR(a.topics[0], "sport");
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1); /* last line has no newline */
    CHECK_EQ_INT(a.line, 5);
    CHECK_STR(a.topics[0], "cybersecurity"); /* topics wins over label */
    CHECK_NEAR(a.tone, -1, 0);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 0);
    CHECK(a.id == NULL); /* finished at the end */
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 0);
    nc_reader_free(r);
    nc_article_finish(&a);

    /* data errors name file:line, and reading goes on with the next line */
    expect(DATA "/errors.jsonl", NULL, DATA "/",
           "ok1\n"
           "! errors.jsonl:2: malformed JSON at column 24\n"
           "! errors.jsonl:3: expected a JSON object\n"
           "! errors.jsonl:4: 'title' must be a string\n"
           "! errors.jsonl:5: missing 'text' and 'title'\n"
           "! errors.jsonl:6: 'tone' must be a number in [-1, 1]\n"
           "! errors.jsonl:7: 'topics' must be an array of strings\n"
           "ok2\n");
}

static void test_text_and_fasttext(void)
{
    nc_reader *r = NULL;
    nc_article a;
    nc_error err = { 0 };
    nc_reader_opts keep = { NC_FORMAT_AUTO, 0, 1 };

    nc_article_init(&a);
    CHECK_EQ_INT(nc_reader_open(DATA "/article.txt", NULL, &r, &err), NC_OK);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.id, DATA "/article.txt");
    CHECK_STR(a.file, DATA "/article.txt");
    CHECK_EQ_INT(a.line, 0);
    CHECK_STR(a.title, "Talks resume in Geneva");
    CHECK_STR(a.text, "Diplomats from both sides met on Monday in Geneva.\n"
                      "They talked for six hours.\n\n"
                      "A deal may follow within weeks, officials said.");
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 0);
    nc_reader_free(r);

    CHECK_EQ_INT(nc_reader_open(DATA "/article.txt", &keep, &r, &err), NC_OK);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.title, "Source: Planet Wire");
    CHECK(strstr(a.text, "Copyright \xC2\xA9 Planet Media") != NULL);
    nc_reader_free(r);

    /* a .jsonl name read as plain text when the format says so */
    {
        nc_reader_opts text = { NC_FORMAT_TEXT, 0, 0 };
        CHECK_EQ_INT(nc_reader_open(DATA "/sample.jsonl", &text, &r, &err), NC_OK);
        CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
        CHECK(strncmp(a.title, "{\"id\":\"j1\"", 10) == 0);
        CHECK_EQ_INT(nc_reader_next(r, &a, &err), 0);
        nc_reader_free(r);
    }
    nc_article_finish(&a);

    expect(DATA "/sample.ft", NULL, DATA "/",
           "sample.ft:1 [sport,diplomacy]\n"
           "sample.ft:3 [cybersecurity]\n"
           "! sample.ft:4: no text after the labels\n");
}

static void test_directory(void)
{
    nc_reader_opts dir = { NC_FORMAT_DIR, 0, 0 };
    nc_reader_opts by_dir = { NC_FORMAT_AUTO, 1, 0 };

    /* byte order of full paths: "a-b.txt" < "a.txt" < "a/1.txt"; hidden entries skipped */
    expect(DATA "/tree", NULL, DATA "/tree/",
           "a-b.txt\na.txt\na/1.txt\nx1 [diplomacy]\nx2\nb/2.txt\nc.ft:1 [sport]\n");
    expect(DATA "/tree/", &dir, DATA "/tree/",
           "a-b.txt\na.txt\na/1.txt\nx1 [diplomacy]\nx2\nb/2.txt\nc.ft:1 [sport]\n");
    /* label_from_dir: the parent folder's name replaces any topics */
    expect(DATA "/tree", &by_dir, DATA "/tree/",
           "a-b.txt [tree]\na.txt [tree]\na/1.txt [a]\nx1 [sub]\nx2 [sub]\nb/2.txt [b]\n"
           "c.ft:1 [tree]\n");
    expect(DATA "/tree/a/", &by_dir, DATA "/tree/a/", "1.txt [a]\nx1 [sub]\nx2 [sub]\n");
    /* a folder name with a control byte is no topic (it would break TSV headers); each of
     * its files is an error, and the walk goes on */
    {
        char want[1600];
        CHECK_EQ_INT(mkdir(tmp_path("labels"), 0700), 0);
        CHECK_EQ_INT(mkdir(tmp_path("labels/a\tb"), 0700), 0);
        CHECK_EQ_INT(mkdir(tmp_path("labels/ok"), 0700), 0);
        write_file(tmp_path("labels/a\tb/1.txt"), "Head\nBody\n", 0);
        write_file(tmp_path("labels/a\tb/2.jsonl"), "{\"id\":\"j\",\"text\":\"x\"}\n", 0);
        write_file(tmp_path("labels/ok/3.txt"), "Head\nBody\n", 0);
        snprintf(want, sizeof want,
                 "! '%s/a\tb/1.txt': topic name (the folder's name) contains a control "
                 "character (0x09)\n"
                 "! '%s/a\tb/2.jsonl': topic name (the folder's name) contains a control "
                 "character (0x09)\n"
                 "%s/ok/3.txt [ok]\n",
                 tmp_path("labels"), tmp_path("labels"), tmp_path("labels"));
        expect(tmp_path("labels"), &by_dir, NULL, want);
        expect(tmp_path("labels/a\tb/"), &dir, tmp_path("labels/a\tb/"), "1.txt\nj\n");
    }
}

static void test_open_errors(void)
{
    char want[600];

    snprintf(want, sizeof want, "cannot open '%s': Is a directory", tmpdir);
    expect_open_error(tmpdir, NC_FORMAT_JSONL, want);
    expect_open_error(tmpdir, NC_FORMAT_TEXT, want);
    expect_open_error(tmpdir, NC_FORMAT_FASTTEXT, want);
    expect_open_error(DATA "/no-such.jsonl", NC_FORMAT_AUTO,
                      "cannot open '" DATA "/no-such.jsonl': No such file or directory");
    expect_open_error(DATA "/sample.jsonl/x", NC_FORMAT_AUTO,
                      "cannot open '" DATA "/sample.jsonl/x': Not a directory");
    expect_open_error(DATA "/sample.jsonl", NC_FORMAT_DIR,
                      "cannot open '" DATA "/sample.jsonl': Not a directory");
    expect_open_error("-", NC_FORMAT_DIR, "cannot open '-': Not a directory");
    if (geteuid() != 0) { /* root reads anything */
        const char *p = tmp_path("locked.jsonl");
        write_file(p, "{\"text\":\"x\"}\n", 13);
        chmod(p, 0);
        snprintf(want, sizeof want, "cannot open '%s': Permission denied", p);
        expect_open_error(p, NC_FORMAT_AUTO, want);
        unlink(p);
    }
    {
        nc_reader_opts bad = { (nc_format)42, 0, 0 };
        nc_reader *r = NULL;
        nc_error err = { 0 };
        CHECK_EQ_INT(nc_reader_open(DATA "/sample.jsonl", &bad, &r, &err), NC_EINVAL);
        CHECK(r == NULL);
    }
}

static void test_bad_bytes(void)
{
    static const char nul[] = "{\"text\":\"ok\"}\n{\"text\":\"a\0b\"}\n{\"text\":\"ok2\"}\n";
    static const char utf[] = "{\"text\":\"ok\"}\r\n{\"text\":\"caf\xE9\"}\n";
    static const char bin[] = "Headline\nbody\0more";
    char want[800];

    write_file(tmp_path("nul.jsonl"), nul, sizeof nul - 1);
    snprintf(want, sizeof want, "%s:1\n! %s:2: NUL byte (binary file?)\n%s:3\n",
             tmp_path("nul.jsonl"), tmp_path("nul.jsonl"), tmp_path("nul.jsonl"));
    expect(tmp_path("nul.jsonl"), NULL, NULL, want);
    write_file(tmp_path("utf.jsonl"), utf, sizeof utf - 1);
    snprintf(want, sizeof want, "%s:1\n! %s:2: invalid UTF-8 at byte 13\n",
             tmp_path("utf.jsonl"), tmp_path("utf.jsonl"));
    expect(tmp_path("utf.jsonl"), NULL, NULL, want);
    write_file(tmp_path("bin.txt"), bin, sizeof bin - 1);
    snprintf(want, sizeof want, "! '%s': binary file (NUL byte at offset 13)\n",
             tmp_path("bin.txt"));
    expect(tmp_path("bin.txt"), NULL, NULL, want);
    write_file(tmp_path("latin1.txt"), "Head\nca\xE9\n", 9);
    snprintf(want, sizeof want, "! '%s':2: invalid UTF-8 at byte 3\n", tmp_path("latin1.txt"));
    expect(tmp_path("latin1.txt"), NULL, NULL, want);
    write_file(tmp_path("empty.txt"), " \n\n", 3);
    snprintf(want, sizeof want, "! '%s': empty article\n", tmp_path("empty.txt"));
    expect(tmp_path("empty.txt"), NULL, NULL, want);
    write_file(tmp_path("empty.jsonl"), "", 0);
    write_file(tmp_path("blank.jsonl"), "\n \r\n\t\n", 0);
    expect(tmp_path("blank.jsonl"), NULL, NULL, "");
    expect(tmp_path("empty.jsonl"), NULL, NULL, "");
}

/* A NUL byte is found in the chunk that brings it, even in a line far longer than a chunk; the
 * rest of that line is dropped and reading goes on with the next one. */
static void test_nul_in_long_line(void)
{
    static const char tail[] = "\"}\n{\"id\":\"after\",\"text\":\"x\"}\n";
    const size_t n = 300 * 1024, nt = sizeof tail - 1; /* several chunks */
    char *big = malloc(n + nt), want[1600];
    gzFile gz;

    CHECK(big != NULL);
    if (!big)
        return;
    /* JSON Lines and fastText: the NUL near the start of a long line 2, then line 3 */
    memset(big, 'a', n);
    memcpy(big, "{\"text\":\"", 9);
    big[1000] = '\0';
    memcpy(big + n, tail, nt);
    {
        FILE *fp = fopen(tmp_path("long-nul.jsonl"), "wb");
        CHECK(fp != NULL);
        if (fp) {
            fputs("{\"id\":\"before\",\"text\":\"x\"}\n", fp);
            fwrite(big, 1, n + nt, fp);
            fclose(fp);
        }
    }
    snprintf(want, sizeof want, "before\n! %s:2: NUL byte (binary file?)\nafter\n",
             tmp_path("long-nul.jsonl"));
    expect(tmp_path("long-nul.jsonl"), NULL, NULL, want);
    /* the same through gzip */
    if ((gz = gzopen(tmp_path("long-nul.jsonl.gz"), "wb")) != NULL) {
        gzputs(gz, "{\"id\":\"before\",\"text\":\"x\"}\n");
        gzwrite(gz, big, (unsigned)(n + nt));
        CHECK_EQ_INT(gzclose(gz), Z_OK);
    }
    snprintf(want, sizeof want, "before\n! %s:2: NUL byte (binary file?)\nafter\n",
             tmp_path("long-nul.jsonl.gz"));
    expect(tmp_path("long-nul.jsonl.gz"), NULL, NULL, want);
    /* a final line without a line end: nothing after it */
    write_file(tmp_path("tail-nul.ft"), big, n);
    snprintf(want, sizeof want, "! %s:1: NUL byte (binary file?)\n", tmp_path("tail-nul.ft"));
    expect(tmp_path("tail-nul.ft"), NULL, NULL, want);
    /* plain text: the offset counts from the start of the file, chunks before it included */
    big[1000] = 'a';
    big[n - 7] = '\0';
    write_file(tmp_path("late-nul.txt"), big, n);
    snprintf(want, sizeof want, "! '%s': binary file (NUL byte at offset %zu)\n",
             tmp_path("late-nul.txt"), n - 7);
    expect(tmp_path("late-nul.txt"), NULL, NULL, want);
    free(big);
}

/* Endless NUL bytes without a line end (/dev/zero, a gzip bomb) are refused after the first
 * chunk, not read whole: the writer is cut off (EPIPE) long before its 64 MB are through. */
static void nul_flood(const nc_reader_opts *o, const char *head, int nok, const char *want)
{
    int fds[2], saved = dup(0), status = 0;
    pid_t pid;
    nc_reader *r = NULL;
    nc_article a;
    nc_error err = { 0 };

    CHECK(saved >= 0 && pipe(fds) == 0);
    if ((pid = fork()) == 0) {
        static char zeros[65536];
        signal(SIGPIPE, SIG_IGN);
        close(fds[0]);
        if (write(fds[1], head, strlen(head)) < 0)
            _exit(1);
        for (int i = 0; i < 1024; i++)
            if (write(fds[1], zeros, sizeof zeros) < 0)
                _exit(1); /* EPIPE: the reader stopped */
        _exit(0);
    }
    CHECK(pid > 0);
    close(fds[1]);
    CHECK(dup2(fds[0], 0) == 0);
    close(fds[0]);
    nc_article_init(&a);
    CHECK_EQ_INT(nc_reader_open("-", o, &r, &err), NC_OK);
    for (int i = 0; i < nok; i++)
        CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), NC_EFORMAT);
    CHECK_STR(err.msg, want);
    nc_reader_free(r);
    dup2(saved, 0); /* the last read end closes */
    close(saved);
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
    nc_article_finish(&a);
}

static void test_nul_flood(void)
{
    nc_reader_opts jl = { NC_FORMAT_JSONL, 0, 0 }, ft = { NC_FORMAT_FASTTEXT, 0, 0 };

    nul_flood(NULL, "", 0, "'-': binary file (NUL byte at offset 0)");
    nul_flood(NULL, "Headline\n", 0, "'-': binary file (NUL byte at offset 9)");
    nul_flood(&jl, "{\"text\":\"x\"}\n{\"text\":\"", 1, "-:2: NUL byte (binary file?)");
    nul_flood(&ft, "", 0, "-:1: NUL byte (binary file?)");
}

/* A 20 MB line followed by a short one without a final newline. */
static void test_long_line(void)
{
    const size_t n = 20u * 1024 * 1024;
    const char *p = tmp_path("big.jsonl");
    FILE *fp = fopen(p, "wb");
    char *text = malloc(n);
    nc_reader *r = NULL;
    nc_article a;
    nc_error err = { 0 };

    CHECK(fp && text);
    if (!fp || !text) {
        free(text);
        return;
    }
    memset(text, 'a', n);
    for (size_t i = 100; i < n; i += 100)
        text[i] = ' ';
    fputs("{\"id\":\"big\",\"text\":\"", fp);
    fwrite(text, 1, n, fp);
    fputs("\"}\n{\"id\":\"small\",\"text\":\"x\"}", fp);
    CHECK_EQ_INT(fclose(fp), 0);

    nc_article_init(&a);
    CHECK_EQ_INT(nc_reader_open(p, NULL, &r, &err), NC_OK);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.id, "big");
    CHECK_EQ_INT(strlen(a.text), n);
    CHECK(a.text && memcmp(a.text, text, n) == 0);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.id, "small");
    CHECK_EQ_INT(a.line, 2);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 0);
    nc_reader_free(r);
    nc_article_finish(&a);
    free(text);
    unlink(p);
}

static void write_gz(const char *path, const char *data)
{
    gzFile gz = gzopen(path, "wb");

    CHECK(gz != NULL);
    if (!gz)
        return;
    CHECK_EQ_INT(gzwrite(gz, data, (unsigned)strlen(data)), strlen(data));
    CHECK_EQ_INT(gzclose(gz), Z_OK);
}

static void test_gzip(void)
{
    char want[800];
    char *raw = NULL;
    size_t len = 0;
    nc_error err = { 0 };

    write_gz(tmp_path("c.jsonl.gz"), "{\"id\":\"g1\",\"text\":\"zipped\",\"label\":\"sport\"}\n"
                                     "\n{\"id\":\"g2\",\"title\":\"zipped too\"}\n");
    expect(tmp_path("c.jsonl.gz"), NULL, NULL, "g1 [sport]\ng2\n");
    write_gz(tmp_path("story.txt.gz"), "Zipped headline | Site\nZipped body.\n");
    snprintf(want, sizeof want, "%s\n", tmp_path("story.txt.gz"));
    expect(tmp_path("story.txt.gz"), NULL, NULL, want);
    write_gz(tmp_path("d.ft.gz"), "__label__sport Zipped match\n");
    snprintf(want, sizeof want, "%s:1 [sport]\n", tmp_path("d.ft.gz"));
    expect(tmp_path("d.ft.gz"), NULL, NULL, want);
    /* gzip data under a plain name is still decompressed */
    {
        nc_reader_opts jl = { NC_FORMAT_JSONL, 0, 0 };
        write_gz(tmp_path("plain-name.txt"), "{\"id\":\"g3\",\"text\":\"x\"}\n");
        expect(tmp_path("plain-name.txt"), &jl, NULL, "g3\n");
    }
    /* a truncated gzip file is an I/O error that ends the file */
    CHECK_EQ_INT(nc_read_file(tmp_path("c.jsonl.gz"), &raw, &len, &err), NC_OK);
    if (raw) {
        nc_reader *r = NULL;
        nc_article a;
        write_file(tmp_path("cut.jsonl.gz"), raw, len - 12);
        nc_article_init(&a);
        CHECK_EQ_INT(nc_reader_open(tmp_path("cut.jsonl.gz"), NULL, &r, &err), NC_OK);
        CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
        CHECK_EQ_INT(nc_reader_next(r, &a, &err), NC_EIO);
        snprintf(want, sizeof want, "cannot read '%s': unexpected end of compressed data",
                 tmp_path("cut.jsonl.gz"));
        CHECK_STR(err.msg, want);
        CHECK_EQ_INT(nc_reader_next(r, &a, NULL), 0);
        nc_reader_free(r);
        nc_article_finish(&a);
        free(raw);
    }
}

/* Links: a loop back to the top is not followed; a link to a file is read. */
static void test_symlinks(void)
{
    char want[800], d[600];

    snprintf(d, sizeof d, "%s", tmp_path("loop"));
    CHECK_EQ_INT(mkdir(d, 0700), 0);
    CHECK_EQ_INT(mkdir(tmp_path("loop/sub"), 0700), 0);
    write_file(tmp_path("loop/sub/f.txt"), "Headline\nbody\n", 14);
    CHECK_EQ_INT(symlink("..", tmp_path("loop/sub/up")), 0);
    CHECK_EQ_INT(symlink(".", tmp_path("loop/self")), 0);
    CHECK_EQ_INT(symlink("sub/f.txt", tmp_path("loop/g.txt")), 0);
    CHECK_EQ_INT(symlink("missing", tmp_path("loop/dangling.txt")), 0);
    snprintf(want, sizeof want, "%s/", d);
    expect(d, NULL, want, "g.txt\nsub/f.txt\n");
    if (geteuid() != 0) { /* an unreadable folder is an error; the walk goes on after it */
        CHECK_EQ_INT(mkdir(tmp_path("loop/locked"), 0), 0);
        snprintf(want, sizeof want, "g.txt\n! cannot open '%s': Permission denied\nsub/f.txt\n",
                 tmp_path("loop/locked"));
        expect(d, NULL, tmp_path("loop/"), want);
        rmdir(tmp_path("loop/locked"));
    }
}

/* Bad files inside a directory: each error is reported and the walk goes on. */
static void test_directory_errors(void)
{
    char want[4096], d[600];

    snprintf(d, sizeof d, "%s", tmp_path("mixed"));
    CHECK_EQ_INT(mkdir(d, 0700), 0);
    write_file(tmp_path("mixed/1.jsonl"), "{\"id\":\"m1\",\"text\":\"x\"}\n{\"id\":3.5}\n"
                                          "{\"id\":\"m2\",\"text\":\"y\"}\n", 0);
    write_file(tmp_path("mixed/2.txt"), "Head\n\0\n", 7);
    write_file(tmp_path("mixed/3.txt"), "\n", 0);
    write_file(tmp_path("mixed/4.txt"), "Fine headline\nFine body\n", 0);
    snprintf(want, sizeof want,
             "m1\n! %s/1.jsonl:2: 'id' must be a string or an integer\nm2\n"
             "! '%s/2.txt': binary file (NUL byte at offset 5)\n"
             "! '%s/3.txt': empty article\n%s/4.txt\n", d, d, d, d);
    expect(d, NULL, NULL, want);
    if (geteuid() != 0) {
        chmod(tmp_path("mixed/3.txt"), 0);
        snprintf(want, sizeof want,
                 "m1\n! %s/1.jsonl:2: 'id' must be a string or an integer\nm2\n"
                 "! '%s/2.txt': binary file (NUL byte at offset 5)\n"
                 "! cannot open '%s/3.txt': Permission denied\n%s/4.txt\n", d, d, d, d);
        expect(d, NULL, NULL, want);
    }
}

/* Standard input: sniffed by the first non-blank byte; fd 0 stays open. */
/* Point fd 0 at 'path' (never closing fd 0 itself if open() returned it). */
static void set_stdin(const char *path)
{
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    if (fd > 0) {
        CHECK(dup2(fd, 0) == 0);
        close(fd);
    }
}

static void test_stdin(void)
{
    int saved = dup(0);
    nc_reader_opts ft = { NC_FORMAT_FASTTEXT, 0, 0 };

    CHECK(saved >= 0);
    write_file(tmp_path("in.jsonl"), "\xEF\xBB\xBF \n\n  {\"id\":\"s1\",\"text\":\"x\"}\n", 0);
    write_file(tmp_path("in.txt"), "\n  Piped headline - Planet\nPiped body\n", 0);
    write_file(tmp_path("in.ft"), "__label__a piped\n", 0);

    set_stdin(tmp_path("in.jsonl"));
    expect("-", NULL, NULL, "s1\n");
    CHECK(fcntl(0, F_GETFD) != -1);

    set_stdin(tmp_path("in.txt"));
    {
        nc_reader *r = NULL;
        nc_article a;
        nc_error err = { 0 };
        nc_article_init(&a);
        CHECK_EQ_INT(nc_reader_open("-", NULL, &r, &err), NC_OK);
        CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
        CHECK_STR(a.id, "-");
        CHECK_STR(a.file, "-");
        CHECK_STR(a.title, "Piped headline");
        CHECK_STR(a.text, "Piped body");
        CHECK_EQ_INT(nc_reader_next(r, &a, &err), 0);
        nc_reader_free(r);
        nc_article_finish(&a);
    }
    CHECK(fcntl(0, F_GETFD) != -1);

    set_stdin(tmp_path("in.ft"));
    expect("-", &ft, NULL, "-:1 [a]\n");

    write_file(tmp_path("empty.txt"), "", 0);
    set_stdin(tmp_path("empty.txt"));
    expect("-", NULL, NULL, "! '-': empty article\n");

    dup2(saved, 0);
    close(saved);
}

/* CSV and TSV: the header's roles, RFC 4180 quoting over several lines, topics split at ';'
 * and '|', and errors that name the line of the record or of the offending byte. */
static void test_csv(void)
{
    nc_reader *r = NULL;
    nc_article a;
    nc_error err = { 0 };
    nc_reader_opts csv = { NC_FORMAT_CSV, 0, 0 }, tsv = { NC_FORMAT_TSV, 0, 0 };

    nc_article_init(&a);
    write_file(tmp_path("a.csv"),
               "\xEF\xBB\xBF" "ID, Headline ,Body,Topics,tone,Date,source\r\n"
               "c1,\"Talks, at last\",\"He said \"\"yes\"\".\r\n\r\nThen left.\",diplomacy; "
               "sport|diplomacy,0.5,2024-03-01,Planet\r\n"
               "\n"
               " , Cup final ,,,,,\n"
               "c3,, \"quoted\" ,,-1,,\"\"\n"
               "c4,plain \"inner\" quotes,x,,,,",
               0);
    CHECK_EQ_INT(nc_reader_open(tmp_path("a.csv"), NULL, &r, &err), NC_OK);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.id, "c1");
    CHECK_STR(a.title, "Talks, at last");
    CHECK_STR(a.text, "He said \"yes\".\n\nThen left.");
    CHECK_STR(a.date, "2024-03-01");
    CHECK_EQ_INT(a.ntopics, 2);
    CHECK_STR(a.topics[0], "diplomacy");
    CHECK_STR(a.topics[1], "sport");
    CHECK_NEAR(a.tone, 0.5, 0);
    CHECK_EQ_INT(a.has_tone, 1);
    CHECK_EQ_INT(a.line, 2);
    CHECK_STR(nc_article_field(&a, "source"), "Planet");
    CHECK_STR(nc_article_field(&a, "Headline"), "Talks, at last");
    CHECK(nc_article_field(&a, "Body") == NULL); /* the text is not a field */
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1); /* after a blank line */
    CHECK_STR(a.id, tmp_path("a.csv:6"));         /* a blank id: file:line */
    CHECK_STR(a.title, " Cup final ");
    CHECK_EQ_INT(a.has_topics, 1);                /* a topics column: labelled, none */
    CHECK_EQ_INT(a.ntopics, 0);
    CHECK_EQ_INT(a.has_tone, 0);
    CHECK(a.date == NULL);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.text, "quoted"); /* spaces around a quoted field */
    CHECK_NEAR(a.tone, -1, 0);
    CHECK_STR(nc_article_field(&a, "source"), "");
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1); /* no newline at the end */
    CHECK_STR(a.title, "plain \"inner\" quotes");
    CHECK_EQ_INT(a.line, 8);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 0);
    nc_reader_free(r);

    /* TSV by name (.tsv, .tab, .gz looked through) and by format; one label per article */
    write_file(tmp_path("b.tab"), "text\tcategory\nGoal!\tsport\n\"a\tb\"\t Arts, culture \n", 0);
    expect(tmp_path("b.tab"), NULL, tmpdir, "/b.tab:2 [sport]\n/b.tab:3 [Arts, culture]\n");
    expect(tmp_path("b.tab"), &tsv, tmpdir, "/b.tab:2 [sport]\n/b.tab:3 [Arts, culture]\n");
    CHECK_EQ_INT(nc_reader_open(tmp_path("b.tab"), NULL, &r, &err), NC_OK);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_EQ_INT(nc_reader_next(r, &a, &err), 1);
    CHECK_STR(a.text, "a\tb");
    nc_reader_free(r);
    write_file(tmp_path("c.txt"), "title,topics\nx,\"a;b\"\n", 0); /* a .txt name, --csv */
    expect(tmp_path("c.txt"), &csv, tmpdir, "/c.txt:2 [a,b]\n");

    /* data errors: the record's line, or the line of the byte; reading goes on */
    write_file(tmp_path("e.csv"),
               "id,text,tone,topics\n"
               "e1,ok,,\n"
               "e2,too,few\n"
               "e3,\"closed\" then more,,\n"
               "e4,x,1.5,\n"
               "e5,x,abc,\n"
               "e6,,,\n"
               "e7,\"two\nlines \xff\",,\n"
               "e8,x,,\"bad\x01topic\"\n"
               "e9,x,nan,\n"
               "e10,\"last\n",
               0);
    expect(tmp_path("e.csv"), NULL, tmpdir,
           "e1 []\n"
           "! /e.csv:3: 3 fields where the header (line 1) has 4\n"
           "! /e.csv:4: field 2: text after its closing quote (a quote inside a quoted field is "
           "written as two quotes, \"\")\n"
           "! /e.csv:5: 'tone' must be a number in [-1, 1], not '1.5'\n"
           "! /e.csv:6: 'tone' must be a number in [-1, 1], not 'abc'\n"
           "! /e.csv:7: missing 'text' and 'title'\n"
           "! /e.csv:9: invalid UTF-8 at byte 7\n"
           "! /e.csv:10: topic name contains a control character (0x01)\n"
           "! /e.csv:11: 'tone' must be a number in [-1, 1], not 'nan'\n"
           "! /e.csv:12: a quoted field of the record that starts here is never closed\n");

    /* a bad header ends the file: no record under it can be read */
    write_file(tmp_path("h1.csv"), "name,value\na,b\nc,d\n", 0);
    expect(tmp_path("h1.csv"), NULL, tmpdir,
           "! /h1.csv:1: the header names no text column ('text', 'body', 'content' or "
           "'description') and no headline column ('title' or 'headline'); the first row must "
           "be a header\n");
    write_file(tmp_path("h2.csv"), "\n\ntext,Body\na,b\n", 0);
    expect(tmp_path("h2.csv"), NULL, tmpdir,
           "! /h2.csv:3: columns 1 ('text') and 2 ('Body') both give the body\n");
    write_file(tmp_path("h3.csv"), "text,topics,label\na,b,c\n", 0);
    expect(tmp_path("h3.csv"), NULL, tmpdir,
           "! /h3.csv:1: columns 'topics' (topics, several per article) and 'label' (one label "
           "per article) both give the labels: keep one\n");
    write_file(tmp_path("h4.csv"), "text,label\na,\n", 0);
    expect(tmp_path("h4.csv"), NULL, tmpdir, "! /h4.csv:2: empty 'label' (the article's label)\n");
    write_file(tmp_path("h5.csv"), "", 0); /* empty: no header, no articles, no error */
    expect(tmp_path("h5.csv"), NULL, tmpdir, "");
    write_file(tmp_path("h6.csv"), "text\n", 0); /* a header alone */
    expect(tmp_path("h6.csv"), NULL, tmpdir, "");

    /* NUL: the record is dropped, the next one read */
    write_file(tmp_path("n.csv"), "text\nbefore\nx\0y\nafter\n", 20);
    expect(tmp_path("n.csv"), NULL, tmpdir, "/n.csv:2\n! /n.csv:3: NUL byte (binary file?)\n/n.csv:4\n");

    /* gzip is looked through */
    {
        gzFile gz = gzopen(tmp_path("g.csv.gz"), "wb");
        CHECK(gz != NULL);
        if (gz) {
            gzputs(gz, "title,label\nZipped,sport\n");
            gzclose(gz);
        }
        expect(tmp_path("g.csv.gz"), NULL, tmpdir, "/g.csv.gz:2 [sport]\n");
    }
    nc_article_finish(&a);
}

static void rm_rf(const char *path)
{
    char cmd[600];

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_jsonl();
    test_text_and_fasttext();
    test_directory();
    test_open_errors();
    test_bad_bytes();
    test_long_line();
    test_gzip();
    test_symlinks();
    test_directory_errors();
    test_stdin();
    test_nul_in_long_line();
    test_nul_flood();
    test_csv();
    nc_reader_free(NULL);
    rm_rf(tmpdir);
    return check_report();
}
