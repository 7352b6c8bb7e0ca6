/* Judge-reply parser: every issue flag, every tolerant form, and a seeded mutation loop on
 * arbitrary bytes. Inputs are copied into heap blocks of exactly their length (no NUL), so ASan
 * catches any read past the given length. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "match/verdict.h"

/* Parses s (copied to an exact-size block) and keeps a copy of the text for span checks. */
typedef struct vt_run {
    verdict_result r;
    char *text;
    size_t len;
} vt_run;

static unsigned vt_parse(vt_run *v, const char *s, size_t max)
{
    v->len = strlen(s);
    v->text = malloc(v->len ? v->len : 1);
    memcpy(v->text, s, v->len);
    verdict_init(&v->r);
    return verdict_parse(v->text, v->len, max, &v->r);
}

static void vt_done(vt_run *v)
{
    verdict_free(&v->r);
    free(v->text);
}

/* 1 when reason k's text is exactly `want`. */
static int vt_reason_is(const vt_run *v, size_t k, const char *want)
{
    if (k >= v->r.n_reasons) return 0;
    verdict_span sp = v->r.reasons[k];
    return sp.end - sp.begin == strlen(want) && memcmp(v->text + sp.begin, want, strlen(want)) == 0;
}

#define CHECK_REASON(v, k, want)                                                                   \
    do {                                                                                           \
        if (!vt_reason_is(&(v), k, want)) {                                                        \
            if ((k) < (v).r.n_reasons)                                                             \
                check_fail(__FILE__, __LINE__, "reason %d is [%.*s], expected [%s]", (int)(k),     \
                           (int)((v).r.reasons[k].end - (v).r.reasons[k].begin),                   \
                           (v).text + (v).r.reasons[k].begin, want);                               \
            else                                                                                   \
                check_fail(__FILE__, __LINE__, "no reason %d (have %d), expected [%s]", (int)(k),  \
                           (int)(v).r.n_reasons, want);                                            \
        }                                                                                          \
    } while (0)

#define PAPER                                                                                      \
    "<RESULT_START>\nList of reasons:\n- Response A keeps to the 100-word limit.\n"                \
    "- Response B invents a detail the user never gave.\n"                                         \
    "Final assessment result: \\boxed{A>B}\n<RESULT_END>"

TEST(verdict_paper_layout)
{
    vt_run v;
    CHECK_INT(vt_parse(&v, PAPER, 0), 0);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_INT(v.r.n_found, 2);
    CHECK_REASON(v, 0, "Response A keeps to the 100-word limit.");
    CHECK_REASON(v, 1, "Response B invents a detail the user never gave.");
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    CHECK_INT(v.r.n_blocks, 1);
    CHECK_INT(v.r.region_begin, strlen("<RESULT_START>"));
    CHECK_INT(v.r.region_end, strstr(v.text, "<RESULT_END>") - v.text);
    CHECK(v.r.label_text.end - v.r.label_text.begin == 3 &&
          memcmp(v.text + v.r.label_text.begin, "A>B", 3) == 0);
    vt_done(&v);
    verdict_free(&v.r); /* idempotent */
}

TEST(verdict_analysis_and_think_before_the_block)
{
    vt_run v;
    /* a draft block and a different verdict inside <think> are never read */
    CHECK_INT(vt_parse(&v,
                       "<think>Draft:\n<RESULT_START>\nList of reasons:\n- draft\n"
                       "Final assessment result: \\boxed{B>>A}\n<RESULT_END>\n</think>\n"
                       "Some analysis first.\n" PAPER,
                       0),
              0);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    CHECK_INT(v.r.n_blocks, 1);
    vt_done(&v);
    /* </thinking> too, any case */
    CHECK_INT(vt_parse(&v, "<THINKING>\\boxed{B>A}</Thinking>" PAPER, 0), 0);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    vt_done(&v);
    /* an unclosed <think> hides nothing */
    CHECK_INT(vt_parse(&v, "<think> hmm\n" PAPER, 0), 0);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    vt_done(&v);
}

TEST(verdict_tags_any_case_and_separator)
{
    const char *forms[] = {"<result_start>\nList of reasons:\n- a\nFinal assessment result: "
                           "\\boxed{A>B}\n<result_end>",
                           "< Result-Start >\nList of reasons:\n- a\nFinal assessment result: "
                           "\\boxed{A>B}\n<RESULT END>",
                           "<RESULT\\_START>\nList of reasons:\n- a\nFinal assessment result: "
                           "\\boxed{A>B}\n<RESULT\\_END>"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        vt_run v;
        CHECK_INT(vt_parse(&v, forms[i], 0), 0);
        CHECK_INT(v.r.n_blocks, 1);
        CHECK_REASON(v, 0, "a");
        CHECK_INT(v.r.label, VERDICT_A_BETTER);
        vt_done(&v);
    }
}

