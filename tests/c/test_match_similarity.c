/* Similarity kernels: UTF-8 tokenization, Jaccard, character 3-gram cosine, BM25, embedding
 * cosine matrices. Expected 3-gram and BM25 values were computed with an independent Python
 * implementation of the documented definitions (regex tokens, collections.Counter, math.log). */
#include <stdlib.h>

#include "check.h"
#include "match/similarity.h"
#include "util/utf8.h"

/* Tokenizes s (copied into an exact-size heap block) and joins the tokens with '|'. */
static const char *sim_join(const char *s, size_t n, unsigned flags)
{
    static char out[512];
    char *heap = malloc(n ? n : 1);
    memcpy(heap, s, n);
    sim_tokens t;
    sim_tokens_init(&t);
    sim_tokenize(heap, n, flags, &t);
    free(heap);
    size_t o = 0;
    for (size_t i = 0; i < t.n && o + t.tok[i].len + 2 < sizeof out; i++) {
        if (i) out[o++] = '|';
        memcpy(out + o, t.text + t.tok[i].off, t.tok[i].len);
        o += t.tok[i].len;
    }
    out[o] = '\0';
    sim_tokens_free(&t);
    return out;
}
#define JOIN(s) sim_join(s, strlen(s), 0)

TEST(sim_tokenize_ascii_and_unicode)
{
    CHECK_STR(JOIN("Hello, World! x2 -- it's"), "hello|world|x2|it|s");
    CHECK_STR(JOIN("café NAÏVE École"), "café|naïve|école");
    CHECK_STR(JOIN("东京タワー is tall"), "东京タワー|is|tall");
    CHECK_STR(sim_join("东京タワー is", strlen("东京タワー is"), SIM_TOK_SPLIT_CJK),
              "东|京|タ|ワ|ー|is");
    CHECK_STR(sim_join("ab한국어cd", strlen("ab한국어cd"), SIM_TOK_SPLIT_CJK), "ab|한|국|어|cd");
    CHECK_STR(JOIN("ΑΒΓ δ МОСКВА Łódź"), "αβγ|δ|москва|łódź");
    CHECK_STR(JOIN("x² ½ 5µm"), "x²|½|5µm"); /* numbers and letters of Latin-1 stay */
    CHECK_STR(JOIN(""), "");
    CHECK_STR(JOIN(" ,.; "), "");
}

TEST(sim_tokenize_unicode_punctuation_separates)
{
    CHECK_STR(JOIN("word—word"), "word|word");         /* em dash */
    CHECK_STR(JOIN("“quoted” don’t"), "quoted|don|t"); /* curly quotes, like ASCII ' */
    CHECK_STR(JOIN("a\xC2\xA0"
                   "b"),
              "a|b");                                          /* no-break space */
    CHECK_STR(JOIN("句子。另一个，句子"), "句子|另一个|句子"); /* CJK full stop, full-width comma */
    CHECK_STR(JOIN("ＡＢＣ１２，ｘ"), "abc12|x");              /* full-width forms */
    CHECK_STR(JOIN("a•b…c"), "a|b|c");
}

TEST(sim_tokenize_invalid_utf8)
{
    /* invalid bytes separate; a sequence cut by the length is invalid; nothing is read past it */
    CHECK_STR(sim_join("ab\xFF"
                       "cd",
                       5, 0),
              "ab|cd");
    CHECK_STR(sim_join("ab\xC0\xAF"
                       "cd",
                       6, 0),
              "ab|cd"); /* overlong '/' */
    CHECK_STR(sim_join("ab\xED\xA0\x80"
                       "cd",
                       7, 0),
              "ab|cd"); /* surrogate */
    CHECK_STR(sim_join("ab\xF4\x90\x80\x80"
                       "cd",
                       8, 0),
              "ab|cd");                            /* above U+10FFFF */
    CHECK_STR(sim_join("ab\xE4\xB8", 4, 0), "ab"); /* cut: 2 of 3 bytes */
    CHECK_STR(sim_join("ab\xE4\xB8\xAD", 5, 0), "ab中");
    CHECK_STR(sim_join("\x80\x80", 2, 0), "");
    /* decoder contract */
    uint32_t cp;
    CHECK_INT(utf8_decode("\xE4\xB8\xAD", 3, &cp), 3);
    CHECK_INT(cp, 0x4E2D);
    CHECK_INT(utf8_decode("\xE4\xB8\xAD", 2, &cp), 1);
    CHECK(cp == UTF8_INVALID);
    CHECK_INT(utf8_decode("", 0, &cp), 0);
    CHECK_INT(utf8_digit_value(0xFF15), 5);   /* full-width 5 */
    CHECK_INT(utf8_digit_value(0x1D7FF), 9);  /* mathematical monospace nine */
    CHECK_INT(utf8_digit_value(0xB2), -1);    /* superscript two is not Nd */
    CHECK_INT(utf8_digit_value(0x1FBFA), -1); /* past the last run */
}

