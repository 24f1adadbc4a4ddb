/* tokenize.c: UTF-8 text -> normalised word tokens.
 *
 * Two levels: the text is first cut into whitespace-separated runs; a run that is a URL
 * ("http://", "https://", "www.") or an e-mail address becomes one shape token ("<url>",
 * "<email>"); any other run is cut into words. Word characters are letters, digits and marks
 * (Unicode categories L*, N*, M*). Inside a word an apostrophe (' or U+2019) is kept
 * ("don't") and a possessive "'s" is dropped ("Russia's" -> "russia"); a hyphen splits
 * ("co-operate" -> "co", "operate", so "cyber-attack" matches "cyber attack"); '.' or ','
 * between digits stays part of a number. Numbers become shape tokens: "<d>", "<dd>", "<ddd>",
 * "<dddd>", "<d+>" (five digits or more) and "<d.d>" (with a decimal point or separator).
 * ASCII words are lower-cased through a table (the hot path); words with other characters go
 * through utf8proc's NFKC case folding. Invalid UTF-8 bytes act as separators, so no input can
 * crash the tokenizer. HTML character references ("&amp;", "&#39;", and the bare "#39;" that
 * scraped feeds carry) are decoded to an apostrophe or treated as separators.
 *
 * Sentence breaks (., !, ? or ; followed by white space, a blank line, or the end of a title)
 * are reported through nc_token.sentence_start, so n-grams never cross a sentence: repeating a
 * paragraph repeats exactly the same n-grams.
 *
 * Not done here: vocabulary lookups and weighting (features.c).
 * SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <libstemmer.h>
#include <pthread.h>
#include <utf8proc.h>

#include <newsclass/features.h>

#define MAX_TOKEN 64 /* longer words (base64, junk) are skipped, not truncated */

enum { C_SPACE = 1, C_WORD = 2, C_UPPER = 4, C_DIGIT = 8, C_AT = 16 };

static unsigned char ascii_class[256];
static unsigned char ascii_lower[256];

static void fill_tables(void)
{
    for (int c = 0; c < 256; c++) {
        ascii_lower[c] = (unsigned char)c;
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
            ascii_class[c] = C_SPACE;
        else if (c >= 'a' && c <= 'z')
            ascii_class[c] = C_WORD;
        else if (c >= 'A' && c <= 'Z') {
            ascii_class[c] = C_WORD | C_UPPER;
            ascii_lower[c] = (unsigned char)(c - 'A' + 'a');
        } else if (c >= '0' && c <= '9')
            ascii_class[c] = C_WORD | C_DIGIT;
        else if (c == '@')
            ascii_class[c] = C_AT;
    }
}

/* Once per process, whatever the number of threads tokenizing (a plain flag was a data race
 * that ThreadSanitizer reports). */
static void init_tables(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, fill_tables);
}

/* English stop words (a short list of function words; used with --stopwords and
 * --topic-stopwords). Kept sorted: is_stopword() binary-searches it ("also", "said" and "says", once
 * appended at the end, were never found; tests/unit/test_tokenize.c checks them). */