TEST(verdict_last_complete_block_is_read)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- old\nFinal assessment result: "
                       "\\boxed{B>A}\n<RESULT_END>\nOn reflection:\n" PAPER,
                       0),
              VERDICT_MULTIPLE_BLOCKS);
    CHECK_INT(v.r.n_blocks, 2);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    CHECK_INT(v.r.n_reasons, 2);
    vt_done(&v);
    /* an extra opening tag after the last complete block is reported too */
    CHECK_INT(vt_parse(&v, PAPER "\n<RESULT_START>\nList of", 0), VERDICT_MULTIPLE_BLOCKS);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    vt_done(&v);
}

TEST(verdict_unterminated_block)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- a\n- b\nFinal assessment result: "
                       "\\boxed{B>A}",
                       0),
              VERDICT_UNTERMINATED);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_INT(v.r.label, VERDICT_B_BETTER);
    CHECK_INT(v.r.n_blocks, 0);
    vt_done(&v);
    /* cut off inside the list: reasons so far, no verdict */
    CHECK_INT(vt_parse(&v, "<RESULT_START>\nList of reasons:\n- a\n- b is cut o", 0),
              VERDICT_UNTERMINATED | VERDICT_NO_VERDICT);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_REASON(v, 1, "b is cut o");
    vt_done(&v);
    /* two opening tags and no end: the later one, and both flags */
    CHECK_INT(vt_parse(&v, "<RESULT_START>\n- x\n<RESULT_START>\nList of reasons:\n- a\n", 0),
              VERDICT_UNTERMINATED | VERDICT_MULTIPLE_BLOCKS | VERDICT_NO_VERDICT);
    CHECK_INT(v.r.n_reasons, 1);
    CHECK_REASON(v, 0, "a");
    vt_done(&v);
}

TEST(verdict_no_block_reads_the_whole_reply)
{
    vt_run v;
    CHECK_INT(
        vt_parse(&v, "List of reasons:\n- a\n- b\nFinal assessment result: \\boxed{B>>A}\n", 0),
        VERDICT_NO_BLOCK);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_INT(v.r.label, VERDICT_B_MUCH_BETTER);
    CHECK_INT(v.r.region_begin, 0);
    vt_done(&v);
    CHECK_INT(vt_parse(&v, "", 0),
              VERDICT_NO_BLOCK | VERDICT_NO_HEADING | VERDICT_NO_REASONS | VERDICT_NO_VERDICT);
    vt_done(&v);
    /* a NULL text is an empty one */
    verdict_result r;
    verdict_init(&r);
    CHECK_INT(verdict_parse(NULL, 5, 0, &r),
              VERDICT_NO_BLOCK | VERDICT_NO_HEADING | VERDICT_NO_REASONS | VERDICT_NO_VERDICT);
    verdict_free(&r);
}

TEST(verdict_heading_forms)
{
    const char *headings[] = {"List of reasons:",
                              "list of reasons",
                              "LIST OF REASONS :",
                              "**List of reasons:**",
                              "**List of Reasons**:",
                              "### List of reasons",
                              "List of reasons (most important first):",
                              "- List of reasons:"};
    for (size_t i = 0; i < sizeof headings / sizeof headings[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf,
                 "<RESULT_START>\n%s\n- first\n- second\nFinal assessment result: \\boxed{A=B}\n"
                 "<RESULT_END>",
                 headings[i]);
        vt_run v;
        unsigned is = vt_parse(&v, buf, 0);
        if (is != 0) check_fail(__FILE__, __LINE__, "heading [%s]: issues %u", headings[i], is);
        CHECK_INT(v.r.n_reasons, 2);
        CHECK_REASON(v, 0, "first");
        CHECK_INT(v.r.label, VERDICT_TIE);
        vt_done(&v);
    }
}

