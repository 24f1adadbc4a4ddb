/* article.c: the nc_article value type and the parsers that turn one record into an article.
 *
 * Three record shapes end up here, one function each: a JSON Lines object
 * (nc_article_from_json), a fastText line (nc_article_from_fasttext) and a whole plain-text
 * article (nc_article_from_text). The reader (reader.c) does all the I/O and hands over one
 * record at a time, so these functions see bytes in memory and never touch files.
 *
 * Invariants after a successful parse: id, title, text and file are non-NULL (title and text
 * may be ""), every string is valid UTF-8 without NUL bytes, topics hold no duplicates and no
 * control characters, and tone lies in [-1, 1] when has_tone. On failure the article is left
 * initialised (empty) and 'err' says "file:line: what is wrong". docs/input-formats.md is the
 * user-facing description of every rule here, including the furniture list; keep the two in
 * step.
 *
 * Plain text is cleaned with two small heuristics: page furniture ("Share this", "Source: ...")
 * is dropped line by line, and the headline loses a short trailing site name ("... | Site").
 * Both only ever remove whole lines or a short suffix; they never rewrite words.
 * SPDX-License-Identifier: MIT */
#include <newsclass/article.h>

#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "csv.h"
#include "util.h"

void nc_article_init(nc_article *a)
{
    memset(a, 0, sizeof *a);
}