static const char *const stopwords[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any",
    "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both",
    "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few",
    "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "herself", "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its",
    "itself", "just", "me", "more", "most", "my", "myself", "of", "off", "on", "once", "only",
    "or", "other", "our", "ours", "ourselves", "out", "over", "own", "said", "same", "says",
    "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too",
    "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which",
    "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours", "yourself",
    "yourselves"
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first list, in its first order: three words appended after the sorted rest, where the
 * binary search never finds them. Bundles trained with it (stopword_list 1) keep it, so that
 * they score as they always did. */
static const char *const stopwords_v1[] = {
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but",
    "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for",
    "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "herself",
    "him", "himself", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
    "me", "more", "most", "my", "myself", "of", "off", "on", "once", "only", "or", "other", "our",
    "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such",
    "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these",
    "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we",
    "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
    "would", "you", "your", "yours", "yourself", "yourselves", "said", "says", "also"
};

static int is_stopword(const char *w, int list)
{
    if (list == 1)
        return bsearch(&w, stopwords_v1, sizeof stopwords_v1 / sizeof stopwords_v1[0],
                       sizeof stopwords_v1[0], cmp_str) != NULL;
    return bsearch(&w, stopwords, sizeof stopwords / sizeof stopwords[0], sizeof stopwords[0],
                   cmp_str) != NULL;
}

int nc_is_stopword(const char *s, size_t n)
{
    char buf[32];
    if (n == 0 || n >= sizeof buf) /* the longest stop word has 10 letters */
        return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return is_stopword(buf, 2);
}

/* One Snowball stemmer per thread (sb_stemmer is not thread-safe), created on first use and
 * deleted when the thread ends: a thread-specific key with a destructor, so that the threads
 * of a pool that come and go do not each leave a stemmer behind. */
static pthread_key_t stemmer_key;
static pthread_once_t stemmer_once = PTHREAD_ONCE_INIT;
static int stemmer_key_ok;

static void stemmer_free(void *p)
{
    sb_stemmer_delete(p);
}

static void stemmer_key_init(void)
{
    stemmer_key_ok = pthread_key_create(&stemmer_key, stemmer_free) == 0;
}

/* This thread's stemmer, or NULL when one cannot be made (then words go unstemmed). */
static struct sb_stemmer *thread_stemmer(void)
{
    struct sb_stemmer *st;
    pthread_once(&stemmer_once, stemmer_key_init);
    if (!stemmer_key_ok)
        return NULL;
    if ((st = pthread_getspecific(stemmer_key)))
        return st;
    if ((st = sb_stemmer_new("english", "UTF_8")) && pthread_setspecific(stemmer_key, st) != 0) {
        sb_stemmer_delete(st);
        st = NULL;
    }
    return st;
}

struct tok_state {
    const nc_feature_opts *o;
    nc_token_fn fn;
    void *ctx;
    int sentence_start;
    int after_apostrophe; /* the word began right after an apostrophe entity ("#39;s") */
    unsigned char raw[MAX_TOKEN * 4 + 24]; /* 16 bytes of slack for scan_word's stores */
    size_t rawlen;
    int raw_ascii;
    int raw_digits, raw_alpha, raw_numsep;
    int overflow;
};

static inline __attribute__((always_inline)) int emit_text(struct tok_state *st, const char *text, size_t len)
{
    nc_token t;
    char buf[MAX_TOKEN * 4 + 8];
    int rc;

    if (st->o && st->o->stopwords && len < sizeof buf) {
        memcpy(buf, text, len);
        buf[len] = '\0';
        if (is_stopword(buf, st->o->stopword_list))
            return 0;
    }
    if (st->o && st->o->stem) {
        const sb_symbol *s;
        struct sb_stemmer *stemmer = thread_stemmer();
        if (stemmer && (s = sb_stemmer_stem(stemmer, (const sb_symbol *)text, (int)len))) {
            len = (size_t)sb_stemmer_length(stemmer);
            if (len >= sizeof buf)
                return 0;
            memcpy(buf, s, len);
            buf[len] = '\0';
            text = buf;
        }
    }
    t.text = text;
    t.len = len;
    t.sentence_start = st->sentence_start;
    rc = st->fn(&t, st->ctx);
    st->sentence_start = 0;
    return rc;
}

static int emit_shape(struct tok_state *st, const char *shape)
{
    return emit_text(st, shape, strlen(shape));
}

/* Finish the word collected in st->raw. */
static inline __attribute__((always_inline)) int flush_word(struct tok_state *st)
{
    unsigned char *w = st->raw;
    size_t n = st->rawlen;
    int after_apos = st->after_apostrophe;
    int rc = 0;

    st->rawlen = 0;
    st->after_apostrophe = 0;
    if (st->overflow) {
        st->overflow = 0;
        return 0;
    }
    /* trailing apostrophes, then a possessive 's */
    while (n && w[n - 1] == '\'')
        n--;
    if (n >= 2 && w[n - 2] == '\'' && (w[n - 1] == 's' || w[n - 1] == 'S'))
        n -= 2;
    /* leading apostrophes; a lone "s" right after one is the rest of "Russia #39;s" */
    while (n && w[0] == '\'') {
        w++;
        n--;
        after_apos = 1;
    }
    if (n == 0 || (after_apos && n == 1 && (w[0] == 's' || w[0] == 'S')))
        return 0;
    if (st->raw_digits && !st->raw_alpha) {
        /* a number: its shape */
        if (st->raw_numsep)
            return emit_shape(st, "<d.d>");
        switch (st->raw_digits) {
        case 1: return emit_shape(st, "<d>");
        case 2: return emit_shape(st, "<dd>");
        case 3: return emit_shape(st, "<ddd>");
        case 4: return emit_shape(st, "<dddd>");
        default: return emit_shape(st, "<d+>");
        }
    }
    if (st->raw_ascii) {
        return emit_text(st, (const char *)w, n); /* lower-cased as it was collected */
    } else {
        utf8proc_uint8_t *out = NULL;
        utf8proc_ssize_t m = utf8proc_map(w, (utf8proc_ssize_t)n, &out,
                                          UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                              UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
        if (m > 0 && m <= MAX_TOKEN * 4) {
            /* NFKC can put a space inside a word (U+037A folds to " \u03b9", the Arabic forms
             * U+FE70.. likewise): the pieces are words of their own, since a token with a
             * space would read back from a vocabulary as two */
            const char *p = (const char *)out, *end = p + m;
            while (rc == 0 && p < end) {
                const char *sp = memchr(p, ' ', (size_t)(end - p));
                size_t len = (size_t)((sp ? sp : end) - p);
                if (len)
                    rc = emit_text(st, p, len);
                p += len + (sp != NULL);
            }
        }
        free(out);
        return rc;
    }
}

static void add_byte(struct tok_state *st, unsigned char c)
{
    if (st->rawlen >= MAX_TOKEN * 4) {
        st->overflow = 1;
        return;
    }
    st->raw[st->rawlen++] = c;
}

/* Decode one UTF-8 code point at s[0..len); returns its length, or -1 when invalid. */
static int decode_utf8(const unsigned char *s, size_t len, int32_t *cp)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(s, (utf8proc_ssize_t)(len > 4 ? 4 : len), &c);
    if (n <= 0)
        return -1;
    *cp = c;
    return (int)n;
}

static int is_word_cp(int32_t cp)
{
    utf8proc_category_t cat = utf8proc_category(cp);
    switch (cat) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

static int is_space_cp(int32_t cp)
{
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
           cat == UTF8PROC_CATEGORY_ZP || cp == 0x85;
}

/* Length of an HTML character reference at s ("&amp;", "&#39;", "#39;", "quot;"), else 0.
 * *apos is set when it stands for an apostrophe. */
static size_t entity_len(const unsigned char *s, size_t len, int *apos)
{
    size_t i = 0, j;
    *apos = 0;
    if (s[0] == '&')
        i = 1;
    else if (s[0] != '#')
        return 0;
    if (i < len && s[i] == '#') {
        j = i + 1;
        while (j < len && j < i + 8 && ascii_class[s[j]] & C_DIGIT)
            j++;
        if (j > i + 1 && j < len && s[j] == ';') {
            long v = strtol((const char *)s + i + 1, NULL, 10);
            *apos = v == 39 || v == 8217 || v == 8216;
            return j + 1;
        }
        return 0;
    }
    if (i == 0)
        return 0;
    j = i;
    while (j < len && j < i + 8 && (ascii_class[s[j]] & C_WORD) && !(ascii_class[s[j]] & C_DIGIT))
        j++;
    if (j > i && j < len && s[j] == ';') {
        static const char *const names[] = { "amp", "lt", "gt", "quot", "apos", "nbsp", "rsquo",
                                             "lsquo", "ldquo", "rdquo", "mdash", "ndash", "hellip" };
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            if (strlen(names[k]) == j - i && memcmp(s + i, names[k], j - i) == 0) {
                *apos = k == 4 || k == 6 || k == 7;
                return j + 1;
            }
        }
    }
    return 0;
}

static int is_bare_entity(const struct tok_state *st)
{
    static const char *const bare[] = { "quot", "amp", "lt", "gt", "nbsp" };
    for (size_t k = 0; k < sizeof bare / sizeof bare[0]; k++)
        if (strlen(bare[k]) == st->rawlen && memcmp(st->raw, bare[k], st->rawlen) == 0)
            return 1;
    return 0;
}

static int is_url_or_email(const unsigned char *s, size_t n, int has_at, const char **shape)
{
    if ((n > 7 && memcmp(s, "http://", 7) == 0) || (n > 8 && memcmp(s, "https://", 8) == 0) ||
        (n > 4 && memcmp(s, "www.", 4) == 0)) {
        *shape = "<url>";
        return 1;
    }
    const unsigned char *at = has_at ? memchr(s, '@', n) : NULL;
    if (at && at > s && memchr(at, '.', n - (size_t)(at - s)) && at[1] != '.' &&
        (ascii_class[at[-1]] & C_WORD)) {
        *shape = "<email>";
        return 1;
    }
    return 0;
}

int nc_tokenize(const char *text, size_t len, const nc_feature_opts *o, nc_token_fn fn, void *ctx)
{
    const unsigned char *s = (const unsigned char *)text;
    struct tok_state st;
    size_t i = 0;
    int rc, newlines = 0, has_at;

    init_tables();
    memset(&st, 0, sizeof st);
    st.o = o;
    st.fn = fn;
    st.ctx = ctx;
    st.sentence_start = 1;

#define FLUSH()                                                                                 \
    do {                                                                                        \
        if (st.rawlen || st.overflow) {                                                         \
            if ((rc = flush_word(&st)) != 0)                                                    \
                return rc;                                                                      \
        }                                                                                       \
        st.raw_ascii = 1;                                                                       \
        st.raw_digits = st.raw_alpha = st.raw_numsep = 0;                                       \
    } while (0)

    st.raw_ascii = 1;
    while (i < len) {
        unsigned char c = s[i];
        size_t run_end;
        const char *shape;

        /* white space between runs; a blank line is a sentence break */
        if (ascii_class[c] & C_SPACE) {
            if (c == '\n' && ++newlines >= 2)
                st.sentence_start = 1;
            i++;
            continue;
        }
        if (c >= 0x80) {
            int32_t cp;
            int k = decode_utf8(s + i, len - i, &cp);
            if (k > 0 && is_space_cp(cp)) {
                i += (size_t)k;
                continue;
            }
        }
        newlines = 0;
        /* find the end of the run, eight bytes at a time while no byte is below 0x21 (white
         * space and controls) or an '@' (bytes of 0x80 and above pass: neither) */
        run_end = i;
        has_at = 0;
#ifdef __SSE2__
        while (run_end + 16 <= len) { /* the same, sixteen at a time */
            const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + run_end));
            const __m128i low = _mm_and_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)),
                                              _mm_cmpgt_epi8(v, _mm_set1_epi8(-1)));
            unsigned hit = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(low, _mm_cmpeq_epi8(v, _mm_set1_epi8('@'))));
            if (hit) {
                run_end += (size_t)__builtin_ctz(hit);
                if (s[run_end] != '@')
                    goto run_tail; /* white space or a control byte */
                has_at = 1;
                run_end++;
                continue;
            }
            run_end += 16;
        }