TEST(verdict_bullet_forms)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- dash\n* star\n\xE2\x80\xA2 bullet\n"
                       "1. one dot\n2) two paren\n10. ten\n+ plus\n-\ttabbed  \r\n"
                       "-\xC2\xA0nbsp after the dash\n"
                       "Final assessment result: \\boxed{A>B}\n<RESULT_END>",
                       0),
              0);
    CHECK_INT(v.r.n_reasons, 9);
    CHECK_REASON(v, 0, "dash");
    CHECK_REASON(v, 1, "star");
    CHECK_REASON(v, 2, "bullet");
    CHECK_REASON(v, 3, "one dot");
    CHECK_REASON(v, 4, "two paren");
    CHECK_REASON(v, 5, "ten");
    CHECK_REASON(v, 6, "plus");
    CHECK_REASON(v, 7, "tabbed");
    CHECK_REASON(v, 8, "nbsp after the dash");
    vt_done(&v);
    /* not bullets: bold text, a rule, a decimal, a four-digit year */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- real\n\n**bold**\n---\n1.5 points\n"
                       "2024. year\nFinal assessment result: \\boxed{A>B}\n<RESULT_END>",
                       0),
              VERDICT_UNLISTED_TEXT);
    CHECK_INT(v.r.n_reasons, 1);
    vt_done(&v);
}

TEST(verdict_continuation_lines_are_joined)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- first line\n  second line\n"
                       "third line\n- next\n  - nested point\n    deeper\n- last\n"
                       "Final assessment result: \\boxed{B>A}\n<RESULT_END>",
                       0),
              0);
    CHECK_INT(v.r.n_reasons, 3);
    CHECK_REASON(v, 0, "first line\n  second line\nthird line");
    CHECK_REASON(v, 1, "next\n  - nested point\n    deeper");
    CHECK_REASON(v, 2, "last");
    vt_done(&v);
    /* a blank line ends a reason; text after it belongs to none */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n\n- a\n\n- b\n\nA closing remark.\n"
                       "Final assessment result: \\boxed{B>A}\n<RESULT_END>",
                       0),
              VERDICT_UNLISTED_TEXT);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_REASON(v, 1, "b");
    vt_done(&v);
    /* a bullet with nothing on its line takes its text from the next line */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n-\n  text below\n"
                       "Final assessment result: \\boxed{B>A}\n<RESULT_END>",
                       0),
              0);
    CHECK_REASON(v, 0, "text below");
    vt_done(&v);
}

TEST(verdict_issue_no_heading)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\n- a\n- b\nFinal assessment result: \\boxed{A>B}\n"
                       "<RESULT_END>",
                       0),
              VERDICT_NO_HEADING);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    vt_done(&v);
    /* "a list of reasons" inside a sentence is no heading */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nHere is a list of reasons:\n- a\n"
                       "Final assessment result: \\boxed{A>B}\n<RESULT_END>",
                       0),
              VERDICT_NO_HEADING | VERDICT_UNLISTED_TEXT);
    CHECK_INT(v.r.n_reasons, 1);
    vt_done(&v);
}

TEST(verdict_issue_no_reasons_and_empty_reason)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\nFinal assessment result: "
                       "\\boxed{A>B}\n<RESULT_END>",
                       0),
              VERDICT_NO_REASONS);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    CHECK_INT(v.r.n_reasons, 0);
    vt_done(&v);
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- \n-\n- real\n"
                       "Final assessment result: \\boxed{A>B}\n<RESULT_END>",
                       0),
              VERDICT_EMPTY_REASON);
    CHECK_INT(v.r.n_reasons, 1);
    CHECK_REASON(v, 0, "real");
    vt_done(&v);
    /* reasons as paragraphs, not bullets */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\nA is shorter.\n"
                       "Final assessment result: \\boxed{A>B}\n<RESULT_END>",
                       0),
              VERDICT_NO_REASONS | VERDICT_UNLISTED_TEXT);
    vt_done(&v);
}

TEST(verdict_issue_reasons_outside_list)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\n- before\nList of reasons:\n- inside\n"
                       "Final assessment result: \\boxed{A>B}\n- after\n<RESULT_END>",
                       0),
              VERDICT_REASONS_OUTSIDE_LIST);
    CHECK_INT(v.r.n_reasons, 1);
    CHECK_REASON(v, 0, "inside");
    vt_done(&v);
    /* only the verdict after the list: nothing outside */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- inside\n"
                       "- Final assessment result: \\boxed{A>B}\n<RESULT_END>",
                       0),
              0);
    CHECK_INT(v.r.n_reasons, 1);
    vt_done(&v);
    /* verdict first, list after */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nFinal assessment result: \\boxed{B>A}\n"
                       "List of reasons:\n- a\n- b\n<RESULT_END>",
                       0),
              0);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_INT(v.r.label, VERDICT_B_BETTER);
    vt_done(&v);
}