static void free_strv(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void nc_article_finish(nc_article *a)
{
    if (!a)
        return;
    free(a->id);
    free(a->title);
    free(a->text);
    free(a->date);
    free_strv(a->topics, a->ntopics);
    free_strv(a->field_names, a->nfields);
    free_strv(a->field_values, a->nfields);
    free(a->file);
    nc_article_init(a);
}

const char *nc_article_field(const nc_article *a, const char *name)
{
    if (strcmp(name, "text") == 0) /* not among the fields: it is the body */
        return a->text && a->text[0] ? a->text : NULL;
    for (size_t i = 0; i < a->nfields; i++)
        if (strcmp(a->field_names[i], name) == 0)
            return a->field_values[i];
    return NULL;
}

/* ---- byte-level helpers ---------------------------------------------------------------- */

/* Offset of the first byte that is not part of a well-formed UTF-8 sequence (no overlongs, no
 * surrogates, nothing above U+10FFFF), or len when all of s[0..len) is valid. */
static size_t utf8_invalid_at(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;

    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the first continuation byte */

        if (c < 0x80) {
            /* ASCII runs, eight bytes at a time */
            i++;
            while (i + 8 <= len) {
                uint64_t w;
                memcpy(&w, s + i, 8);
                if (w & 0x8080808080808080ULL)
                    break;
                i += 8;
            }
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return i;
        }
        if (n > len - i - 1 || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n + 1;
    }
    return len;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static int is_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char to_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Trim ASCII white space and U+00A0 (no-break space, common in scraped pages) from both ends. */
static void trim(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len;

    for (;;) {
        if (n && is_space(p[0])) {
            p++;
            n--;
        } else if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0) {
            p += 2;
            n -= 2;
        } else {
            break;
        }
    }
    for (;;) {
        if (n && is_space(p[n - 1]))
            n--;
        else if (n >= 2 && p[n - 2] == 0xC2 && p[n - 1] == 0xA0)
            n -= 2;
        else
            break;
    }
    *s = (const char *)p;
    *len = n;
}

static size_t count_words(const char *s, size_t len)
{
    size_t n = 0;
    int in_word = 0;

    for (size_t i = 0; i < len; i++) {
        int sp = is_space((unsigned char)s[i]);
        if (!sp && !in_word)
            n++;
        in_word = !sp;
    }
    return n;
}

/* 1 when s[0..len) contains something other than white space. */
static int is_blank(const char *s, size_t len)
{
    trim(&s, &len);
    return len == 0;
}

/* ---- furniture ------------------------------------------------------------------------- */

enum { FURN_PREFIX = 0, FURN_NAV = 1 };

/* Page furniture: a trimmed line that equals an entry (ASCII case-insensitively), or starts
 * with one and has at most FURN_MAX_WORDS words. An entry ending in a letter must end a word
 * ("Subscribe" does not match "Subscribers ..."); "(c) 20" still matches "(c) 2024". FURN_NAV
 * entries match only alone or before a navigation separator ("Home", "Home | News"), so that
 * "Home Office ..." stays.
 * docs/input-formats.md lists this table; keep them in step. */
static const struct furniture {
    const char *text;
    int kind;
} furniture[] = {
    { "Source:", FURN_PREFIX },
    { "No comments:", FURN_PREFIX },
    { "No comments", FURN_PREFIX },
    { "Post a Comment", FURN_PREFIX },
    { "Add a Comment", FURN_PREFIX }, /* also "Add a Comment..." */
    { "Share this", FURN_PREFIX },    /* also "Share this article" */
    { "Share on Facebook", FURN_PREFIX },
    { "Share on Twitter", FURN_PREFIX },
    { "Related Topics", FURN_PREFIX },
    { "Related Articles", FURN_PREFIX },
    { "Related stories", FURN_PREFIX },
    { "Image copyright", FURN_PREFIX },
    { "Image caption", FURN_PREFIX },
    { "Getty Images", FURN_PREFIX },
    { "Advertisement", FURN_PREFIX },
    { "Read more", FURN_PREFIX }, /* also "Read more:" */
    { "Click here to", FURN_PREFIX },
    { "Subscribe", FURN_PREFIX },
    { "Sign up for", FURN_PREFIX },
    { "Follow us on", FURN_PREFIX },
    { "Comments (", FURN_PREFIX },
    { "Print this", FURN_PREFIX },
    { "Email this", FURN_PREFIX },
    { "Posted by", FURN_PREFIX },
    { "Labels:", FURN_PREFIX },
    { "Newer Post", FURN_PREFIX },
    { "Older Post", FURN_PREFIX },
    { "Home", FURN_NAV },
    { "Skip to content", FURN_PREFIX },
    { "All rights reserved", FURN_PREFIX },
    { "Copyright \xC2\xA9", FURN_PREFIX }, /* "Copyright ©" */
    { "\xC2\xA9 20", FURN_PREFIX },        /* "© 20" */
    { "Cookie", FURN_PREFIX },
    { "Cookies", FURN_PREFIX },
    { "We use cookies", FURN_PREFIX },
    { "This website uses cookies", FURN_PREFIX },
    { "Accept cookies", FURN_PREFIX },
    { "Reuse this content", FURN_PREFIX },
    { "Tags:", FURN_PREFIX },
};

#define FURN_MAX_WORDS 12

/* 1 when s[0..len) starts with a navigation separator: | > / : - » › · */
static int starts_nav_separator(const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    if (s[0] == '|' || s[0] == '>' || s[0] == '/' || s[0] == ':' || s[0] == '-')
        return 1;
    if (len >= 2 && s[0] == 0xC2 && (s[1] == 0xBB || s[1] == 0xB7))
        return 1;
    return len >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xBA;
}

int nc_is_furniture(const char *line, size_t len)
{
    const unsigned char *s;

    trim(&line, &len);
    s = (const unsigned char *)line;
    if (len == 0)
        return 0;
    for (size_t i = 0; i < NC_ARRAY_SIZE(furniture); i++) {
        const unsigned char *f = (const unsigned char *)furniture[i].text;
        size_t flen = strlen(furniture[i].text), k;

        if (flen > len)
            continue;
        for (k = 0; k < flen && to_lower(s[k]) == to_lower(f[k]); k++)
            ;
        if (k < flen)
            continue;
        if (flen == len)
            return 1;
        if (is_alpha(f[flen - 1]) && is_alnum(s[flen]))
            continue; /* not at a word boundary */
        if (furniture[i].kind == FURN_NAV) {
            size_t j = flen;
            while (j < len && is_space(s[j]))
                j++;
            if (starts_nav_separator(s + j, len - j))
                return 1;
            continue;
        }
        if (count_words(line, len) <= FURN_MAX_WORDS)
            return 1;
    }
    return 0;
}

/* ---- headline cleaning ----------------------------------------------------------------- */

/* Separators between a headline and a site name. Except for "|", they need white space on
 * both sides, so that "2-1" or "well-known" are left alone. */
static const char *const headline_seps[] = {
    "|", "-", "\xE2\x80\x94" /* em dash */, "\xE2\x80\x93" /* en dash */, "::",
    "\xC2\xB7" /* middle dot */, "\xC2\xBB" /* >> */,
};

#define HEADLINE_MAX_SUFFIX_WORDS 4

/* Drop trailing separators ("Talks resume |", "Talks resume -") from t[0..*len). */
static void strip_trailing_seps(const char *t, size_t *len)
{
    int again = 1;

    while (again) {
        again = 0;
        while (*len && is_space((unsigned char)t[*len - 1]))
            (*len)--;
        for (size_t i = 0; i < NC_ARRAY_SIZE(headline_seps); i++) {
            size_t sl = strlen(headline_seps[i]);
            if (*len < sl || memcmp(t + *len - sl, headline_seps[i], sl) != 0)
                continue;
            if (headline_seps[i][0] != '|' && *len > sl &&
                !is_space((unsigned char)t[*len - sl - 1]))
                continue;
            *len -= sl;
            again = 1;
            break;
        }
    }
}

void nc_clean_headline(char *title)
{
    const char *t = title;
    size_t len = strlen(title), best = 0, best_end = 0;

    trim(&t, &len);
    strip_trailing_seps(t, &len);
    /* Find the last separator; remove it and what follows when that is a short site name. */
    for (size_t i = 0; i < NC_ARRAY_SIZE(headline_seps); i++) {
        size_t sl = strlen(headline_seps[i]);
        for (size_t p = 1; p + sl < len; p++) {
            int pipe = headline_seps[i][0] == '|';
            if (memcmp(t + p, headline_seps[i], sl) != 0)
                continue;
            if (!pipe &&
                (!is_space((unsigned char)t[p - 1]) || !is_space((unsigned char)t[p + sl])))
                continue;
            if (p > best) {
                best = p;
                best_end = p + sl;
            }
        }
    }
    if (best) {
        const char *head = t, *suffix = t + best_end;
        size_t hlen = best, slen = len - best_end, words;
        trim(&head, &hlen);
        trim(&suffix, &slen);
        words = count_words(suffix, slen);
        if (hlen && words >= 1 && words <= HEADLINE_MAX_SUFFIX_WORDS) {
            len = (size_t)(head + hlen - t);
            strip_trailing_seps(t, &len);
        }
    }
    memmove(title, t, len);
    title[len] = '\0';
}

/* ---- shared record helpers ------------------------------------------------------------- */

static int oom(nc_error *err)
{
    return nc_err(err, NC_ENOMEM, "out of memory");
}

/* A topic list under construction, duplicates dropped. Short lists are searched by a scan; from
 * TOPICS_HASH_MIN topics on, a hash table of indices finds a duplicate, so a record with very
 * many topics costs linear time (the scan alone took 4 s for 40,000 topics, minutes for
 * 200,000). */
#define TOPICS_HASH_MIN 16

struct topics {
    char **v;
    size_t n, cap;
    size_t *slots;  /* index + 1, 0 = empty; NULL until n reaches TOPICS_HASH_MIN */
    size_t nslots;  /* a power of two, more than twice n */
};

static void topics_finish(struct topics *t)
{
    free_strv(t->v, t->n);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

/* Hand the list to 'a' (whose topics are empty) and reset t. */
static void topics_move(struct topics *t, nc_article *a)
{
    a->topics = t->v;
    a->ntopics = t->n;
    t->v = NULL;
    t->n = 0;
    topics_finish(t);
}

static size_t topic_hash(const char *s, size_t len)
{
    return (size_t)nc_fnv1a(s, len, NC_FNV_OFFSET);
}

/* 1 when v[i] is s[0..len); s holds no NUL, so strncmp stops within both strings. */
static int topic_is(const char *v, const char *s, size_t len)
{
    return strncmp(v, s, len) == 0 && v[len] == '\0';
}

static int topics_has(const struct topics *t, const char *s, size_t len)
{
    if (!t->slots) {
        for (size_t i = 0; i < t->n; i++)
            if (topic_is(t->v[i], s, len))
                return 1;
        return 0;
    }
    for (size_t j = topic_hash(s, len) & (t->nslots - 1); t->slots[j];
         j = (j + 1) & (t->nslots - 1))
        if (topic_is(t->v[t->slots[j] - 1], s, len))
            return 1;
    return 0;
}

static void topics_slot(struct topics *t, size_t i)
{
    size_t j = topic_hash(t->v[i], strlen(t->v[i])) & (t->nslots - 1);

    while (t->slots[j])
        j = (j + 1) & (t->nslots - 1);
    t->slots[j] = i + 1;
}

/* Append s (malloc'd, len bytes, no duplicate), which t then owns: 0, or NC_ENOMEM with s
 * freed. */
static int topics_push(struct topics *t, char *s)
{
    void *p = t->v;

    if (nc_grow(&p, &t->cap, t->n + 1, sizeof(char *)) < 0) {
        free(s);
        return NC_ENOMEM;
    }
    t->v = p;
    t->v[t->n++] = s;
    if (t->n < TOPICS_HASH_MIN)
        return NC_OK;
    if (t->n * 2 >= t->nslots) { /* (re)build the table at a quarter full */
        size_t ns = t->nslots ? t->nslots : 16;
        while (t->n * 4 > ns)
            ns *= 2;
        free(t->slots);
        if (!(t->slots = calloc(ns, sizeof *t->slots))) {
            t->nslots = 0;
            return NC_ENOMEM; /* t->v keeps s */
        }
        t->nslots = ns;
        for (size_t i = 0; i < t->n; i++)
            topics_slot(t, i);
    } else {
        topics_slot(t, t->n - 1);
    }
    return NC_OK;
}

/* Add a copy of s[0..len) unless it is already there; 0 or NC_ENOMEM. */
static int add_topic(struct topics *t, const char *s, size_t len)
{
    char *d;

    if (topics_has(t, s, len))
        return NC_OK;
    if (!(d = nc_strndup(s, len)))
        return NC_ENOMEM;
    return topics_push(t, d);
}

/* The first control byte (below 0x20, or DEL) of s[0..len), or -1: topic names go into TSV
 * headers, tables and vocab.tsv.labels, where a tab or a line break would break the format. */
static int control_byte(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return (unsigned char)s[i];
    return -1;
}

static int bad_topic(const char *file, long lineno, int c, nc_error *err)
{
    return nc_err(err, NC_EFORMAT, "%s:%ld: topic name contains a control character (0x%02x)",
                  file, lineno, (unsigned)c);
}

/* NUL bytes and invalid UTF-8 in one line of a line-based format. */
static int check_line_bytes(const char *line, size_t len, const char *file, long lineno,
                            nc_error *err)
{
    size_t bad;

    if (memchr(line, '\0', len))
        return nc_err(err, NC_EFORMAT, "%s:%ld: NUL byte (binary file?)", file, lineno);
    bad = utf8_invalid_at(line, len);
    if (bad < len)
        return nc_err(err, NC_EFORMAT, "%s:%ld: invalid UTF-8 at byte %zu", file, lineno,
                      bad + 1);
    return NC_OK;
}

/* Default id "file:line"; fills a->id, a->file, a->line. */
static int set_origin(nc_article *a, const char *file, long lineno, int need_id)
{
    nc_strbuf sb = NC_STRBUF_INIT;

    a->line = lineno;
    if (!(a->file = nc_strdup(file)))
        return NC_ENOMEM;
    if (!need_id)
        return NC_OK;
    if (nc_strbuf_addf(&sb, "%s:%ld", file, lineno) < 0 || !(a->id = nc_strbuf_detach(&sb))) {
        nc_strbuf_finish(&sb);
        return NC_ENOMEM;
    }
    return NC_OK;
}

/* ---- for csv.c ----------------------------------------------------------------------------- */

size_t nc_utf8_invalid_at(const char *s, size_t len)
{
    return utf8_invalid_at(s, len);
}

int nc_article_set_origin(nc_article *a, const char *file, long lineno, int need_id)
{
    return set_origin(a, file, lineno, need_id);
}

int nc_article_set_topics(nc_article *a, const char *s, size_t len, const char *seps,
                          const char *file, long lineno, nc_error *err)
{
    struct topics t = { 0 };
    size_t i = 0;
    int rc = NC_OK, c;

    while (i <= len) {
        size_t j = i;
        const char *p;
        size_t n;
        while (j < len && !strchr(seps, s[j]))
            j++;
        p = s + i;
        n = j - i;
        trim(&p, &n);
        if (n && (c = control_byte(p, n)) >= 0) {
            rc = bad_topic(file, lineno, c, err);
            break;
        }
        if (n && add_topic(&t, p, n) < 0) {
            rc = oom(err);
            break;
        }
        i = j + 1;
    }
    if (rc == NC_OK) {
        a->has_topics = 1;
        topics_move(&t, a);
    }
    topics_finish(&t);
    return rc;
}

/* ---- JSON Lines -------------------------------------------------------------------------- */

/* The string value of optional field 'name' in *out (borrowed; NULL when absent or null). */
static int get_string(const cJSON *obj, const char *name, const char **out, const char *file,
                      long lineno, nc_error *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

    *out = NULL;
    if (!it || cJSON_IsNull(it))
        return NC_OK;
    if (!cJSON_IsString(it))
        return nc_err(err, NC_EFORMAT, "%s:%ld: '%s' must be a string", file, lineno, name);
    *out = it->valuestring;
    return NC_OK;
}

static int json_topics(const cJSON *obj, nc_article *a, const char *file, long lineno,
                       nc_error *err)
{
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive(obj, "topics");
    const cJSON *label = cJSON_GetObjectItemCaseSensitive(obj, "label");
    const cJSON *it;
    struct topics t = { 0 };
    int rc = NC_OK, c;

    if (label && !cJSON_IsNull(label) &&
        (!cJSON_IsString(label) || label->valuestring[0] == '\0'))
        return nc_err(err, NC_EFORMAT, "%s:%ld: 'label' must be a non-empty string", file,
                      lineno);
    if (label && !cJSON_IsNull(label) &&
        (c = control_byte(label->valuestring, strlen(label->valuestring))) >= 0)
        return bad_topic(file, lineno, c, err);
    if (topics && !cJSON_IsNull(topics)) {
        if (!cJSON_IsArray(topics))
            return nc_err(err, NC_EFORMAT, "%s:%ld: 'topics' must be an array of strings", file,
                          lineno);
        a->has_topics = 1;
        cJSON_ArrayForEach(it, topics) {
            size_t len;
            if (!cJSON_IsString(it) || it->valuestring[0] == '\0') {
                rc = nc_err(err, NC_EFORMAT,
                            "%s:%ld: 'topics' must be an array of non-empty strings", file,
                            lineno);
                goto out;
            }
            len = strlen(it->valuestring);
            if ((c = control_byte(it->valuestring, len)) >= 0) {
                rc = bad_topic(file, lineno, c, err);
                goto out;
            }
            if (add_topic(&t, it->valuestring, len) < 0) {
                rc = oom(err);
                goto out;
            }
        }
    } else if (label && !cJSON_IsNull(label)) {
        a->has_topics = 1;
        if (add_topic(&t, label->valuestring, strlen(label->valuestring)) < 0)
            rc = oom(err);
    }
out:
    if (rc == NC_OK)
        topics_move(&t, a);
    topics_finish(&t);
    return rc;
}

/* id: a string, or an integer (many corpora number their records); "" or null = absent. */
static int json_id(const cJSON *obj, nc_article *a, const char *file, long lineno, nc_error *err)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, "id");
    nc_strbuf sb = NC_STRBUF_INIT;

    if (!it || cJSON_IsNull(it))
        return NC_OK;
    if (cJSON_IsString(it)) {
        if (it->valuestring[0] && !(a->id = nc_strdup(it->valuestring)))
            return oom(err);
        return NC_OK;
    }
    /* the range first: casting a double outside long long's range is undefined */
    if (cJSON_IsNumber(it) && it->valuedouble > -9007199254740992.0 &&
        it->valuedouble < 9007199254740992.0 &&
        it->valuedouble == (double)(long long)it->valuedouble) {
        if (nc_strbuf_addf(&sb, "%lld", (long long)it->valuedouble) < 0 ||
            !(a->id = nc_strbuf_detach(&sb))) {
            nc_strbuf_finish(&sb);
            return oom(err);
        }
        return NC_OK;
    }
    return nc_err(err, NC_EFORMAT, "%s:%ld: 'id' must be a string or an integer", file, lineno);
}