TEST(sim_tokenize_robust_random)
{
    /* random bytes: tokens are non-empty, valid UTF-8, within the buffer */
    uint64_t x = 99;
    sim_tokens t;
    sim_tokens_init(&t);
    for (int iter = 0; iter < 2000; iter++) {
        size_t n = (size_t)(iter % 97);
        char *b = malloc(n ? n : 1);
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ull + 1442695040888963407ull;
            b[i] = (char)(x >> 56);
        }
        sim_tokenize(b, n, (unsigned)iter & 1, &t);
        for (size_t k = 0; k < t.n; k++) {
            CHECK(t.tok[k].len > 0);
            const char *p = t.text + t.tok[k].off;
            size_t q = 0;
            while (q < t.tok[k].len) {
                uint32_t cp;
                q += utf8_decode(p + q, t.tok[k].len - q, &cp);
                CHECK(cp != UTF8_INVALID);
            }
        }
        free(b);
    }
    sim_tokens_free(&t);
}

TEST(sim_jaccard_sets)
{
    CHECK_NEAR(sim_jaccard("the cat sat", 11, "the cat ran", 11, 0), 0.5, 0);
    CHECK_NEAR(sim_jaccard("a a b", 5, "b b a", 5, 0), 1, 0); /* sets, not multisets */
    CHECK_NEAR(sim_jaccard("The CAT", 7, "the cat", 7, 0), 1, 0);
    CHECK_NEAR(sim_jaccard("", 0, "", 0, 0), 0, 0);
    CHECK_NEAR(sim_jaccard("x", 1, "", 0, 0), 0, 0);
    CHECK_NEAR(sim_jaccard("alpha beta", 10, "gamma", 5, 0), 0, 0);
    const char *a = "东京タワー", *b = "东京駅";
    CHECK_NEAR(sim_jaccard(a, strlen(a), b, strlen(b), 0), 0, 0);
    CHECK_NEAR(sim_jaccard(a, strlen(a), b, strlen(b), SIM_TOK_SPLIT_CJK), 2.0 / 6, 1e-15);
}

TEST(sim_char3_cosine_code_points)
{
    CHECK_NEAR(sim_char3_cosine("night", 5, "nacht", 5), 0.19999999999999996, 1e-15);
    /* é is one code point: " café " has 4 trigrams, 2 shared with " cafe " */
    CHECK_NEAR(sim_char3_cosine("café", strlen("café"), "cafe", 4), 0.5, 1e-15);
    const char *a = "Response A cites the wrong year", *b = "response B cites the right year";
    CHECK_NEAR(sim_char3_cosine(a, strlen(a), b, strlen(b)), 0.6774193548387097, 1e-15);
    const char *c = "東京タワー", *d = "東京駅";
    CHECK_NEAR(sim_char3_cosine(c, strlen(c), d, strlen(d)), 0.2581988897471611, 1e-15);
    CHECK_NEAR(sim_char3_cosine("aaaa", 4, "aaa", 3), 0.9428090415820635, 1e-15);
    CHECK_NEAR(sim_char3_cosine("same text", 9, "Same, TEXT!", 11), 1, 1e-15);
    CHECK_NEAR(sim_char3_cosine("", 0, "", 0), 0, 0);
    CHECK_NEAR(sim_char3_cosine("a", 1, "", 0), 0, 0);
    CHECK_NEAR(sim_char3_cosine("a", 1, "a", 1), 1, 1e-15); /* " a " */
}

