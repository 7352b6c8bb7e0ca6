#include "match/similarity.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/kalloc.h"
#include "util/utf8.h"
#include "util/buf.h"

/* ---- character classes ------------------------------------------------------------------------
 */

/* Simple lowercase mapping for the scripts most rationales use beyond ASCII: Latin-1, Latin
 * Extended-A (but U+0130 İ), modern Greek U+0386–U+03AB and Cyrillic U+0400–U+042F. Checked
 * code point by code point against Python's str.lower() over those ranges. */
static uint32_t sim_fold(uint32_t c)
{
    if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
    if (c < 0x100) return (c >= 0xC0 && c <= 0xDE && c != 0xD7) ? c + 0x20 : c;
    if (c < 0x180) {
        if (c == 0x130) return c; /* İ lowercases to two code points; left alone */
        if (c == 0x178) return 0xFF;
        if ((c <= 0x137 || (c >= 0x14A && c <= 0x177)) && !(c & 1)) return c + 1;
        if (((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) && (c & 1)) return c + 1;
        return c;
    }
    if (c >= 0x386 && c <= 0x3AB) {
        if (c == 0x386) return 0x3AC;
        if (c >= 0x388 && c <= 0x38A) return c + 37;
        if (c == 0x38C) return 0x3CC;
        if (c == 0x38E || c == 0x38F) return c + 63;
        if (c >= 0x391 && c != 0x3A2) return c + 32;
        return c;
    }
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    return c;
}

/* Unicode spaces and punctuation that separate words like ASCII punctuation does. */
static int sim_is_sep(uint32_t c)
{
    if (c < 0x80) return 0; /* ASCII is classified by the caller */
    if (c <= 0xBF)          /* but the letters ª µ º and the numbers ² ³ ¹ ¼ ½ ¾ */
        return c != 0xAA && c != 0xB5 && c != 0xBA && c != 0xB2 && c != 0xB3 && c != 0xB9 &&
               !(c >= 0xBC && c <= 0xBE);
    if (c == 0xD7 || c == 0xF7) return 1;
    if (c >= 0x2000 && c <= 0x206F) return 1;
    if (c >= 0x2E00 && c <= 0x2E7F) return 1;
    if (c >= 0x3000 && c <= 0x303F) return c < 0x3005 || c > 0x3007;
    if (c == 0x30FB) return 1; /* katakana middle dot */
    if (c >= 0xFE10 && c <= 0xFE1F) return 1;
    if (c >= 0xFE30 && c <= 0xFE6F) return 1;
    if (c == 0xFEFF) return 1;
    if (c >= 0xFF5F && c <= 0xFF65) return 1;
    return 0;
}

static int sim_is_cjk(uint32_t c)
{
    return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x20000 && c <= 0x3FFFF);
}

/* ---- tokens --------------------------------------------------------------------------------- */

void sim_tokens_init(sim_tokens *t)
{
    memset(t, 0, sizeof *t);
}

void sim_tokens_free(sim_tokens *t)
{
    free(t->text);
    free(t->tok);
    sim_tokens_init(t);
}

/* Ends the token written at text[start..o): records it, NUL-terminates it; returns the new o. */
static size_t close_token(sim_tokens *t, size_t start, size_t o)
{
    if (t->n == t->tok_cap) {
        t->tok_cap = t->tok_cap ? 2 * t->tok_cap : 16;
        t->tok = kalloc_resize(t->tok, t->tok_cap, sizeof *t->tok);
    }
    t->tok[t->n].off = start;
    t->tok[t->n].len = o - start;
    t->n++;
    t->text[o++] = '\0';
    return o;
}