/* Every top-level string field but "text" (the body is a->text), in record order, into
 * field_names / field_values. */
static int json_fields(const cJSON *obj, nc_article *a, nc_error *err)
{
    const cJSON *it;
    size_t n = 0;

    cJSON_ArrayForEach(it, obj)
        n += cJSON_IsString(it) && strcmp(it->string, "text") != 0;
    if (n == 0)
        return NC_OK;
    a->field_names = nc_alloc_array(n, sizeof(char *));
    a->field_values = nc_alloc_array(n, sizeof(char *));
    if (!a->field_names || !a->field_values)
        return oom(err);
    cJSON_ArrayForEach(it, obj) {
        char *name, *value;
        if (!cJSON_IsString(it) || strcmp(it->string, "text") == 0)
            continue;
        name = nc_strdup(it->string);
        value = nc_strdup(it->valuestring);
        if (!name || !value) {
            free(name);
            free(value);
            return oom(err);
        }
        a->field_names[a->nfields] = name;
        a->field_values[a->nfields++] = value;
    }
    return NC_OK;
}

/* The fields this reader interprets. Each may appear once in a record: cJSON would take the
 * first of two and never check the second, so {"tone":0.1,"tone":5} would pass where
 * {"tone":5,"tone":0.1} fails. Other keys may repeat (nc_article_field gives the first). */