TEST(verdict_issue_truncated)
{
    vt_run v;
    const char *t = "<RESULT_START>\nList of reasons:\n- a\n- b\n- c\n- d\n"
                    "Final assessment result: \\boxed{A>B}\n<RESULT_END>";
    CHECK_INT(vt_parse(&v, t, 3), VERDICT_TRUNCATED);
    CHECK_INT(v.r.n_reasons, 3);
    CHECK_INT(v.r.n_found, 4);
    CHECK_REASON(v, 2, "c");
    vt_done(&v);
    CHECK_INT(vt_parse(&v, t, 4), 0);
    vt_done(&v);
}

TEST(verdict_label_forms)
{
    static const struct {
        const char *text;
        verdict_label want;
    } cases[] = {
        {"A>>B", VERDICT_A_MUCH_BETTER},
        {"A>B", VERDICT_A_BETTER},
        {"A=B", VERDICT_TIE},
        {"B>A", VERDICT_B_BETTER},
        {"B>>A", VERDICT_B_MUCH_BETTER},
        {" A >> B ", VERDICT_A_MUCH_BETTER},
        {"A > > B", VERDICT_A_MUCH_BETTER},
        {"A = B", VERDICT_TIE},
        {"tie", VERDICT_TIE},
        {"Tie", VERDICT_TIE},
        {"TIE.", VERDICT_TIE},
        {"a>b", VERDICT_A_BETTER},
        {"A\xE2\x89\xAB"
         "B",
         VERDICT_A_MUCH_BETTER}, /* ≫ */
        {"B \xE2\x89\xAB A", VERDICT_B_MUCH_BETTER},
        {"A \\gg B", VERDICT_A_MUCH_BETTER},
        {"B \\gt A", VERDICT_B_BETTER},
        {"\\text{A>B}", VERDICT_A_BETTER},
        {"\\textbf{B>>A}", VERDICT_B_MUCH_BETTER},
        {"**A>B**", VERDICT_A_BETTER},
        {"`B>A`", VERDICT_B_BETTER},
        {"$A>B$", VERDICT_A_BETTER},
        {"A&gt;B", VERDICT_A_BETTER},
        {"A\xEF\xBC\x9E"
         "B",
         VERDICT_A_BETTER},                                    /* ＞ */
        {"\xEF\xBC\xA1\xEF\xBC\x9D\xEF\xBC\xA2", VERDICT_TIE}, /* Ａ＝Ｂ */
        {"A\xC2\xA0>\xC2\xA0"
         "B",
         VERDICT_A_BETTER},
        {"A>B.", VERDICT_A_BETTER},
        /* written the other way round */
        {"A<B", VERDICT_B_BETTER},
        {"a < b", VERDICT_B_BETTER},
        {"B<A", VERDICT_A_BETTER},
        {"A<<B", VERDICT_B_MUCH_BETTER},
        {"B \\ll A", VERDICT_A_MUCH_BETTER},
        {"A&lt;B", VERDICT_B_BETTER},
        {"B=A", VERDICT_TIE},
        /* not one of the five */
        {"", VERDICT_NONE},
        {"A", VERDICT_NONE},
        {"A>>>B", VERDICT_NONE},
        {"A<>B", VERDICT_NONE},
        {"A<=B", VERDICT_NONE},
        {"A>=B", VERDICT_NONE},
        {"A==B", VERDICT_NONE},
        {"C>A", VERDICT_NONE},
        {"Response A", VERDICT_NONE},
        {"A>B or B>A", VERDICT_NONE},
        {"draw", VERDICT_NONE},
        {"A>B A>B A>B A>B A>B", VERDICT_NONE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        verdict_label got = verdict_read_label(cases[i].text, strlen(cases[i].text));
        if (got != cases[i].want)
            check_fail(__FILE__, __LINE__, "label [%s]: got %d, expected %d", cases[i].text, got,
                       cases[i].want);
    }
    /* a NUL byte inside is not dropped */
    CHECK_INT(verdict_read_label("A\0>B", 4), VERDICT_NONE);
    CHECK_INT(verdict_read_label(NULL, 3), VERDICT_NONE);
}

TEST(verdict_boxed_forms)
{
    const char *lines[] = {
        "Final assessment result: \\boxed{A>B}",
        "Final assessment result: \\boxed{ A > B }",
        "**Final assessment result:** \\boxed{A>B}",
        "Final Assessment Result: **\\boxed{A>B}**",
        "Final assessment result: $\\boxed{A>B}$",
        "Final assessment result: \\boxed {A>B}",
        "Final assessment result: \\boxed{\\text{A>B}}",
        "final assessment result:\n\\boxed{A>B}",
        "\\boxed{A>B}",
        "Final verdict: \\boxed{a > b}",
        "The answer is \\boxed{A>B}.",
        "Final assessment result: \\boxed{A>B} (A is clearer)",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "<RESULT_START>\nList of reasons:\n- a\n%s\n<RESULT_END>",
                 lines[i]);
        vt_run v;
        unsigned is = vt_parse(&v, buf, 0);
        if (is != 0 || v.r.label != VERDICT_A_BETTER || v.r.n_reasons != 1)
            check_fail(__FILE__, __LINE__, "[%s]: issues %u, label %d, %d reasons", lines[i], is,
                       v.r.label, (int)v.r.n_reasons);
        vt_done(&v);
    }
}

