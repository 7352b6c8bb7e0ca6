/* cache: ratio's call cache and run log in one SQLite file (default .ratio/cache.sqlite).
 *
 * A finished LLM call is paid for once: its reply is stored under a key and every later identical
 * request is answered from here (and `--offline` answers only from here). The event loop must never
 * wait on the disk per call, so cache_put and cache_log only copy into memory; cache_flush writes
 * everything queued in ONE transaction and is meant to be called from a timer every few
 * milliseconds of completions (the Lua binding owns that timer). Until it is flushed a put is
 * still visible to cache_get, so a repeated request in the same batch is not paid twice.
 *
 * Durability: WAL + synchronous=NORMAL. A transaction that cache_flush reported as committed
 * survives a kill of the process (not necessarily a power cut); a killed process loses only rows
 * still pending in memory.
 *
 * KEYS NEVER CONTAIN SECRETS. A key is the SHA-256 hex (see util/sha256.h) of the canonical
 * request, built by the caller WITHOUT API keys or auth headers. The cache enforces the shape
 * (64 lowercase hex digits) so a raw request, which might carry a secret, can never become a key;
 * values and metadata must likewise hold no secrets (they are stored in clear).
 *
 * A cache_t is not thread-safe; use it from the loop thread only. */
#ifndef RATIO_CACHE_H
#define RATIO_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define CACHE_SCHEMA_VERSION 1 /* PRAGMA user_version this build reads and writes */
#define CACHE_KEY_LEN 64       /* a key is this many lowercase hex digits */

typedef struct cache cache_t;

/* What is stored next to a reply. On put, NULL strings and negative numbers mean "unknown" (stored
 * as NULL) and created_at 0 means "now". On get, the strings point into the cache and stay valid
 * until the next call on it; unknown strings come back NULL and unknown numbers as -1. */
typedef struct cache_entry_meta {
    const char *model;
    const char *provider;
    int64_t input_tokens;
    int64_t output_tokens;
    double latency_ms;
    double created_at; /* unix seconds */
} cache_entry_meta_t;

/* One row of the run log: what happened to one call of one run. */
typedef struct cache_log_entry {
    const char *run_id; /* required, non-empty */
    const char *key;    /* required, a valid key (the call it is about) */
    const char *status; /* "ok" | "failed" | "cached" */
    int attempts;       /* >= 0 */
    int http_status;    /* 0: no HTTP response (stored as NULL) */
    const char *error;  /* NULL when none */
    double latency_ms;  /* negative: unknown (NULL) */
    double at;          /* unix seconds; 0 means "now" */
} cache_log_entry_t;

typedef struct cache_stats {
    uint64_t hits, misses; /* cache_get outcomes since open */
    uint64_t puts, logs;   /* rows queued since open */
    uint64_t flushes;      /* cache_flush calls that committed at least one row */
    uint64_t flush_errors; /* cache_flush calls that failed (rows stayed queued) */
    uint64_t rows_written; /* rows committed since open */
    size_t pending;        /* rows queued now (same as cache_pending) */
    int64_t calls_on_disk; /* SELECT count(*) FROM calls, at the time of the call */
    int64_t log_on_disk;   /* SELECT count(*) FROM call_log */
} cache_stats_t;

/* Opens (creating it and its missing parent directories unless readonly) the cache at `path`.
 * Returns NULL with a message naming the path in err (may be NULL) on any failure. */
cache_t *cache_open(const char *path, int readonly, char *err, size_t errlen);

/* Flushes what is pending (waiting up to 5 s on a busy lock: shutdown may block), then closes.
 * Returns 0, or -1 with a message in err when pending rows could not be written (they are lost).
 * NULL is a no-op. */
int cache_close(cache_t *c, char *err, size_t errlen);

/* Looks key up, pending puts first. 1: hit (value replaced with the reply, meta filled; either may
 * be NULL); 0: miss; -1: error (cache_errmsg). */
int cache_get(cache_t *c, const char *key, buf_t *value, cache_entry_meta_t *meta);

/* Copies the reply and meta (may be NULL) into the pending batch; no I/O. A second put of the same
 * key before a flush replaces the first. 0, or -1 on a bad key or a read-only cache. */
int cache_put(cache_t *c, const char *key, const char *value, size_t len,
              const cache_entry_meta_t *meta);

/* Copies a run-log row into the pending batch; no I/O. 0, or -1 on an invalid row. */
int cache_log(cache_t *c, const cache_log_entry_t *entry);

/* Writes every pending put and log row in one transaction. Returns the number of rows written
 * (0 if none), or -1 (cache_errmsg) with every row still pending, so a later flush can retry. */
int cache_flush(cache_t *c);

/* Rows (puts + log rows) waiting for the next flush. */
size_t cache_pending(const cache_t *c);

/* Fills *st; the on-disk counts run a query now. 0, or -1 (cache_errmsg; counters still filled). */
int cache_stats(cache_t *c, cache_stats_t *st);

/* How long a call waits on another process's lock before failing (in WAL only writers wait).
 * Default 250 ms, short because the caller is an event loop; a busy flush keeps its rows. */
void cache_busy_timeout(cache_t *c, int ms);

/* The message of the last failed call on c (never NULL; "" if none yet). */
const char *cache_errmsg(const cache_t *c);

/* 1 if key is exactly CACHE_KEY_LEN lowercase hex digits, else 0. */
int cache_key_valid(const char *key);

#endif