enum { JK_OTHER, JK_ID, JK_TITLE, JK_TEXT, JK_DATE, JK_TOPICS, JK_LABEL, JK_TONE, JK_N };

static int jkey(const char *k, size_t n)
{
    static const char *const names[JK_N] = { "", "id", "title", "text", "date", "topics",
                                             "label", "tone" };
    for (int i = 1; i < JK_N; i++)
        if (strlen(names[i]) == n && memcmp(names[i], k, n) == 0)
            return i;
    return JK_OTHER;
}

/* 1 when a backslash in the line is followed by "u0000": a quick test that rules out the
 * \u0000 escape in nearly every record. */
static int may_have_nul_escape(const char *line, size_t len)
{
    const char *p = line, *e = line + len;

    while ((p = memchr(p, '\\', (size_t)(e - p))) != NULL) {
        if (e - p >= 6 && memcmp(p + 1, "u0000", 5) == 0)
            return 1;
        p++;
    }
    return 0;
}

/* Known fields appear once, and hold no \u0000: cJSON decodes it into a NUL that silently
 * ends the string ("2024-01-01\u0000junk" would read as a valid date). The escape is found in
 * the raw line, which is valid JSON here, and traced to the top-level member that holds it in
 * its key or value; cJSON keeps the members in order. */
