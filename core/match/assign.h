/* assign: one-to-one matching of n rows (human rationales R) to m columns (model reasons S).
 *
 * Weights are row-major w[i*m + j]. A pair with weight <= 0 (or NaN/inf) is never matched: the
 * result is a maximum-weight *matching* (rows may stay unmatched, -1), which for non-negative
 * weights has the value of the classic rectangular assignment. All functions are deterministic.
 *
 * Tie-breaking (assign_hungarian): among all maximum-weight matchings, the one whose column weight
 * vector (weight matched to column 0, to column 1, …; 0 when unmatched) is lexicographically
 * largest — earlier model reasons get as much credit as possible — and, for equal vectors, the one
 * giving each column (in order) the earliest row. Weights within 1e-9 × max(1, max weight) of each
 * other can be treated as equal by the optimality test (floating point). */
#ifndef RATIO_ASSIGN_H
#define RATIO_ASSIGN_H

#include <stddef.h>

/* Maximum-weight matching in O(max(n,m)^3) time and O(max(n,m)^2) memory (Hungarian with
 * potentials on the square padding, then a tie-breaking pass).
 * row_to_col (n entries) and col_to_row (m entries) are each optional (NULL); unmatched is -1.
 * Returns the total weight of the matching. */
double assign_hungarian(const double *w, int n, int m, int *row_to_col, int *col_to_row);

/* Greedy matching: repeatedly takes the heaviest remaining pair (ties: earlier column, then earlier
 * row) whose row and column are both free. Returns the total weight. Same output conventions. */
double assign_greedy(const double *w, int n, int m, int *row_to_col, int *col_to_row);

/* 1 when the four thresholds are finite and ascending (t0 <= t1 <= t2 <= t3), else 0. */
int assign_thresholds_ok(const double thr[4]);

/* Maps a similarity to the MetaJudge scale: 0 below thr[0], 0.25 from thr[0], 0.5 from thr[1],
 * 0.75 from thr[2], 1 from thr[3] (each threshold inclusive). NaN maps to 0. */
double assign_to_scale(double sim, const double thr[4]);

#endif