void sim_tokenize(const char *s, size_t len, unsigned flags, sim_tokens *t)
{
    if (!s) len = 0;
    /* normalized bytes never exceed the input's (folding keeps UTF-8 lengths, full-width forms
     * shrink), plus one NUL per token, at most one token per input byte */
    if (len > (SIZE_MAX - 1) / 2) kalloc_oom();
    size_t need = 2 * len + 1;
    if (t->text_cap < need) {
        free(t->text);
        t->text = kalloc_array(need, 1);
        t->text_cap = need;
    }
    t->n = 0;
    size_t o = 0, start = 0;
    int in_tok = 0;
    size_t i = 0;
    while (i <= len) {
        uint32_t c;
        size_t k;
        int word = 0, alone = 0;
        if (i == len) {
            k = 1; /* end: closes the last token */
        } else {
            k = utf8_decode(s + i, len - i, &c);
            if (c != UTF8_INVALID) {
                if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0; /* full-width ASCII */
                if (c < 0x80)
                    word =
                        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                else
                    word = !sim_is_sep(c);
                if (word && (flags & SIM_TOK_SPLIT_CJK) && sim_is_cjk(c)) alone = 1;
            }
        }
        if (in_tok && (!word || alone)) { /* close the current token */
            o = close_token(t, start, o);
            in_tok = 0;
        }
        if (word) {
            if (!in_tok) {
                start = o;
                in_tok = 1;
            }
            o += utf8_encode(sim_fold(c), t->text + o);
            if (alone) { /* a token of its own: close it at once */
                o = close_token(t, start, o);
                in_tok = 0;
            }
        }
        i += k;
    }
}

/* ---- token sets ------------------------------------------------------------------------------ */

typedef struct sim_str {
    const char *p;
    size_t len;
} sim_str;

static int sim_str_cmp(const void *a, const void *b)
{
    const sim_str *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c) return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* Sorted distinct tokens of t (caller frees); count in *n. */
static sim_str *sim_token_set(const sim_tokens *t, size_t *n)
{
    sim_str *v = kalloc_array(t->n, sizeof *v);
    for (size_t i = 0; i < t->n; i++)
        v[i] = (sim_str){t->text + t->tok[i].off, t->tok[i].len};
    qsort(v, t->n, sizeof *v, sim_str_cmp);
    size_t u = 0;
    for (size_t i = 0; i < t->n; i++)
        if (u == 0 || sim_str_cmp(&v[u - 1], &v[i]) != 0) v[u++] = v[i];
    *n = u;
    return v;
}

double sim_jaccard_tokens(const sim_tokens *a, const sim_tokens *b)
{
    size_t na, nb;
    sim_str *sa = sim_token_set(a, &na), *sb = sim_token_set(b, &nb);
    size_t i = 0, j = 0, inter = 0;
    while (i < na && j < nb) {
        int c = sim_str_cmp(&sa[i], &sb[j]);
        if (c == 0) {
            inter++;
            i++;
            j++;
        } else if (c < 0) {
            i++;
        } else {
            j++;
        }
    }
    free(sa);
    free(sb);
    size_t uni = na + nb - inter;
    return uni ? (double)inter / (double)uni : 0.0;
}

double sim_jaccard(const char *a, size_t alen, const char *b, size_t blen, unsigned flags)
{
    sim_tokens ta, tb;
    sim_tokens_init(&ta);
    sim_tokens_init(&tb);
    sim_tokenize(a, alen, flags, &ta);
    sim_tokenize(b, blen, flags, &tb);
    double j = sim_jaccard_tokens(&ta, &tb);
    sim_tokens_free(&ta);
    sim_tokens_free(&tb);
    return j;
}

/* ---- character 3-grams --------------------------------------------------------------------- */

static int sim_u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Sorted 3-gram keys (three 21-bit code points packed exactly) of the normalized text. */
static uint64_t *sim_trigrams(const char *s, size_t len, size_t *n)
{
    sim_tokens t;
    sim_tokens_init(&t);
    sim_tokenize(s, len, 0, &t);
    *n = 0;
    if (t.n == 0) {
        sim_tokens_free(&t);
        return NULL;
    }
    size_t ncp_max = 1;
    for (size_t i = 0; i < t.n; i++)
        ncp_max += t.tok[i].len + 1;
    uint32_t *cp = kalloc_array(ncp_max, sizeof *cp);
    size_t ncp = 0;
    cp[ncp++] = ' ';
    for (size_t i = 0; i < t.n; i++) {
        const char *p = t.text + t.tok[i].off;
        size_t l = t.tok[i].len, q = 0;
        while (q < l) {
            uint32_t c;
            q += utf8_decode(p + q, l - q, &c); /* valid: we encoded it */
            cp[ncp++] = c;
        }
        cp[ncp++] = ' ';
    }
    sim_tokens_free(&t);
    size_t ng = ncp >= 3 ? ncp - 2 : 0;
    uint64_t *g = kalloc_array(ng, sizeof *g);
    for (size_t i = 0; i < ng; i++)
        g[i] = ((uint64_t)cp[i] << 42) | ((uint64_t)cp[i + 1] << 21) | (uint64_t)cp[i + 2];
    free(cp);
    qsort(g, ng, sizeof *g, sim_u64_cmp);
    *n = ng;
    return g;
}