static int json_check_keys(const cJSON *obj, const char *line, size_t len, const char *file,
                           long lineno, nc_error *err)
{
    const cJSON *it;
    int seen[JK_N] = { 0 }, depth = 0, in_str = 0;
    size_t member = 0;

    cJSON_ArrayForEach(it, obj) {
        int k = it->string ? jkey(it->string, strlen(it->string)) : JK_OTHER;
        if (k != JK_OTHER && seen[k]++)
            return nc_err(err, NC_EFORMAT, "%s:%ld: duplicate key '%s'", file, lineno,
                          it->string);
    }
    if (!may_have_nul_escape(line, len))
        return NC_OK;
    for (const char *p = line, *e = line + len; p < e; p++) {
        if (in_str) {
            if (*p == '"') {
                in_str = 0;
            } else if (*p == '\\') {
                if (e - p >= 6 && memcmp(p + 1, "u0000", 5) == 0) {
                    it = obj->child;
                    for (size_t i = 0; it && i < member; i++)
                        it = it->next;
                    if (it && it->string && jkey(it->string, strlen(it->string)) != JK_OTHER)
                        return nc_err(err, NC_EFORMAT,
                                      "%s:%ld: '%s' contains a NUL character (\\u0000)", file,
                                      lineno, it->string);
                }
                p++; /* the escaped character */
            }
            continue;
        }
        if (*p == '"')
            in_str = 1;
        else if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']')
            depth--;
        else if (*p == ',' && depth == 1)
            member++;
    }
    return NC_OK;
}

static int json_record(const cJSON *obj, nc_article *a, const char *file, long lineno,
                       nc_error *err)
{
    const char *title, *text, *date;
    const cJSON *tone;
    int rc;

    if ((rc = get_string(obj, "title", &title, file, lineno, err)) < 0 ||
        (rc = get_string(obj, "text", &text, file, lineno, err)) < 0 ||
        (rc = get_string(obj, "date", &date, file, lineno, err)) < 0)
        return rc;
    if ((rc = json_id(obj, a, file, lineno, err)) < 0)
        return rc;
    if ((rc = json_topics(obj, a, file, lineno, err)) < 0)
        return rc;
    tone = cJSON_GetObjectItemCaseSensitive(obj, "tone");
    if (tone && !cJSON_IsNull(tone)) {
        if (!cJSON_IsNumber(tone) || !(tone->valuedouble >= -1.0 && tone->valuedouble <= 1.0))
            return nc_err(err, NC_EFORMAT, "%s:%ld: 'tone' must be a number in [-1, 1]", file,
                          lineno);
        a->tone = tone->valuedouble;
        a->has_tone = 1;
    }
    /* after the type checks, which name the field that is wrong */
    if ((!title || is_blank(title, strlen(title))) && (!text || is_blank(text, strlen(text))))
        return nc_err(err, NC_EFORMAT, "%s:%ld: missing 'text' and 'title'", file, lineno);
    if (!(a->title = nc_strdup(title ? title : "")) || !(a->text = nc_strdup(text ? text : "")) ||
        (date && !(a->date = nc_strdup(date))))
        return oom(err);
    if ((rc = json_fields(obj, a, err)) < 0)
        return rc;
    if (set_origin(a, file, lineno, a->id == NULL) < 0)
        return oom(err);
    return NC_OK;
}


/* ---- JSON Lines: the fast path ---------------------------------------------------------
 * Most records are a flat object of strings, numbers and a topic list. json_fast reads those
 * in one pass, decoding each string once into its final buffer, with no parse tree; it gives
 * up (returns 0, having changed nothing that json_record does not reset) on anything else:
 * nested objects, escapes in keys, control bytes or \u0000 in strings, control characters in
 * topic names, duplicate known fields, a wrong type, JSON it cannot read. Then cJSON reads the
 * line and reports errors as before, so the two paths agree on every record the fast one
 * accepts (tests/unit/test_article.c). */

struct jstr {
    char *s;    /* decoded, NUL-terminated, malloc'd */
    size_t len;
};

static const char *jskip_ws(const char *p, const char *e)
{
    while (p < e && (unsigned char)*p <= ' ') /* as cJSON: any byte up to the space */
        p++;
    return p;
}

/* After a value in an array or object: 1 past a ',' (and white space), 0 past the closing
 * bracket 'close', -1 on anything else. */
static int jnext(const char **pp, const char *e, char close)
{
    const char *p = jskip_ws(*pp, e);
    if (p < e && *p == ',') {
        *pp = jskip_ws(p + 1, e);
        return 1;
    }
    if (p < e && *p == close) {
        *pp = p + 1;
        return 0;
    }
    return -1;
}