#endif
        while (run_end + 8 <= len) {
            uint64_t w, at, hit;
            memcpy(&w, s + run_end, 8);
            at = w ^ 0x4040404040404040ULL; /* '@' bytes become zero */
            /* exact for the lowest such byte (later ones may show false hits) */
            hit = ((w - 0x2121212121212121ULL) | (at - 0x0101010101010101ULL)) & ~w &
                  0x8080808080808080ULL;
            if (hit) {
                run_end += (size_t)__builtin_ctzll(hit) >> 3;
                if (s[run_end] != '@')
                    break; /* white space or a control byte: the loop below decides */
                has_at = 1;
                run_end++;
                continue;
            }
            run_end += 8;
        }
#ifdef __SSE2__
    run_tail:
#endif
        while (run_end < len) {
            unsigned char cl = ascii_class[s[run_end]];
            if (cl & C_SPACE)
                break;
            has_at |= cl & C_AT;
            run_end++;
        }
        if ((has_at || c == 'h' || c == 'w') && is_url_or_email(s + i, run_end - i, has_at, &shape)) {
            if ((rc = emit_shape(&st, shape)) != 0)
                return rc;
            i = run_end;
            continue;
        }
        /* cut the run into words */
        while (i < run_end) {
            c = s[i];
            if (c < 0x80) {
                unsigned char cl = ascii_class[c];
                if (cl & C_WORD) {
                    /* a stretch of ASCII word characters, lower-cased as it is copied */
                    size_t j = i, rl = st.rawlen;
                    int digits = 0;
#ifdef __SSE2__
                    /* sixteen bytes at a time: classify, lower-case and store them, stop at
                     * the first byte that is not an ASCII letter or digit (white space ends
                     * every run, so the scan never passes run_end when run_end < len) */
                    while (j + 16 <= len) {
                        const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
                        const __m128i f = _mm_or_si128(v, _mm_set1_epi8(0x20));
                        const __m128i letter =
                            _mm_and_si128(_mm_cmpgt_epi8(f, _mm_set1_epi8('a' - 1)),
                                          _mm_cmplt_epi8(f, _mm_set1_epi8('z' + 1)));
                        const __m128i upper =
                            _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                          _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
                        const __m128i digit =
                            _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                          _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
                        unsigned word = (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
                        unsigned k = (unsigned)__builtin_ctz(~word); /* 16 when all are */
                        unsigned dm = (unsigned)_mm_movemask_epi8(digit) & ((1u << k) - 1);
                        _mm_storeu_si128((__m128i *)(void *)(st.raw + rl),
                                         _mm_add_epi8(v, _mm_and_si128(upper,
                                                                       _mm_set1_epi8(0x20))));
                        while (dm) { /* few words have digits: no popcount needed */
                            dm &= dm - 1;
                            digits++;
                        }
                        j += k;
                        if (rl + k > MAX_TOKEN * 4) { /* as add_byte: keep what fits */
                            rl = MAX_TOKEN * 4;
                            st.overflow = 1;
                        } else {
                            rl += k;
                        }
                        if (k < 16)
                            goto word_done;
                    }
                    if (j == run_end)
                        goto word_done;
                    cl = ascii_class[s[j]];
                    if (!(cl & C_WORD))
                        goto word_done;
#endif
                    do {
                        if (rl < MAX_TOKEN * 4)
                            st.raw[rl++] = ascii_lower[s[j]];
                        else /* as add_byte: keep what fits, mark the word too long */
                            st.overflow = 1;
                        digits += (cl & C_DIGIT) != 0;
                        if (++j == run_end)
                            break;
                        cl = ascii_class[s[j]];
                    } while (cl & C_WORD);
#ifdef __SSE2__
                word_done:
#endif
                    st.rawlen = rl;
                    st.raw_digits += digits;
                    st.raw_alpha += (int)(j - i) - digits;
                    i = j;
                    continue;
                }
                if ((c == '\'') && st.rawlen && i + 1 < run_end &&
                    (ascii_class[s[i + 1]] & C_WORD)) {
                    add_byte(&st, '\'');
                    i++;
                    continue;
                }
                if ((c == '.' || c == ',') && st.raw_digits && !st.raw_alpha && i + 1 < run_end &&
                    (ascii_class[s[i + 1]] & C_DIGIT)) {
                    st.raw_numsep = 1;
                    i++;
                    continue;
                }
                if (c == '&' || c == '#') {
                    int apos;
                    size_t el = entity_len(s + i, run_end - i, &apos);
                    if (el) {
                        if (apos) {
                            if (st.rawlen)
                                add_byte(&st, '\'');
                            else
                                st.after_apostrophe = 1;
                        } else {
                            FLUSH();
                        }
                        i += el;
                        continue;
                    }
                }
                if (c == ';' && is_bare_entity(&st)) {
                    /* "quot;" left by a feed that lost the '&' */
                    st.rawlen = 0;
                    st.after_apostrophe = 0;
                }
                FLUSH();
                if ((c == '.' || c == '!' || c == '?' || c == ';') &&
                    (i + 1 >= run_end || s[i + 1] == '"' || s[i + 1] == '\'' || s[i + 1] == ')'))
                    st.sentence_start = 1;
                i++;
                continue;
            } else {
                int32_t cp;
                int k = decode_utf8(s + i, run_end - i, &cp);
                if (k < 0) { /* invalid byte: a separator */
                    FLUSH();
                    i++;
                    continue;
                }
                if (cp == 0x2019 || cp == 0x2018) {
                    if (st.rawlen && i + (size_t)k < run_end &&
                        (ascii_class[s[i + k]] & C_WORD || s[i + k] >= 0x80)) {
                        add_byte(&st, '\'');
                    } else {
                        FLUSH();
                        st.after_apostrophe = 1;
                    }
                    i += (size_t)k;
                    continue;
                }
                if (is_word_cp(cp)) {
                    for (int b = 0; b < k; b++)
                        add_byte(&st, s[i + b]);
                    st.raw_ascii = 0;
                    if (utf8proc_category(cp) == UTF8PROC_CATEGORY_ND)
                        st.raw_digits++;
                    else
                        st.raw_alpha++;
                    i += (size_t)k;
                    continue;
                }
                FLUSH();
                i += (size_t)k;
            }
        }
        FLUSH();
    }
    FLUSH();
#undef FLUSH
    return 0;
}