TEST(verdict_issue_no_verdict)
{
    vt_run v;
    CHECK_INT(vt_parse(&v, "<RESULT_START>\nList of reasons:\n- a\n<RESULT_END>", 0),
              VERDICT_NO_VERDICT);
    CHECK_INT(v.r.label, VERDICT_NONE);
    CHECK_INT(v.r.n_reasons, 1);
    vt_done(&v);
    /* an anchor with nothing after it */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- a\nFinal assessment result:\n"
                       "<RESULT_END>",
                       0),
              VERDICT_NO_VERDICT);
    vt_done(&v);
    /* a verdict only inside <think> does not count */
    CHECK_INT(vt_parse(&v,
                       "<think>\\boxed{A>B}</think><RESULT_START>\nList of reasons:\n- a\n"
                       "<RESULT_END>",
                       0),
              VERDICT_NO_VERDICT);
    vt_done(&v);
}

TEST(verdict_issue_invalid_verdict)
{
    const char *lines[] = {"Final assessment result: \\boxed{A}",
                           "Final assessment result: \\boxed{A>>>B}",
                           "Final assessment result: \\boxed{}",
                           "Final assessment result: \\boxed{Response A is better}",
                           "Final assessment result: \\boxed{A>B",
                           "Final assessment result: Response A is better",
                           "\\boxed{C}"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "<RESULT_START>\nList of reasons:\n- a\n%s\n<RESULT_END>",
                 lines[i]);
        vt_run v;
        unsigned is = vt_parse(&v, buf, 0);
        if (is != VERDICT_INVALID_VERDICT || v.r.label != VERDICT_NONE)
            check_fail(__FILE__, __LINE__, "[%s]: issues %u, label %d", lines[i], is, v.r.label);
        CHECK_INT(v.r.n_reasons, 1);
        vt_done(&v);
    }
    /* a box longer than VERDICT_MAX_BOX is not read */
    char big[VERDICT_MAX_BOX + 200];
    int n = snprintf(big, sizeof big, "List of reasons:\n- a\nFinal assessment result: \\boxed{");
    memset(big + n, ' ', VERDICT_MAX_BOX + 10);
    strcpy(big + n + VERDICT_MAX_BOX + 10, "A>B}");
    vt_run v;
    CHECK_INT(vt_parse(&v, big, 0), VERDICT_NO_BLOCK | VERDICT_INVALID_VERDICT);
    vt_done(&v);
    /* a valid verdict next to an invalid box keeps its label, and both are reported */
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- a\nFinal assessment result: "
                       "\\boxed{A>B} \\boxed{?}\n<RESULT_END>",
                       0),
              VERDICT_INVALID_VERDICT);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    vt_done(&v);
}

TEST(verdict_a_box_inside_a_reason_is_part_of_it)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- Response B's final answer "
                       "\\boxed{42} is wrong.\nFinal assessment result: \\boxed{A>>B}\n"
                       "<RESULT_END>",
                       0),
              0);
    CHECK_INT(v.r.n_reasons, 1);
    CHECK_REASON(v, 0, "Response B's final answer \\boxed{42} is wrong.");
    CHECK_INT(v.r.label, VERDICT_A_MUCH_BETTER);
    vt_done(&v);
}