static int jhex4(const char *p, const char *e, unsigned *out)
{
    unsigned v = 0;
    if (e - p < 4)
        return -1;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* The first byte in [p, e) that is a quote, a backslash or a control byte, or e. */
static const char *jscan(const char *p, const char *e)
{
#ifdef __SSE2__
    while (e - p >= 16) {
        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        const __m128i ctl = _mm_and_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                          _mm_cmpgt_epi8(v, _mm_set1_epi8(-1)));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(ctl, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                           _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')))));
        if (m)
            return p + __builtin_ctz(m);
        p += 16;
    }
#endif
    while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
        p++;
    return p;
}

/* A string starting after its opening quote at *pp; on success *pp is past the closing quote.
 * Returns 1, 0 (not for the fast path) or NC_ENOMEM. */
static int jstring(const char **pp, const char *e, struct jstr *out)
{
    const char *p = *pp, *q = jscan(p, e);
    char *d;
    size_t n = 0;

    if (q >= e || (unsigned char)*q < 0x20)
        return 0;
    if (*q == '"') { /* the usual string: no escape, one copy */
        if (!(out->s = nc_strndup(p, (size_t)(q - p))))
            return NC_ENOMEM;
        out->len = (size_t)(q - p);
        *pp = q + 1;
        return 1;
    }
    /* escapes: find the closing quote, then decode (never longer than the source) */
    while (q < e && *q == '\\') {
        if (e - q < 2)
            return 0;
        q = jscan(q + 2, e);
        if (q >= e || (unsigned char)*q < 0x20)
            return 0;
    }
    if (!(d = malloc((size_t)(q - p) + 1)))
        return NC_ENOMEM;
    while (p < q) {
        const char *r = jscan(p, q);
        memcpy(d + n, p, (size_t)(r - p));
        n += (size_t)(r - p);
        p = r;
        if (p >= q)
            break;
        if ((unsigned char)*p < 0x20 || *p != '\\' || p + 1 >= q)
            goto no;
        switch (p[1]) {
        case '"': d[n++] = '"'; p += 2; continue;
        case '\\': d[n++] = '\\'; p += 2; continue;
        case '/': d[n++] = '/'; p += 2; continue;
        case 'b': d[n++] = '\b'; p += 2; continue;
        case 'f': d[n++] = '\f'; p += 2; continue;
        case 'n': d[n++] = '\n'; p += 2; continue;
        case 'r': d[n++] = '\r'; p += 2; continue;
        case 't': d[n++] = '\t'; p += 2; continue;
        case 'u': {
            unsigned u, lo;
            if (jhex4(p + 2, q, &u) < 0 || u == 0 || (u >= 0xDC00 && u <= 0xDFFF))
                goto no;
            p += 6;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (q - p < 6 || p[0] != '\\' || p[1] != 'u' || jhex4(p + 2, q, &lo) < 0 ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    goto no;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
            /* UTF-8: at most 4 bytes from at least 6 escaped ones */
            if (u < 0x80) {
                d[n++] = (char)u;
            } else if (u < 0x800) {
                d[n++] = (char)(0xC0 | u >> 6);
                d[n++] = (char)(0x80 | (u & 0x3F));
            } else if (u < 0x10000) {
                d[n++] = (char)(0xE0 | u >> 12);
                d[n++] = (char)(0x80 | (u >> 6 & 0x3F));
                d[n++] = (char)(0x80 | (u & 0x3F));
            } else {
                d[n++] = (char)(0xF0 | u >> 18);
                d[n++] = (char)(0x80 | (u >> 12 & 0x3F));
                d[n++] = (char)(0x80 | (u >> 6 & 0x3F));
                d[n++] = (char)(0x80 | (u & 0x3F));
            }
            continue;
        }
        default:
            goto no;
        }
    }
    d[n] = '\0';
    out->s = d;
    out->len = n;
    *pp = q + 1;
    return 1;
no:
    free(d);
    return 0;
}

/* A JSON number (strict grammar) at *pp; 1 with *pp past it, or 0. */
static int jnumber(const char **pp, const char *e, double *out)
{
    const char *p = *pp, *start = p;
    char buf[64], *end;
    if (p < e && *p == '-')
        p++;
    if (p >= e || !(*p >= '0' && *p <= '9'))
        return 0;
    if (*p == '0')
        p++;
    else
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || !(*p >= '0' && *p <= '9'))
            return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || !(*p >= '0' && *p <= '9'))
            return 0;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if ((size_t)(p - start) >= sizeof buf)
        return 0;
    memcpy(buf, start, (size_t)(p - start));
    buf[p - start] = '\0';
    *out = strtod(buf, &end);
    if (*end != '\0')
        return 0;
    *pp = p;
    return 1;
}

