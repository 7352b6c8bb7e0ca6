/* similarity: text and vector similarities for matchers that need no LLM (lexical, embedding).
 *
 * Tokenization (UTF-8 safe; input is (pointer, length), never read past the length):
 *  - ASCII letters and digits are word characters, lowercased; every other ASCII byte separates.
 *  - A valid multibyte UTF-8 character is a word character (so CJK and accented words survive),
 *    except Unicode spaces, punctuation and symbols (U+0080–U+00BF but ª µ º ² ³ ¹ ¼ ½ ¾, × ÷,
 *    U+2000–U+206F, U+2E00–U+2E7F, U+3000–U+303F but 々〆〇, U+30FB, U+FE10–U+FE1F,
 *    U+FE30–U+FE6F, U+FEFF, U+FF5F–U+FF65), which separate like their ASCII counterparts.
 *  - Full-width ASCII forms U+FF01–U+FF5E are read as the ASCII character (ＡＢＣ１ = abc1).
 *  - Simple lowercasing beyond ASCII: Latin-1, Latin Extended-A (but İ), modern Greek
 *    (U+0386–U+03AB) and basic Cyrillic (U+0400–U+042F) capitals, as Python's str.lower().
 *  - Invalid UTF-8 bytes are separators.
 *  - With SIM_TOK_SPLIT_CJK, each CJK ideograph, kana or Hangul syllable is a token of its own
 *    (unsegmented Chinese/Japanese text otherwise forms one token per run).
 */
#ifndef RATIO_SIMILARITY_H
#define RATIO_SIMILARITY_H

#include <stddef.h>

#define SIM_TOK_SPLIT_CJK 1u

typedef struct sim_token {
    size_t off, len; /* bytes within sim_tokens.text */
} sim_token;

typedef struct sim_tokens {
    char *text;     /* normalized (lowercased) token bytes, NUL-separated */
    sim_token *tok; /* tokens in order of appearance */
    size_t n;
    size_t text_cap, tok_cap;
} sim_tokens;

/* A zeroed sim_tokens is also valid. */
void sim_tokens_init(sim_tokens *t);
void sim_tokens_free(sim_tokens *t);

/* Tokenizes s[0..len) into t (earlier contents replaced). */
void sim_tokenize(const char *s, size_t len, unsigned flags, sim_tokens *t);

/* Jaccard index |A ∩ B| / |A ∪ B| of the two token SETS; 0 when both are empty. */
double sim_jaccard_tokens(const sim_tokens *a, const sim_tokens *b);
double sim_jaccard(const char *a, size_t alen, const char *b, size_t blen, unsigned flags);

/* Cosine of the character 3-gram count vectors, over code points. Each text is normalized first:
 * its tokens joined by one space, with one space before and after (" café noir "), so 3-grams
 * see word boundaries. 0 when either text has no token. */
double sim_char3_cosine(const char *a, size_t alen, const char *b, size_t blen);

/* Cosine similarity of every row of a (na × dim) with every row of b (nb × dim), float32 inputs
 * accumulated in double; out[i*nb + j]. A zero vector gives 0 against everything. */
void sim_cosine_matrix(const float *a, size_t na, const float *b, size_t nb, size_t dim,
                       double *out);

/* BM25 over a corpus the caller fills: document frequencies and average length come from the
 * corpus; idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)) (never negative, as in Lucene). */
typedef struct sim_corpus sim_corpus;

#define SIM_BM25_K1 1.2
#define SIM_BM25_B 0.75

sim_corpus *sim_corpus_new(unsigned tok_flags);
void sim_corpus_free(sim_corpus *c);
/* Adds one document (its token set raises each term's document frequency by one). */
void sim_corpus_add(sim_corpus *c, const char *doc, size_t len);
size_t sim_corpus_docs(const sim_corpus *c);
double sim_corpus_avgdl(const sim_corpus *c); /* mean tokens per document; 0 when empty */
/* Document frequency of a term, given as text (it is tokenized; the first token is used). */
size_t sim_corpus_df(const sim_corpus *c, const char *term, size_t len);
double sim_corpus_idf(const sim_corpus *c, const char *term, size_t len);

/* BM25 score of doc for query: Σ over query tokens (repeats count) of
 *   idf(t) · tf(t,d)·(k1+1) / (tf(t,d) + k1·(1 − b + b·|d|/avgdl)).
 * With an empty corpus avgdl is taken as |d| (no length normalization) and idf(t) = ln 2. */
double sim_bm25(const sim_corpus *c, const char *query, size_t qlen, const char *doc, size_t dlen,
                double k1, double b);

#endif