TEST(sim_cosine_matrix_values)
{
    const float a[] = {1, 0, 0, 0, 1, 1, -1, 0};
    const float b[] = {1, 0, 0, 2};
    double out[8];
    sim_cosine_matrix(a, 4, b, 2, 2, out);
    CHECK_NEAR(out[0], 1, 1e-15);
    CHECK_NEAR(out[1], 0, 1e-15);
    CHECK_NEAR(out[2], 0, 0); /* zero vector */
    CHECK_NEAR(out[3], 0, 0);
    CHECK_NEAR(out[4], 0.70710678118654746, 1e-15);
    CHECK_NEAR(out[5], 0.70710678118654746, 1e-15);
    CHECK_NEAR(out[6], -1, 1e-15);
    CHECK_NEAR(out[7], 0, 1e-15);
    /* self-similarity of a non-trivial vector is exactly clamped to 1 */
    const float v[] = {0.1f, 0.2f, 0.3f};
    double s;
    sim_cosine_matrix(v, 1, v, 1, 3, &s);
    CHECK(s <= 1 && s > 1 - 1e-15);
}

TEST(sim_bm25_corpus)
{
    const char *docs[] = {"Response A gives the wrong date for the treaty",
                          "Response B is more concise and cites the treaty",
                          "The code in response A does not compile",
                          "Both responses ignore the user question about dates"};
    sim_corpus *c = sim_corpus_new(0);
    CHECK_INT(sim_corpus_docs(c), 0);
    CHECK_NEAR(sim_corpus_idf(c, "zzz", 3), log(2.0), 1e-15); /* empty corpus */
    for (int i = 0; i < 4; i++)
        sim_corpus_add(c, docs[i], strlen(docs[i]));
    CHECK_INT(sim_corpus_docs(c), 4);
    CHECK_NEAR(sim_corpus_avgdl(c), 8.5, 1e-15);
    CHECK_INT(sim_corpus_df(c, "THE", 3), 4); /* the term is normalized like the documents */
    CHECK_INT(sim_corpus_df(c, "treaty", 6), 2);
    CHECK_INT(sim_corpus_df(c, "zzz", 3), 0);
    CHECK_INT(sim_corpus_df(c, "", 0), 0);
    CHECK_NEAR(sim_corpus_idf(c, "the", 3), 0.10536051565782635, 1e-15);
    CHECK_NEAR(sim_corpus_idf(c, "treaty", 6), 0.6931471805599453, 1e-15);
    CHECK_NEAR(sim_corpus_idf(c, "zzz", 3), 2.302585092994046, 1e-15);
    CHECK_NEAR(
        sim_bm25(c, "wrong treaty date", 17, docs[0], strlen(docs[0]), SIM_BM25_K1, SIM_BM25_B),
        3.028221157089347, 1e-12);
    /* repeated query terms count each time */
    CHECK_NEAR(sim_bm25(c, "treaty treaty", 13, docs[1], strlen(docs[1]), SIM_BM25_K1, SIM_BM25_B),
               1.3537182534173344, 1e-12);
    CHECK_NEAR(
        sim_bm25(c, "compile error in code", 21, docs[2], strlen(docs[2]), SIM_BM25_K1, SIM_BM25_B),
        3.700979414941645, 1e-12);
    CHECK_NEAR(sim_bm25(c, "unrelated words", 15, docs[2], strlen(docs[2]), 1.2, 0.75), 0, 0);
    CHECK_NEAR(sim_bm25(c, "response", 8, docs[0], strlen(docs[0]), 2.0, 0.5), 0.3498158104014491,
               1e-12);
    /* many distinct terms force the table to grow */
    char buf[32];
    for (int i = 0; i < 500; i++) {
        int n = snprintf(buf, sizeof buf, "term%d shared", i);
        sim_corpus_add(c, buf, (size_t)n);
    }
    CHECK_INT(sim_corpus_df(c, "term499", 7), 1);
    CHECK_INT(sim_corpus_df(c, "shared", 6), 500);
    CHECK_INT(sim_corpus_df(c, "treaty", 6), 2);
    sim_corpus_free(c);
    sim_corpus_free(NULL);
}