/* 1: *a is the record; 0: use the cJSON path; NC_ENOMEM. */
static int json_fast(const char *line, size_t len, const char *file, long lineno, nc_article *a)
{
    const char *p = line, *e = line + len;
    struct jstr title = { 0 }, text = { 0 }, date = { 0 }, label = { 0 };
    int seen[JK_N] = { 0 }, have_topics = 0, have_label = 0, have_id_num = 0, rc = 0;
    double id_num = 0;
    size_t fcap_names = 0, fcap_values = 0;
    struct topics topics = { 0 };

    p = jskip_ws(p, e);
    if (p >= e || *p != '{')
        return 0;
    p = jskip_ws(p + 1, e);
    if (p < e && *p == '}')
        return 0;
    for (;;) {
        const char *k;
        size_t klen;
        int key;
        if (p >= e || *p != '"')
            goto no;
        k = ++p;
        while (p < e && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
            p++;
        if (p >= e || *p != '"')
            goto no;
        klen = (size_t)(p - k);
        key = jkey(k, klen);
        if (key != JK_OTHER && seen[key]++)
            goto no;
        p = jskip_ws(p + 1, e);
        if (p >= e || *p != ':')
            goto no;
        p = jskip_ws(p + 1, e);
        if (p >= e)
            goto no;
        if (*p == '"') {
            struct jstr v = { 0 };
            p++;
            if ((rc = jstring(&p, e, &v)) <= 0)
                goto no;
            switch (key) {
            case JK_TITLE: title = v; break;
            case JK_TEXT: text = v; break;
            case JK_DATE: date = v; break;
            case JK_LABEL:
                if (v.len == 0 || control_byte(v.s, v.len) >= 0) { /* cJSON's errors */
                    free(v.s);
                    goto no;
                }
                label = v;
                have_label = 1;
                break;
            case JK_ID:
            case JK_OTHER:
                break;
            default: /* topics, tone: not strings */
                free(v.s);
                goto no;
            }
            /* every string field but the body, in record order (nc_article_field) */
            if (key != JK_TEXT) {
                void *q = a->field_names;
                char *name;
                if (nc_grow(&q, &fcap_names, a->nfields + 1, sizeof(char *)) < 0)
                    goto oom_v;
                a->field_names = q;
                q = a->field_values;
                if (nc_grow(&q, &fcap_values, a->nfields + 1, sizeof(char *)) < 0)
                    goto oom_v;
                a->field_values = q;
                if (!(name = nc_strndup(k, klen)))
                    goto oom_v;
                a->field_names[a->nfields] = name;
                if (key == JK_TITLE || key == JK_DATE || key == JK_LABEL) {
                    /* the article keeps v; the field gets a copy */
                    if (!(a->field_values[a->nfields] = nc_strndup(v.s, v.len))) {
                        free(name);
                        goto oom_v_kept;
                    }
                } else {
                    if (key == JK_ID && v.len && !(a->id = nc_strndup(v.s, v.len))) {
                        free(name);
                        goto oom_v;
                    }
                    a->field_values[a->nfields] = v.s;
                }
                a->nfields++;
            }
            goto next;
        oom_v:
            if (key != JK_TITLE && key != JK_DATE && key != JK_LABEL)
                free(v.s);
        oom_v_kept:
            rc = NC_ENOMEM;
            goto no;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            double x;
            if (!jnumber(&p, e, &x))
                goto no;
            if (key == JK_TONE) {
                if (!(x >= -1.0 && x <= 1.0))
                    goto no;
                a->tone = x;
                a->has_tone = 1;
            } else if (key == JK_ID) {
                if (!(x > -9007199254740992.0 && x < 9007199254740992.0 &&
                      x == (double)(long long)x)) /* the range first: then the cast is defined */
                    goto no;
                id_num = x;
                have_id_num = 1;
            } else if (key != JK_OTHER) {
                goto no;
            }
        } else if (*p == '[') {
            if (key != JK_TOPICS && key != JK_OTHER)
                goto no;
            p = jskip_ws(p + 1, e);
            if (key == JK_TOPICS)
                have_topics = 1;
            if (p < e && *p == ']') {
                p++;
            } else {
                for (;;) {
                    if (p >= e || *p != '"')
                        goto no; /* only arrays of strings here */
                    p++;
                    struct jstr v = { 0 };
                    if ((rc = jstring(&p, e, &v)) <= 0)
                        goto no;
                    if (key == JK_TOPICS) {
                        if (v.len == 0 || control_byte(v.s, v.len) >= 0) { /* cJSON's errors */
                            free(v.s);
                            goto no;
                        }
                        if (topics_has(&topics, v.s, v.len)) {
                            free(v.s);
                        } else if (topics_push(&topics, v.s) < 0) {
                            rc = NC_ENOMEM;
                            goto no;
                        }
                    } else {
                        free(v.s);
                    }
                    int more = jnext(&p, e, ']');
                    if (more < 0)
                        goto no;
                    if (!more)
                        break;
                }
            }
        } else if (e - p >= 4 && memcmp(p, "null", 4) == 0) {
            p += 4; /* null: as absent */
        } else if (key == JK_OTHER && e - p >= 4 && memcmp(p, "true", 4) == 0) {
            p += 4;
        } else if (key == JK_OTHER && e - p >= 5 && memcmp(p, "false", 5) == 0) {
            p += 5;
        } else {
            goto no;
        }
    next:
        switch (jnext(&p, e, '}')) {
        case 1: continue;
        case 0: break;
        default: goto no;
        }
        break;
    }
    while (p < e && is_space((unsigned char)*p))
        p++;
    if (p < e)
        goto no;
    if ((!title.s || is_blank(title.s, title.len)) && (!text.s || is_blank(text.s, text.len)))
        goto no; /* the cJSON path names the error */
    if ((title.s && memchr(title.s, '\0', title.len)) || (text.s && memchr(text.s, '\0', text.len)))
        goto no;
    /* the record */
    if (have_id_num) {
        nc_strbuf sb = NC_STRBUF_INIT;
        if (nc_strbuf_addf(&sb, "%lld", (long long)id_num) < 0 ||
            !(a->id = nc_strbuf_detach(&sb))) {
            nc_strbuf_finish(&sb);
            rc = NC_ENOMEM;
            goto no;
        }
    }
    if (have_topics) {
        a->has_topics = 1;
        topics_move(&topics, a);
    } else if (have_label) {
        a->has_topics = 1;
        a->topics = malloc(sizeof(char *));
        if (!a->topics || !(a->topics[0] = nc_strndup(label.s, label.len))) {
            rc = NC_ENOMEM;
            goto no;
        }
        a->ntopics = 1;
    }
    a->title = title.s ? title.s : nc_strdup("");
    a->text = text.s ? text.s : nc_strdup("");
    title.s = text.s = NULL;
    a->date = date.s;
    date.s = NULL;
    if (!a->title || !a->text || set_origin(a, file, lineno, a->id == NULL) < 0) {
        rc = NC_ENOMEM;
        goto no;
    }
    free(label.s);
    topics_finish(&topics);
    return 1;
no:
    free(title.s);
    free(text.s);
    free(date.s);
    free(label.s);
    topics_finish(&topics);
    nc_article_finish(a);
    return rc < 0 ? rc : 0;
}

int nc_article_from_json(const char *line, size_t len, const char *file, long lineno,
                         nc_article *a, nc_error *err)
{
    cJSON *obj = NULL;
    const char *end = NULL;
    int rc;

    nc_article_finish(a);
    if ((rc = check_line_bytes(line, len, file, lineno, err)) < 0)
        goto out;
    if ((rc = json_fast(line, len, file, lineno, a)) != 0) {
        if (rc < 0)
            rc = oom(err);
        else
            rc = NC_OK;
        goto out;
    }
    obj = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (obj && end) { /* only white space may follow the value */
        while (end < line + len && is_space((unsigned char)*end))
            end++;
    }
    if (!obj || !end || end < line + len) {
        size_t col = end && end >= line ? (size_t)(end - line) + 1 : 1;
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: malformed JSON at column %zu", file, lineno, col);
        goto out;
    }
    if (!cJSON_IsObject(obj)) {
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: expected a JSON object", file, lineno);
        goto out;
    }
    if ((rc = json_check_keys(obj, line, len, file, lineno, err)) < 0)
        goto out;
    rc = json_record(obj, a, file, lineno, err);
out:
    cJSON_Delete(obj);
    if (rc < 0)
        nc_article_finish(a);
    return rc;
}

/* ---- fastText ---------------------------------------------------------------------------- */

#define FT_LABEL "__label__"

int nc_article_from_fasttext(const char *line, size_t len, const char *file, long lineno,
                             nc_article *a, nc_error *err)
{
    size_t i = 0, plen = strlen(FT_LABEL);
    struct topics t = { 0 };
    const char *rest;
    size_t rlen;
    int rc, c;

    nc_article_finish(a);
    if ((rc = check_line_bytes(line, len, file, lineno, err)) < 0)
        goto out;
    for (;;) {
        size_t start;
        while (i < len && is_space((unsigned char)line[i]))
            i++;
        if (len - i < plen || memcmp(line + i, FT_LABEL, plen) != 0)
            break;
        start = i + plen;
        i = start;
        while (i < len && !is_space((unsigned char)line[i]))
            i++;
        if (i == start) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: empty label '%s'", file, lineno, FT_LABEL);
            goto out;
        }
        if ((c = control_byte(line + start, i - start)) >= 0) {
            rc = bad_topic(file, lineno, c, err);
            goto out;
        }
        if (add_topic(&t, line + start, i - start) < 0) {
            rc = oom(err);
            goto out;
        }
    }
    topics_move(&t, a);
    rest = line + i;
    rlen = len - i;
    trim(&rest, &rlen);
    if (rlen == 0) {
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: no text after the labels", file, lineno);
        goto out;
    }
    a->has_topics = a->ntopics > 0;
    if (!(a->text = nc_strndup(rest, rlen)) || !(a->title = nc_strdup("")) ||
        set_origin(a, file, lineno, 1) < 0) {
        rc = oom(err);
        goto out;
    }
    rc = NC_OK;
out:
    topics_finish(&t);
    if (rc < 0)
        nc_article_finish(a);
    return rc;
}

