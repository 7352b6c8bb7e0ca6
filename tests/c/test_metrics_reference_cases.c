/* The reference mode against the published script itself, on 60 generated MetaJudge replies full
 * of the quirks real replies have (unicode digits, "1.5.3", two blocks, one-space rule, R0, S > 5,
 * wrong line counts, lists longer than 10, missing samples, …).
 *
 * How the expected values were made: a generator (random replies, random |R_h| 0..7 and model list
 * 0..12) ran each item through extract_result_scores() / calculate_metrics() of
 * metajudge_analysis.py (QwenLM/RationaleRM; the metric code is identical at HEAD and at c0803ac,
 * whose copy imports — HEAD has an IndentationError in analyze_directory) under Python 3.11 with
 * numpy.mean/std replaced by exact pure-Python equivalents; the summary row is that script's
 * analyze_single_file() on exactly these 60 items. The same generator checked 80,000 further items
 * against this code with no mismatch (not committed). */
#include <stdlib.h>

#include "check.h"
#include "metrics/checklist.h"

typedef struct clref_case {
    int n_human, n_model, no_samples;
    const char *status;
    double precision, recall, f1, ap;
    const char *reply;
} clref_case;

static const clref_case clref_cases[] = {
    {3, 8, 0, "valid", 0.02, 0.03333333333333333, 0.025, 0.03333333333333333,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R2@S8: 1.\n"
     "- R2@S10: 00.5\n"
     "- R3@S1: 0.1e3\n"
     "<RESULT_END>\n"
     ""},
    {5, 2, 0, "valid", 0.375, 0.15, 0.21428571428571425, 0.075,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S04: 0.00 (reason)\n"
     "- R5@S\357\274\220: 0.00\n"
     "- R3@S0: 1 (reason)\n"
     "- R4@S2: 0.75\n"
     "- R\357\274\225@S1: 0.00abc\n"
     "<RESULT_END>\n"
     ""},
    {5, 7, 0, "valid", 0.1, 0.1, 0.10000000000000002, 0.03333333333333333,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S9: 0.5 (reason)\n"
     "- R2@S2: 0.00\n"
     "- R3@S4: 0.5  // note\n"
     "- R4@S3: 0  // note\n"
     "- R5@S0: \357\274\221\n"
     "<RESULT_END>\n"
     ""},
    {6, 7, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S00\357\274\2320,5abc\n"
     "- R2@S0: 1\n"
     "- R3@S1: \331\240.\331\247\331\245  // note\n"
     "- R4@S7:  0  // note\n"
     "-- R8@S2: 0.75 (reason)\n"
     "* R6@S0: 0.3\n"
     "<RESULT_END>\n"
     ""},
    {3, 12, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S5: 1\n"
     "- R2@S2: 1abc\n"
     "- R3@S13: 0.75\n"
     "<RESULT_END>\n"
     ""},
    {6, 2, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S2: 0 (reason) - R2@S0: 0.250abc - R3@S3: 0.00 - R4@S1:  0.75 - R5@S3: 0.00 - R6@S4: "
     "0.75abc\n"
     "<RESULT_END>\n"
     ""},
    {6, 9, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S1: 0.75abc\n"
     "- R2@S11: 1.0abc\n"
     "- R3@S0: 0.00 (reason)\n"
     "- R4@S10: 0.25abc\n"
     "- R5@S\357\274\223: 1\n"
     "- R6@S8:  0.25 (reason)\n"
     "<RESULT_END>\n"
     ""},
    {1, 1, 0, "valid", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 0.75\n"
     "<RESULT_END>\n"
     ""},
    {3, 6, 0, "valid", 0.2, 0.3333333333333333, 0.25, 0.3333333333333333,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "-- R1@S8: 0.00\n"
     "- R2@S5: 1.0\n"
     "- R3@S6: 0.25\n"
     "<RESULT_END>\n"
     ""},
    {4, 3, 1, "error", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 1.0\n"
     "- R2@S04: 1\n"
     "- R3@S2: 0.00\n"
     "- R4@S1: 0.75\n"
     "<RESULT_END>\n"
     ""},
    {2, 11, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "-  R1@S11: 1 (reason)\n"
     "- R2@S6: 0  // note\n"
     "<RESULT_END>\n"
     ""},
    {3, 5, 0, "valid", 0.2, 0.3333333333333333, 0.25, 0.3333333333333333,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 1.0  // note\n"
     "-- R2@S2: 1\n"
     "- R3@S7: 1abc\n"
     "<RESULT_END>\n"
     ""},
    {7, 4, 0, "valid", 0.3125, 0.25, 0.2777777777777778, 0.27380952380952384,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S6: 0.75\n"
     "- R8@S2: 0\n"
     "- R3@S2: 0.5\n"
     "- R4@S0: 1.00\n"
     "- R5@S3: 0\n"
     "- R4@S2: 1.0\n"
     "- R7@S4: 0.25abc\n"
     "<RESULT_END>\n"
     ""},
    {4, 4, 0, "valid", 0.25, 0.25, 0.25, 0.25,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "-- R1@S0: 1  // note\n"
     "x- R2@S0: 0.5 (reason)\n"
     "- R3@S3: 1 (reason)\n"
     "- R4@S5: 1  // note\n"
     "<RESULT_END>\n"
     ""},
    {4, 6, 0, "valid", 0.2, 0.25, 0.22222222222222224, 0.375,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S6: 0.5 (reason)\n"
     "- R3@S0: 0abc\n"
     "- R3@S2: 0.00\n"
     "- R4@S1: 1.0  // note\n"
     "<RESULT_END>\n"
     ""},
    {4, 8, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S1: .5\n"
     "- R2@S10: 1.abc\n"
     "<RESULT_END>\n"
     ""},
    {2, 8, 0, "valid", 0.1, 0.25, 0.14285714285714288, 0.125,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S2: 0.5  // note\n"
     "- R2@S1: 0.00\n"
     "<RESULT_END>\n"
     ""},
    {7, 2, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R01@S1: 0 - R10@S3: 2 - R3@S2: 1 - R4@S1:  1  // note - R5@S3: 1 - R6@S0:0.5 (reason) - "
     "R7@S2: 0.00 (reason)\n"
     "<RESULT_END>\n"
     ""},
    {6, 1, 0, "valid", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "- R1@S0: 1.\n"
     "- R9@S0: 0.00\n"
     "- R3@S3: 0.25abc\n"
     "x- R04@S0: 0  // note\n"
     "- R0@S0: 1\n"
     "- R6@S2: 1\n"
     "<RESULT_END>\n"
     "again\n"
     "<RESULT_START>\n"
     "- R1@S1: 0.75\n"
     "- R2@S0: 1\n"
     "- R3@S1: 0.25\n"
     "- R4@S0: 1.0\n"
     "- R5@S1: 0.75  // note\n"
     "- R6@S0: 0.5abc\n"
     "<RESULT_END>"},
    {0, 6, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     ""},
    {3, 2, 0, "valid", 0.25, 0.25, 0.25, 0.16666666666666666,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S1: 0.25\n"
     "- R2@S1: 0.5  // note\n"
     "- R03@S0: 1.0 (reason)\n"
     "<RESULT_END>\n"
     ""},
    {6, 1, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "- R1@S3: 0.5abc - R2@S1: 0.5 - R0@S0:0.25 (reason) - R4@S0: 0.00 - R5@S3: 1.0 - R6@S0: 0.75"},
    {6, 6, 0, "valid", 0.25, 0.25, 0.25, 0.14583333333333334,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S4: 1 (reason)\n"
     "- R2@S0: 1.0\n"
     "- R3@S1: 0.250\n"
     "- R4@S0: 0.75.1\n"
     "- R5@S1: 0.25\n"
     "- R6@S7: 0.75 (reason)\n"
     "<RESULT_END>\n"
     ""},
    {0, 11, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores:\n"
     "<RESULT_END>"},
    {4, 1, 0, "valid", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 1.0\n"
     "- R0@S3: 0\n"
     "- R6@S2: 0.25  // note\n"
     "- R4@S2: 0.00\n"
     "<RESULT_END>\n"
     ""},
    {3, 7, 0, "valid", 0.05, 0.08333333333333333, 0.0625, 0.08333333333333333,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S7: 1.0000000000000000001\n"
     "-- R2@S\357\274\220: 1 (reason)\n"
     "- R3@S05: 0.25abc\n"
     "<RESULT_END>\n"
     ""},
    {5, 6, 0, "valid", 0.15, 0.15, 0.15, 0.075,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R6@S6: 0.5\n"
     "- R2@S3: 0.00  // note\n"
     "- R3@S6: 0.75  // note\n"
     "- R4@S5: 0.75 (reason)\n"
     "- R5@S7: 0.5\n"
     "<RESULT_END>\n"
     ""},
    {7, 7, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S5:  0.00\n"
     "- R2@S8: 0.75.1 (reason)\n"
     "- R3@S04: 0.25\n"
     "- R\357\274\224@S03: 0  // note\n"
     "- R5@S8: 0.75\n"
     "- R06@S8: 1abc\n"
     "<RESULT_END>\n"
     ""},
    {1, 12, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S2: 1.  // note\n"
     "<RESULT_END>\n"
     ""},
    {2, 2, 0, "valid", 0.5, 0.5, 0.5, 0.5,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 0.75  // note\n"
     "- R2@S1: 1.0\n"
     "<RESULT_END>\n"
     ""},
    {3, 12, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S4: 0\n"
     "- R2@S0:  0.75\n"
     "- R3@S13: 0.75\n"
     "<RESULT_END>\n"
     ""},
    {4, 8, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- r1@S5: 0.5\n"
     "* R2@S8: .5\n"
     "<RESULT_END>\n"
     ""},
    {6, 3, 0, "valid", 0.3333333333333333, 0.16666666666666666, 0.2222222222222222,
     0.16666666666666666,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S5: 0.5  // note\n"
     "- R2@S5: 0.5  // note\n"
     "- R03@S0: \357\274\220.\357\274\225 (reason)\n"
     "- R\357\274\224@S3: 1\n"
     "- R5@S5: 1.0  // note\n"
     "- R6@S0: 0.75\n"
     "<RESULT_END>\n"
     ""},
    {5, 8, 0, "valid", 0.1, 0.1, 0.10000000000000002, 0.1,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R8@S8: 1 - R2@S\357\274\223: 0.25 - R8@S7: 1 (reason) - R4@S8: \357\274\221 (reason) - "
     "R5@S5: 0.25\n"
     "<RESULT_END>\n"
     ""},
    {7, 10, 0, "valid", 0.35, 0.25, 0.2916666666666667, 0.23214285714285715,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R01@S1: 0.75 - R2@S6: 0.250 (reason) - R\357\274\223@S11: 0.25abc - R4@S0: 0.75 - R5@S9: "
     "0.00 (reason) - R6@S5: 1.0  // note - R7@S0: 1.0\n"
     "<RESULT_END>\n"
     ""},
    {2, 1, 0, "valid", 0.75, 0.375, 0.5, 0.375,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S1: 0.75\n"
     "- R2@S1: 0.00\n"
     "<RESULT_END>\n"
     ""},
    {4, 5, 0, "valid", 0.2, 0.25, 0.22222222222222224, 0.25,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S1: 0.5\n"
     "- R4@S6: 00.5 (reason)\n"
     "- R3@S3: 0.5\n"
     "- R4@S7: 0.5\n"
     "<RESULT_END>\n"
     ""},
    {3, 9, 0, "valid", 0.2, 0.3333333333333333, 0.25, 0.3333333333333333,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S6: 0\n"
     "- R2@S5: 1.0  // note\n"
     "- R3@S9: 1.0  // note\n"
     "<RESULT_END>\n"
     ""},
    {6, 6, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 0.25  // note * R2@S3: 0.5 - R3@S05: 1.5 - R4@S1: 1.0 - R5@S0: 2 - R6@S5: 0\n"
     "<RESULT_END>\n"
     ""},
    {7, 7, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "- R1@S04: .5abc\n"
     "- R2@S6: 0.5\n"
     "- R3@S8: 0.75 (reason)\n"
     "- R4@S2: 0.1e3\n"
     "- R0@S2: 0.75abc\n"
     "- r6@S4: 0.75abc\n"
     "<RESULT_END>\n"
     "again\n"
     "<RESULT_START>\n"
     "- R1@S6: 0.75\n"
     "- R2@S6: 1.0\n"
     "- R3@S2: 0.00 (reason)\n"
     "- R4@S2: 1.0000000000000000001\n"
     "- r5@S6: 1abc\n"
     "- R6@S6: 1.\n"
     "- R7@S1: 0.00  // note\n"
     "<RESULT_END>"},
    {7, 4, 0, "valid", 0.5, 0.32857142857142857, 0.39655172413793105, 0.2857142857142857,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R0@S3: 1.0  // note\n"
     "- R2@S4: 1.0\n"
     "- R3@S04: 0\n"
     "- R4@S5: 0.25abc\n"
     "- R5@S3: 0.3\n"
     "- R010@S3: 0.5\n"
     "- R7@S5: 0.00 (reason)\n"
     "<RESULT_END>\n"
     ""},
    {7, 11, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S7: -0.5\n"
     "- R2@S3: 0.25\n"
     "- R3@S5: 0.5  // note\n"
     "- R4@S9:0.25abc\n"
     "- R5@S7: 0.25  // note\n"
     "- R6@S8: 1 (reason)\n"
     "- R7@S12: 0.75abc\n"
     "<RESULT_END>\n"
     ""},
    {7, 6, 0, "valid", 0.5, 0.5357142857142857, 0.5172413793103449, 0.3869047619047619,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S3: 0.75.1  // note\n"
     "- R2@S2: 0.5 (reason)\n"
     "- R3@S3: 0.75\n"
     "-- R4@S0: 0.00\n"
     "- R5@S2: 1.0\n"
     "- R6@S7: 0\n"
     "- R0@S4: 0.75abc\n"
     "<RESULT_END>\n"
     ""},
    {7, 1, 0, "valid", 1.0, 0.17857142857142858, 0.30303030303030304, 0.14285714285714285,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 0.25\n"
     "- R2@S0: 0.75  // note\n"
     "- R3@S0: 1\n"
     "- R4@S3: 0\n"
     "- R5@S0: 0\n"
     "- R06@S1: 1.0\n"
     "- R7@S1: 0.25abc\n"
     "<RESULT_END>\n"
     ""},
    {2, 3, 0, "valid", 0.3333333333333333, 0.5, 0.4, 0.25,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S2: 0\n"
     "- R2@S3: 1\n"
     "<RESULT_END>\n"
     ""},
    {5, 1, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "-  R1@S00: 0\n"
     "- R2@S2: 0.75\n"
     "- R3@S3: 0.5\n"
     "- R4@S1: 0.5\n"
     "- R6@S1: 0.75\n"
     "<RESULT_END>\n"
     ""},
    {4, 12, 1, "error", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S3: 0.5\n"
     "- R2@S7: 1  // note\n"
     "- R3@S4: 1.0\n"
     "- R4@S14: 0.00abc\n"
     "<RESULT_END>\n"
     ""},
    {5, 10, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "- R1@S12: 0.25abc\n"
     "- R2@S11: 1 (reason)\n"
     "-- R3@S3: \331\240.\331\247\331\245  // note\n"
     "- R4@S4: 0.75\n"
     "- R5@S2: 0.1e3abc"},
    {7, 12, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "-  R1@S10: 0  // note\n"
     "- R2@S0: 1 (reason)\n"
     "- R3@S1: 0.75\n"
     "- R4@S5: 0.00  // note\n"
     "- R5@S12: 1.0\n"
     "- R9@S0: \357\274\221  // note\n"
     "- R7@S9: 1.\n"
     "<RESULT_END>\n"
     ""},
    {6, 4, 0, "valid", 0.5, 0.3333333333333333, 0.4, 0.3333333333333333,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 0.25\n"
     "- R2@S1: 1.0abc\n"
     "- R6@S1: 1\n"
     "- R4@S2: 0 (reason)\n"
     "x- R5@S2: 0abc\n"
     "- R6@S2: 1\n"
     "<RESULT_END>\n"
     ""},
    {4, 7, 0, "valid", 0.45, 0.5625, 0.5, 0.46875,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S4: 0.75\n"
     "- R0@S2: 0.5\n"
     "- R3@S05: 1.0\n"
     "- R4@S9: 1.0abc\n"
     "<RESULT_END>\n"
     ""},
    {4, 6, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R\357\274\221@S0: 0.75\n"
     "- R2@S1: 0.25 (reason)\n"
     "- R0@S8: 0.5 (reason)\n"
     "- R4@S3: 1.00000001abc\n"
     "<RESULT_END>\n"
     ""},
    {5, 1, 0, "valid", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S3: 1.0abc\n"
     "- R2@S0: 1.0\n"
     "- R3@S3: 0.25\n"
     "- R5@S1: 0  // note\n"
     "- R5@S3: 1.0  // note\n"
     "<RESULT_END>\n"
     ""},
    {1, 0, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S0: 0abc\n"
     "<RESULT_END>\n"
     ""},
    {7, 12, 0, "skipped", 0.0, 0.0, 0.0, 0.0,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "x- R1@S011: 0.75\n"
     "- R2@S9\357\274\2321.0abc\n"
     "- R3@S4: 0.25 (reason)\n"
     "- R4@S14: 1.0  // note\n"
     "- R5@S13: 0.00abc\n"
     "- R0@S1: 0.25abc\n"
     "- R7@S9: 0.25\n"
     "<RESULT_END>\n"
     ""},
    {7, 3, 0, "valid", 0.3333333333333333, 0.14285714285714285, 0.2, 0.14285714285714285,
     "thinking...\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R4@S0: 0\n"
     "- R2@S01: 0.5abc\n"
     "- R3@S1: 0 (reason)\n"
     "- R4@S0: 1  // note\n"
     "- R5@S2: \357\274\220.\357\274\225\n"
     "- R6@S4: 0.75 (reason)\n"
     "- R7@S0: 1.00\n"
     "<RESULT_END>\n"
     ""},
    {7, 6, 0, "valid", 0.45, 0.32142857142857145, 0.375, 0.23214285714285715,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S5: 1.0  // note\n"
     "- R2@S3: 1abc\n"
     "- R8@S6: \331\240.\331\247\331\245abc\n"
     "- R4@S6: 0.5abc\n"
     "- R5@S07: 0,5abc\n"
     "x- R6@S8: 1.0\n"
     "- R0@S2: 0.25  // note\n"
     "<RESULT_END>\n"
     ""},
    {1, 3, 0, "valid", 0.08333333333333333, 0.25, 0.125, 0.25,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S2: 0.25 (reason)\n"
     "<RESULT_END>\n"
     ""},
    {2, 4, 0, "valid", 0.1875, 0.375, 0.25, 0.5625,
     "<think>x</think>\n"
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "- R1@S1: 0.75  // note\n"
     "- R2@S4: 0abc\n"
     "<RESULT_END>\n"
     ""},
    {0, 10, 0, "error", 0.0, 0.0, 0.0, 0.0,
     "<RESULT_START>\n"
     "Scores corresponding to claims:\n"
     "\n"
     "<RESULT_END>\n"
     ""},
};