double sim_char3_cosine(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t na, nb;
    uint64_t *ga = sim_trigrams(a, alen, &na), *gb = sim_trigrams(b, blen, &nb);
    double dot = 0, sa = 0, sb = 0;
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        /* the run of equal keys at the smaller head, counted in both lists */
        uint64_t key = (j >= nb || (i < na && ga[i] <= gb[j])) ? ga[i] : gb[j];
        double ca = 0, cb = 0;
        while (i < na && ga[i] == key) {
            ca++;
            i++;
        }
        while (j < nb && gb[j] == key) {
            cb++;
            j++;
        }
        dot += ca * cb;
        sa += ca * ca;
        sb += cb * cb;
    }
    free(ga);
    free(gb);
    if (sa == 0 || sb == 0) return 0.0;
    return dot / (sqrt(sa) * sqrt(sb));
}

/* ---- embeddings ------------------------------------------------------------------------------ */

void sim_cosine_matrix(const float *a, size_t na, const float *b, size_t nb, size_t dim,
                       double *out)
{
    double *nbv = kalloc_array(nb, sizeof *nbv);
    for (size_t j = 0; j < nb; j++) {
        const float *y = b + j * dim;
        double s = 0;
        for (size_t k = 0; k < dim; k++)
            s += (double)y[k] * y[k];
        nbv[j] = sqrt(s);
    }
    for (size_t i = 0; i < na; i++) {
        const float *x = a + i * dim;
        double s = 0;
        for (size_t k = 0; k < dim; k++)
            s += (double)x[k] * x[k];
        double nx = sqrt(s);
        for (size_t j = 0; j < nb; j++) {
            if (nx == 0 || nbv[j] == 0) {
                out[i * nb + j] = 0.0;
                continue;
            }
            const float *y = b + j * dim;
            double d = 0;
            for (size_t k = 0; k < dim; k++)
                d += (double)x[k] * y[k];
            double c = d / (nx * nbv[j]);
            out[i * nb + j] = c > 1 ? 1.0 : (c < -1 ? -1.0 : c); /* rounding can exceed ±1 */
        }
    }
    free(nbv);
}

/* ---- BM25 corpus -------------------------------------------------------------------------------
 */

typedef struct sim_slot {
    uint64_t h;
    size_t off, len; /* term bytes in the arena; len 0 = empty slot (tokens are never empty) */
    size_t df;
} sim_slot;

struct sim_corpus {
    unsigned flags;
    size_t ndocs;
    double total_len;
    sim_slot *slots;
    size_t cap, count; /* cap is a power of two, load <= 1/2 */
    buf_t arena;
};

static uint64_t sim_hash(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a, then a final mix */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)p[i];
        h *= 1099511628211ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static sim_slot *sim_lookup(const sim_corpus *c, const char *p, size_t n, uint64_t h)
{
    size_t mask = c->cap - 1;
    for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
        sim_slot *s = &c->slots[i];
        if (s->len == 0) return s;
        if (s->h == h && s->len == n && memcmp(c->arena.data + s->off, p, n) == 0) return s;
    }
}

static void sim_grow(sim_corpus *c)
{
    sim_slot *old = c->slots;
    size_t ocap = c->cap;
    c->cap = ocap ? ocap * 2 : 64;
    c->slots = kalloc_zeroed(c->cap, sizeof *c->slots);
    for (size_t i = 0; i < ocap; i++) {
        if (old[i].len == 0) continue;
        size_t mask = c->cap - 1, k = (size_t)old[i].h & mask;
        while (c->slots[k].len)
            k = (k + 1) & mask;
        c->slots[k] = old[i];
    }
    free(old);
}