TEST(verdict_issue_conflicting_and_repeated)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- a\nFinal assessment result: "
                       "\\boxed{A>B}\nActually \\boxed{B>A}\n<RESULT_END>",
                       0),
              VERDICT_CONFLICTING_VERDICTS);
    CHECK_INT(v.r.label, VERDICT_NONE);
    CHECK_INT(v.r.label_text.begin, 0);
    vt_done(&v);
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- a\nFinal assessment result: "
                       "\\boxed{A>B}\nSo: \\boxed{ A > B }\n<RESULT_END>",
                       0),
              VERDICT_REPEATED_VERDICT);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    vt_done(&v);
    /* A>>B and A>B differ: strength is part of the verdict */
    CHECK_INT(vt_parse(&v, "List of reasons:\n- a\n\\boxed{A>B} \\boxed{A>>B}", 0),
              VERDICT_NO_BLOCK | VERDICT_CONFLICTING_VERDICTS);
    vt_done(&v);
}

TEST(verdict_issue_unboxed_verdict)
{
    const char *lines[] = {"Final assessment result: A>B", "Final assessment result: **A > B**",
                           "Final assessment result:\n\nA>B", "**Final verdict**: A>B.",
                           "Final assessment result\xEF\xBC\x9A A>B"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "<RESULT_START>\nList of reasons:\n- a\n%s\n<RESULT_END>",
                 lines[i]);
        vt_run v;
        unsigned is = vt_parse(&v, buf, 0);
        if (is != VERDICT_UNBOXED_VERDICT || v.r.label != VERDICT_A_BETTER)
            check_fail(__FILE__, __LINE__, "[%s]: issues %u, label %d", lines[i], is, v.r.label);
        vt_done(&v);
    }
}

TEST(verdict_issue_verdict_outside_block)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\nList of reasons:\n- a\n<RESULT_END>\n"
                       "Final assessment result: \\boxed{B>>A}",
                       0),
              VERDICT_VERDICT_OUTSIDE_BLOCK);
    CHECK_INT(v.r.label, VERDICT_B_MUCH_BETTER);
    vt_done(&v);
    /* boxes after the block that hold no label are not verdicts */
    CHECK_INT(vt_parse(&v, "<RESULT_START>\nList of reasons:\n- a\n<RESULT_END>\n\\boxed{42}", 0),
              VERDICT_NO_VERDICT);
    vt_done(&v);
    /* a verdict in the block wins over one after it */
    CHECK_INT(vt_parse(&v, PAPER "\n\\boxed{B>A}", 0), 0);
    CHECK_INT(v.r.label, VERDICT_A_BETTER);
    vt_done(&v);
}

TEST(verdict_crlf_and_markdown_list)
{
    vt_run v;
    CHECK_INT(vt_parse(&v,
                       "<RESULT_START>\r\n**List of reasons:**\r\n1. **Accuracy:** A is "
                       "right.\r\n2. B rambles.\r\n\r\n**Final assessment result:** "
                       "\\boxed{A>>B}\r\n<RESULT_END>\r\n",
                       0),
              0);
    CHECK_INT(v.r.n_reasons, 2);
    CHECK_REASON(v, 0, "**Accuracy:** A is right.");
    CHECK_REASON(v, 1, "B rambles.");
    CHECK_INT(v.r.label, VERDICT_A_MUCH_BETTER);
    vt_done(&v);
}

TEST(verdict_names_and_swap)
{
    CHECK_STR(verdict_label_name(VERDICT_A_MUCH_BETTER), "A>>B");
    CHECK_STR(verdict_label_name(VERDICT_A_BETTER), "A>B");
    CHECK_STR(verdict_label_name(VERDICT_TIE), "A=B");
    CHECK_STR(verdict_label_name(VERDICT_B_BETTER), "B>A");
    CHECK_STR(verdict_label_name(VERDICT_B_MUCH_BETTER), "B>>A");
    CHECK(verdict_label_name(VERDICT_NONE) == NULL);
    CHECK(verdict_label_name((verdict_label)9) == NULL);
    CHECK_INT(verdict_label_swap(VERDICT_A_MUCH_BETTER), VERDICT_B_MUCH_BETTER);
    CHECK_INT(verdict_label_swap(VERDICT_A_BETTER), VERDICT_B_BETTER);
    CHECK_INT(verdict_label_swap(VERDICT_TIE), VERDICT_TIE);
    CHECK_INT(verdict_label_swap(VERDICT_B_BETTER), VERDICT_A_BETTER);
    CHECK_INT(verdict_label_swap(VERDICT_B_MUCH_BETTER), VERDICT_A_MUCH_BETTER);
    CHECK_INT(verdict_label_swap(VERDICT_NONE), VERDICT_NONE);
    /* every flag has a distinct name, and nothing else has one */
    for (int i = 0; i < VERDICT_ISSUE_COUNT; i++) {
        const char *n = verdict_issue_name(1u << i);
        CHECK(n != NULL);
        for (int j = 0; n && j < i; j++)
            CHECK(strcmp(n, verdict_issue_name(1u << j)) != 0);
    }
    CHECK(verdict_issue_name(1u << VERDICT_ISSUE_COUNT) == NULL);
    CHECK(verdict_issue_name(3) == NULL);
    CHECK(verdict_issue_name(0) == NULL);
    CHECK_STR(verdict_issue_name(VERDICT_CONFLICTING_VERDICTS), "conflicting_verdicts");
}