/* total, valid, error, precision, recall, f1, average_precision, precision_std, recall_std */
static const struct {
    size_t total, valid, error;
    double p, r, f1, ap, p_std, r_std;
} clref_summary = {60,
                   34,
                   18,
                   0.271421568627451,
                   0.2407738095238095,
                   0.23522286396272196,
                   0.21515231092436976,
                   0.21974895895005034,
                   0.15194293842628898};

TEST(clref_published_script_cases)
{
    size_t n = sizeof clref_cases / sizeof clref_cases[0];
    checklist_summary sum;
    checklist_summary_init(&sum);
    scoreblock_result r;
    scoreblock_init(&r);
    for (size_t k = 0; k < n; k++) {
        const clref_case *c = &clref_cases[k];
        size_t len = strlen(c->reply);
        char *heap = malloc(len ? len : 1); /* exact size, no NUL */
        memcpy(heap, c->reply, len);
        scoreblock_parse(heap, len, SCOREBLOCK_REFERENCE, 0, &r);
        free(heap);
        checklist_item it;
        checklist_reference(c->no_samples ? NULL : &r, c->n_human, c->n_model, NULL, &it);
        checklist_summary_add(&sum, &it);
        int ok = strcmp(checklist_status_name(it.status), c->status) == 0 &&
                 fabs(it.precision - c->precision) <= 1e-12 &&
                 fabs(it.recall - c->recall) <= 1e-12 && fabs(it.f1 - c->f1) <= 1e-12 &&
                 fabs(it.ap - c->ap) <= 1e-12;
        if (!ok)
            check_fail(__FILE__, __LINE__,
                       "case %zu: expected %s %g %g %g %g, got %s (%s) %g %g %g %g", k, c->status,
                       c->precision, c->recall, c->f1, c->ap, checklist_status_name(it.status),
                       checklist_reason_name(it.reason), it.precision, it.recall, it.f1, it.ap);
    }
    scoreblock_free(&r);
    checklist_totals t;
    checklist_summary_totals(&sum, &t);
    CHECK_INT(t.n_total, clref_summary.total);
    CHECK_INT(t.n_valid, clref_summary.valid);
    CHECK_INT(t.n_error, clref_summary.error);
    CHECK_NEAR(t.precision, clref_summary.p, 1e-12);
    CHECK_NEAR(t.recall, clref_summary.r, 1e-12);
    CHECK_NEAR(t.f1, clref_summary.f1, 1e-12);
    CHECK_NEAR(t.ap, clref_summary.ap, 1e-12);
    CHECK_NEAR(t.precision_std, clref_summary.p_std, 1e-12);
    CHECK_NEAR(t.recall_std, clref_summary.r_std, 1e-12);
}