sim_corpus *sim_corpus_new(unsigned tok_flags)
{
    sim_corpus *c = kalloc_zeroed(1, sizeof *c);
    c->flags = tok_flags;
    buf_init(&c->arena);
    sim_grow(c);
    return c;
}

void sim_corpus_free(sim_corpus *c)
{
    if (!c) return;
    free(c->slots);
    buf_free(&c->arena);
    free(c);
}

void sim_corpus_add(sim_corpus *c, const char *doc, size_t len)
{
    sim_tokens t;
    sim_tokens_init(&t);
    sim_tokenize(doc, len, c->flags, &t);
    size_t nu;
    sim_str *u = sim_token_set(&t, &nu);
    for (size_t i = 0; i < nu; i++) {
        if (2 * (c->count + 1) > c->cap) sim_grow(c);
        uint64_t h = sim_hash(u[i].p, u[i].len);
        sim_slot *s = sim_lookup(c, u[i].p, u[i].len, h);
        if (s->len == 0) {
            s->h = h;
            s->off = c->arena.len;
            s->len = u[i].len;
            s->df = 0;
            buf_append(&c->arena, u[i].p, u[i].len);
            c->count++;
        }
        s->df++;
    }
    c->ndocs++;
    c->total_len += (double)t.n;
    free(u);
    sim_tokens_free(&t);
}

size_t sim_corpus_docs(const sim_corpus *c)
{
    return c->ndocs;
}

double sim_corpus_avgdl(const sim_corpus *c)
{
    return c->ndocs ? c->total_len / (double)c->ndocs : 0.0;
}

static size_t sim_df_raw(const sim_corpus *c, const char *p, size_t n)
{
    const sim_slot *s = sim_lookup(c, p, n, sim_hash(p, n));
    return s->len ? s->df : 0;
}

static double sim_idf_raw(const sim_corpus *c, size_t df)
{
    return log1p(((double)c->ndocs - (double)df + 0.5) / ((double)df + 0.5));
}

size_t sim_corpus_df(const sim_corpus *c, const char *term, size_t len)
{
    sim_tokens t;
    sim_tokens_init(&t);
    sim_tokenize(term, len, c->flags, &t);
    size_t df = t.n ? sim_df_raw(c, t.text + t.tok[0].off, t.tok[0].len) : 0;
    sim_tokens_free(&t);
    return df;
}

double sim_corpus_idf(const sim_corpus *c, const char *term, size_t len)
{
    return sim_idf_raw(c, sim_corpus_df(c, term, len));
}

double sim_bm25(const sim_corpus *c, const char *query, size_t qlen, const char *doc, size_t dlen,
                double k1, double b)
{
    sim_tokens tq, td;
    sim_tokens_init(&tq);
    sim_tokens_init(&td);
    sim_tokenize(query, qlen, c->flags, &tq);
    sim_tokenize(doc, dlen, c->flags, &td);
    /* document tokens sorted, so tf is the length of an equal range */
    sim_str *dv = kalloc_array(td.n, sizeof *dv);
    for (size_t i = 0; i < td.n; i++)
        dv[i] = (sim_str){td.text + td.tok[i].off, td.tok[i].len};
    qsort(dv, td.n, sizeof *dv, sim_str_cmp);
    double dl = (double)td.n;
    double avgdl = c->ndocs && c->total_len > 0 ? c->total_len / (double)c->ndocs : dl;
    double norm = k1 * (1 - b + (avgdl > 0 ? b * dl / avgdl : b));
    double score = 0;
    for (size_t i = 0; i < tq.n; i++) {
        sim_str q = {tq.text + tq.tok[i].off, tq.tok[i].len};
        size_t lo = 0, hi = td.n; /* first >= q */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (sim_str_cmp(&dv[mid], &q) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t tf = 0;
        while (lo + tf < td.n && sim_str_cmp(&dv[lo + tf], &q) == 0)
            tf++;
        if (!tf) continue;
        double idf = sim_idf_raw(c, sim_df_raw(c, q.p, q.len));
        score += idf * (double)tf * (k1 + 1) / ((double)tf + norm);
    }
    free(dv);
    sim_tokens_free(&tq);
    sim_tokens_free(&td);
    return score;
}