/* ---- robustness on arbitrary bytes ---------------------------------------------------------- */

static int vt_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Checks every property of one parse of data[0..size) (an exact-size heap copy). */
static void vt_fuzz_one(const unsigned char *data, size_t size, size_t *n_labels, size_t *n_reasons)
{
    char *in = malloc(size ? size : 1);
    if (size) memcpy(in, data, size);
    verdict_result r, again, small;
    verdict_init(&r);
    verdict_init(&again);
    verdict_init(&small);
    unsigned is = verdict_parse(in, size, 0, &r);
    if (is != r.issues || (is >> VERDICT_ISSUE_COUNT) != 0)
        check_fail(__FILE__, __LINE__, "unknown issue bits %u", is);
    if (r.region_begin > r.region_end || r.region_end > size)
        check_fail(__FILE__, __LINE__, "region %zu..%zu of %zu", r.region_begin, r.region_end,
                   size);
    if (r.n_reasons > r.n_found || (r.n_found > r.n_reasons) != !!(is & VERDICT_TRUNCATED) ||
        (r.n_found == 0) != !!(is & VERDICT_NO_REASONS))
        check_fail(__FILE__, __LINE__, "counts %zu/%zu disagree with issues %u", r.n_reasons,
                   r.n_found, is);
    size_t prev_end = r.region_begin;
    for (size_t k = 0; k < r.n_reasons; k++) {
        verdict_span sp = r.reasons[k];
        if (sp.begin >= sp.end || sp.begin < prev_end || sp.end > r.region_end ||
            vt_is_space((unsigned char)in[sp.begin]) ||
            vt_is_space((unsigned char)in[sp.end - 1])) {
            check_fail(__FILE__, __LINE__, "reason %zu spans %zu..%zu (region %zu..%zu)", k,
                       sp.begin, sp.end, r.region_begin, r.region_end);
            break;
        }
        prev_end = sp.end;
    }
    if (r.label == VERDICT_NONE) {
        if (!(is & (VERDICT_NO_VERDICT | VERDICT_INVALID_VERDICT | VERDICT_CONFLICTING_VERDICTS)))
            check_fail(__FILE__, __LINE__, "no label and no reason why (issues %u)", is);
    } else {
        (*n_labels)++;
        if (!verdict_label_name(r.label) || r.label_text.begin >= r.label_text.end ||
            r.label_text.end > size ||
            verdict_read_label(in + r.label_text.begin, r.label_text.end - r.label_text.begin) !=
                r.label ||
            (is & (VERDICT_NO_VERDICT | VERDICT_CONFLICTING_VERDICTS)))
            check_fail(__FILE__, __LINE__, "label %d inconsistent (issues %u)", r.label, is);
    }
    *n_reasons += r.n_reasons;
    /* deterministic, and a smaller cap keeps a prefix of the same reasons */
    verdict_parse(in, size, 0, &again);
    if (again.issues != r.issues || again.label != r.label || again.n_reasons != r.n_reasons ||
        (r.n_reasons && memcmp(again.reasons, r.reasons, r.n_reasons * sizeof *r.reasons) != 0))
        check_fail(__FILE__, __LINE__, "a second parse differs");
    verdict_parse(in, size, 1, &small);
    if (small.n_found != r.n_found || small.label != r.label || small.n_reasons > 1 ||
        (r.n_reasons && (small.n_reasons != 1 || small.reasons[0].begin != r.reasons[0].begin ||
                         small.reasons[0].end != r.reasons[0].end)))
        check_fail(__FILE__, __LINE__, "max_reasons = 1 changed the parse");
    verdict_free(&r);
    verdict_free(&again);
    verdict_free(&small);
    free(in);
}