/* ---- plain text -------------------------------------------------------------------------- */

int nc_article_from_text(const char *buf, size_t len, const char *name, int keep_furniture,
                         nc_article *a, nc_error *err)
{
    nc_strbuf body = NC_STRBUF_INIT;
    const char *p, *end, *nul;
    size_t bad;
    int rc = NC_OK, para_break = 0;

    nc_article_finish(a);
    if ((nul = memchr(buf, '\0', len))) {
        rc = nc_err(err, NC_EFORMAT, "'%s': binary file (NUL byte at offset %zu)", name,
                    (size_t)(nul - buf));
        goto out;
    }
    bad = utf8_invalid_at(buf, len);
    if (bad < len) {
        long lineno = 1;
        const char *line_start = buf;
        for (const char *q = buf; q < buf + bad; q++) {
            if (*q == '\n') {
                lineno++;
                line_start = q + 1;
            }
        }
        rc = nc_err(err, NC_EFORMAT, "'%s':%ld: invalid UTF-8 at byte %zu", name, lineno,
                    (size_t)(buf + bad - line_start) + 1);
        goto out;
    }
    p = buf;
    end = buf + len;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3; /* byte order mark */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line = p;
        size_t llen = (size_t)((nl ? nl : end) - p);

        p = nl ? nl + 1 : end;
        trim(&line, &llen);
        if (llen == 0) {
            para_break = 1;
            continue;
        }
        if (!keep_furniture && nc_is_furniture(line, llen))
            continue;
        if (!a->title) {
            if (!(a->title = nc_strndup(line, llen))) {
                rc = oom(err);
                goto out;
            }
            nc_clean_headline(a->title);
            if (a->title[0] == '\0') { /* nothing but separators: not a headline */
                free(a->title);
                a->title = NULL;
            }
            continue;
        }
        if (body.len && ((para_break && nc_strbuf_add(&body, "\n\n", 2) < 0) ||
                         (!para_break && nc_strbuf_addc(&body, '\n') < 0))) {
            rc = oom(err);
            goto out;
        }
        para_break = 0;
        if (nc_strbuf_add(&body, line, llen) < 0) {
            rc = oom(err);
            goto out;
        }
    }
    if (!a->title) {
        rc = nc_err(err, NC_EFORMAT, "'%s': empty article", name);
        goto out;
    }
    if (!(a->text = nc_strbuf_detach(&body)) || !(a->id = nc_strdup(name)) ||
        !(a->file = nc_strdup(name))) {
        rc = oom(err);
        goto out;
    }
    a->line = 0;
out:
    nc_strbuf_finish(&body);
    if (rc < 0)
        nc_article_finish(a);
    return rc;
}