static uint64_t vt_next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Pieces of the grammar, inserted whole, so mutations reach deep states quickly. */
static const char *const vt_tokens[] = {
    "<RESULT_START>",
    "<RESULT_END>",
    "<result-start>",
    "</think>",
    "<think>",
    "List of reasons:",
    "\n- ",
    "\n* ",
    "\n\xE2\x80\xA2 ",
    "\n1. ",
    "\n2) ",
    "\n  - ",
    "\n\n",
    "\nFinal assessment result: ",
    "\\boxed{",
    "}",
    "A>B",
    "B>>A",
    "A = B",
    "tie",
    "\\gg",
    "\xE2\x89\xAB",
    "\xEF\xBC\x9E",
    "**",
    "\r\n",
    "\\text{",
    "\xC2\xA0",
    "\\",
};

static const char *const vt_seeds[] = {
    PAPER,
    "<think>x</think>Analysis\n<RESULT_START>\n**List of Reasons**\n1. a\n   b\n2) c\n\n"
    "**Final assessment result:** \\boxed{ B >> A }\n<RESULT_END>\n",
    "List of reasons\n- a\nFinal assessment result: A = B\n",
    "<RESULT_START>\n- x\nList of reasons:\n- y\nFinal verdict: \\boxed{A>B} \\boxed{B>A}\n- z\n",
    "<RESULT_START>\nList of reasons:\n-\n- a\n<RESULT_END>\n\\boxed{tie}",
    "<RESULT_START>\nList of reasons:\n- a\n- b\n- c\nFinal assessment result: \\boxed{A>B}\n"
    "\\boxed{A > B}\n<RESULT_END>",
};

TEST(verdict_fuzz_mutations_never_break_properties)
{
    uint64_t seed = 20250214;
    size_t nseeds = sizeof vt_seeds / sizeof vt_seeds[0];
    size_t ntok = sizeof vt_tokens / sizeof vt_tokens[0];
    size_t n_labels = 0, n_reasons = 0, n_runs = 0;
    unsigned all_issues = 0;
    unsigned char in[1024];
    for (int iter = 0; iter < 30000; iter++) {
        size_t n = 0;
        uint64_t r = vt_next(&seed);
        if (r % 8 == 0) { /* random tokens and bytes */
            int parts = (int)(vt_next(&seed) % 12);
            for (int k = 0; k < parts; k++) {
                uint64_t x = vt_next(&seed);
                if (x % 3 == 0) {
                    if (n < sizeof in) in[n++] = (unsigned char)(x >> 16);
                } else {
                    const char *t = vt_tokens[(x >> 8) % ntok];
                    size_t tl = strlen(t);
                    if (n + tl <= sizeof in) {
                        memcpy(in + n, t, tl);
                        n += tl;
                    }
                }
            }
        } else { /* a seed with a few mutations */
            const char *s = vt_seeds[r % nseeds];
            n = strlen(s);
            memcpy(in, s, n);
            int muts = 1 + (int)(vt_next(&seed) % 4);
            for (int m = 0; m < muts; m++) {
                uint64_t x = vt_next(&seed);
                size_t at = n ? (size_t)(x >> 8) % (n + 1) : 0;
                switch (x % 5) {
                case 0: /* overwrite a byte */
                    if (at < n) in[at] = (unsigned char)(x >> 40);
                    break;
                case 1: { /* insert a token */
                    const char *t = vt_tokens[(x >> 32) % ntok];
                    size_t tl = strlen(t);
                    if (n + tl <= sizeof in) {
                        memmove(in + at + tl, in + at, n - at);
                        memcpy(in + at, t, tl);
                        n += tl;
                    }
                    break;
                }
                case 2: { /* delete a run */
                    size_t k = 1 + (size_t)(x >> 48) % 8;
                    if (at + k > n) k = n - at;
                    memmove(in + at, in + at + k, n - at - k);
                    n -= k;
                    break;
                }
                case 3: /* truncate */
                    n = at;
                    break;
                default: /* a NUL or a newline */
                    if (at < n) in[at] = (x >> 40) & 1 ? 0 : '\n';
                }
            }
        }
        vt_fuzz_one(in, n, &n_labels, &n_reasons);
        n_runs++;
        verdict_result probe;
        verdict_init(&probe);
        all_issues |= verdict_parse((const char *)in, n, 2, &probe); /* 2: reach `truncated` */
        verdict_free(&probe);
    }
    /* The mix must reach both outcomes and every flag, or the loop proves little. */
    CHECK(n_labels > n_runs / 10);
    CHECK(n_labels < n_runs - n_runs / 10);
    CHECK(n_reasons > n_runs);
    CHECK_INT(all_issues, (1u << VERDICT_ISSUE_COUNT) - 1);
}
