#define _POSIX_C_SOURCE 200809L

#include "cache.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define CACHE_APPLICATION_ID 0x52544f31 /* "RTO1" in the header: marks a file as ratio's cache */
#define CACHE_BUSY_MS_DEFAULT 250       /* see cache_busy_timeout */
#define CACHE_BUSY_MS_CLOSE 5000    /* at shutdown a short wait is no longer worth losing rows */
#define CACHE_ARENA_KEEP (4u << 20) /* keep up to this much arena between batches */
#define CACHE_NONE ((size_t)-1)     /* arena offset standing for a NULL string */

/* A pending put. Strings live in the arena and are referred to by offset, because the arena moves
 * when it grows; CACHE_NONE means NULL. */
struct cache_put_row {
    size_t key, value, value_len, model, provider;
    int64_t input_tokens, output_tokens;
    double latency_ms, created_at;
};

struct cache_log_row {
    size_t run_id, key, status, error;
    int attempts, http_status;
    double latency_ms, at;
};

enum {
    CACHE_ST_GET,
    CACHE_ST_PUT,
    CACHE_ST_LOG,
    CACHE_ST_BEGIN,
    CACHE_ST_COMMIT,
    CACHE_ST_ROLLBACK,
    CACHE_ST_COUNT_CALLS,
    CACHE_ST_COUNT_LOG,
    CACHE_ST_N
};

/* Prepared once at open and reused for the life of the handle (indexed by the enum above). */
static const char *const cache_sql[CACHE_ST_N] = {
    "SELECT value, model, provider, input_tokens, output_tokens, latency_ms, created_at"
    " FROM calls WHERE key = ?1",
    "INSERT OR REPLACE INTO calls(key, value, model, provider, input_tokens, output_tokens,"
    " latency_ms, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    "INSERT INTO call_log(run_id, key, status, attempts, http_status, error, latency_ms, at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    /* IMMEDIATE takes the write lock up front, so a busy database fails at BEGIN (nothing done
     * yet) rather than part-way through the batch. */
    "BEGIN IMMEDIATE",
    "COMMIT",
    "ROLLBACK",
    "SELECT count(*) FROM calls",
    "SELECT count(*) FROM call_log",
};

/* Version 1. Values are TEXT (the reply JSON) so `sqlite3 cache.sqlite` and json_extract can read
 * them; they are bound and read with explicit lengths, so any bytes round-trip. The log has no
 * CHECK on status so a later status needs no table rebuild; cache_log validates it instead. */
static const char cache_schema_v1[] = "CREATE TABLE calls ("
                                      " key TEXT PRIMARY KEY NOT NULL,"
                                      " value TEXT NOT NULL,"
                                      " model TEXT,"
                                      " provider TEXT,"
                                      " input_tokens INTEGER,"
                                      " output_tokens INTEGER,"
                                      " latency_ms REAL,"
                                      " created_at REAL NOT NULL);"
                                      "CREATE TABLE call_log ("
                                      " id INTEGER PRIMARY KEY,"
                                      " run_id TEXT NOT NULL,"
                                      " key TEXT NOT NULL,"
                                      " status TEXT NOT NULL,"
                                      " attempts INTEGER NOT NULL,"
                                      " http_status INTEGER,"
                                      " error TEXT,"
                                      " latency_ms REAL,"
                                      " at REAL NOT NULL);"
                                      "CREATE INDEX call_log_run ON call_log(run_id);";

struct cache {
    sqlite3 *db;
    char *path;
    int readonly;
    sqlite3_stmt *st[CACHE_ST_N];

    buf_t arena; /* every pending string and value, each NUL-terminated */
    struct cache_put_row *puts;
    size_t nputs, cap_puts;
    size_t *slots; /* open-addressing index of puts by key: index + 1, 0 = empty */
    size_t nslots; /* a power of two, at least twice nputs */
    struct cache_log_row *logs;
    size_t nlogs, cap_logs;

    buf_t meta_model, meta_provider; /* backing for the strings cache_get hands out */
    cache_stats_t stats;
    char err[512];
};

/* Out of memory is fatal in ratio (as in util/buf.c), so allocation never returns NULL. */
static void *cache_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fputs("ratio: out of memory\n", stderr);
        abort();
    }
    return q;
}

static void cache_fmt(char *dst, size_t dstlen, const char *fmt, va_list ap)
{
    if (!dst || !dstlen) return;
    vsnprintf(dst, dstlen, fmt, ap);
}

static void cache_seterr(cache_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cache_seterr(cache_t *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cache_fmt(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
}

static void cache_openerr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cache_openerr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    cache_fmt(err, errlen, fmt, ap);
    va_end(ap);
}

static double cache_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cache_key_valid(const char *key)
{
    if (!key) return 0;
    for (int i = 0; i < CACHE_KEY_LEN; i++) {
        char ch = key[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return 0;
    }
    return key[CACHE_KEY_LEN] == '\0';
}

/* ---- opening ---------------------------------------------------------------------------- */

/* mkdir -p of the directory part of path. 0, or -1 with a message naming the directory. */
static int cache_mkdirs(const char *path, char *err, size_t errlen)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) return 0; /* current directory or "/" */
    size_t n = (size_t)(slash - path);
    char *dir = cache_xrealloc(NULL, n + 1);
    memcpy(dir, path, n);
    dir[n] = '\0';
    int rc = 0;
    for (size_t i = 1; i <= n && rc == 0; i++) {
        if (i < n && dir[i] != '/') continue;
        if (dir[i - 1] == '/') continue; /* "a//b": nothing new to create */
        char saved = dir[i];
        dir[i] = '\0';
        if (mkdir(dir, 0777) != 0) {
            struct stat sb;
            int e = errno;
            if (e != EEXIST) {
                cache_openerr(err, errlen, "cache %s: cannot create directory %s: %s", path, dir,
                              strerror(e));
                rc = -1;
            } else if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
                cache_openerr(err, errlen, "cache %s: cannot create directory %s: %s", path, dir,
                              strerror(ENOTDIR));
                rc = -1;
            }
        }
        dir[i] = saved;
    }
    free(dir);
    return rc;
}

/* Runs a one-row, one-integer statement (a PRAGMA or a count). SQLite result code. */
static int cache_query_int(sqlite3 *db, const char *sql, int64_t *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Turns on WAL; returns 0 or -1 with a message. In-memory databases cannot use WAL. */
static int cache_enable_wal(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &st, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        cache_openerr(err, errlen, "cache %s: cannot enable WAL: %s", path, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    int ok = mode && (strcmp(mode, "wal") == 0 ||
                      (strcmp(mode, "memory") == 0 && strcmp(path, ":memory:") == 0));
    if (!ok)
        cache_openerr(err, errlen, "cache %s: cannot enable WAL (journal mode stays %s)", path,
                      mode ? mode : "?");
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

/* Creates schema version 1 in an empty database. Inside BEGIN IMMEDIATE so that two processes
 * opening a new cache at once do not both create it; re-checks the version under the lock. */
static int cache_create_schema(sqlite3 *db, const char *path, char *err, size_t errlen)
{
    char sql[128];
    int64_t version = 0, objects = 0;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) goto fail;
    if (cache_query_int(db, "PRAGMA user_version", &version) != SQLITE_OK) goto fail;
    if (version != 0) { /* another process created it meanwhile */
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        return 1;
    }
    if (cache_query_int(db, "SELECT count(*) FROM sqlite_master", &objects) != SQLITE_OK) goto fail;
    if (objects != 0) {
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
        cache_openerr(err, errlen,
                      "cache %s: is a SQLite database with other tables and no ratio schema "
                      "version; refusing to modify it",
                      path);
        return -1;
    }
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             CACHE_APPLICATION_ID, CACHE_SCHEMA_VERSION);
    if (sqlite3_exec(db, cache_schema_v1, NULL, NULL, NULL) != SQLITE_OK) goto fail;
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) goto fail;
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) goto fail;
    return 0;
fail:
    cache_openerr(err, errlen, "cache %s: cannot create schema: %s", path, sqlite3_errmsg(db));
    if (!sqlite3_get_autocommit(db)) sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

/* Checks (and when new, creates) the schema. 0, or -1 with a message. Never drops anything: a
 * file we do not recognise is reported, not rewritten. */
static int cache_check_schema(cache_t *c, char *err, size_t errlen)
{
    int64_t app = 0, version = 0;
    int rc = cache_query_int(c->db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK) rc = cache_query_int(c->db, "PRAGMA user_version", &version);
    if (rc == SQLITE_NOTADB) {
        cache_openerr(err, errlen, "cache %s: file is not a SQLite database", c->path);
        return -1;
    }
    if (rc != SQLITE_OK) {
        cache_openerr(err, errlen, "cache %s: cannot read header: %s", c->path,
                      sqlite3_errmsg(c->db));
        return -1;
    }
    if (app != 0 && app != CACHE_APPLICATION_ID) {
        cache_openerr(err, errlen,
                      "cache %s: SQLite database of another application (application_id %lld); "
                      "not a ratio cache",
                      c->path, (long long)app);
        return -1;
    }
    if (version > CACHE_SCHEMA_VERSION) {
        cache_openerr(err, errlen,
                      "cache %s: schema version %lld is newer than this ratio supports (%d); "
                      "upgrade ratio or use another cache path",
                      c->path, (long long)version, CACHE_SCHEMA_VERSION);
        return -1;
    }
    if (version == CACHE_SCHEMA_VERSION && app == CACHE_APPLICATION_ID) return 0;
    if (version != 0) { /* only happens once there are migrations to write for older versions */
        cache_openerr(err, errlen, "cache %s: schema version %lld without a ratio application id",
                      c->path, (long long)version);
        return -1;
    }
    if (c->readonly) {
        cache_openerr(err, errlen, "cache %s: has no ratio schema and is opened read-only",
                      c->path);
        return -1;
    }
    rc = cache_create_schema(c->db, c->path, err, errlen);
    if (rc == 1) return cache_check_schema(c, err, errlen); /* created by someone else: re-check */
    return rc;
}

cache_t *cache_open(const char *path, int readonly, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!path || !*path) {
        cache_openerr(err, errlen, "cache: empty path");
        return NULL;
    }
    if (readonly) {
        struct stat sb;
        if (stat(path, &sb) != 0) {
            cache_openerr(err, errlen, "cache %s: cannot open read-only: %s", path,
                          strerror(errno));
            return NULL;
        }
    } else if (cache_mkdirs(path, err, errlen) != 0) {
        return NULL;
    }

    cache_t *c = cache_xrealloc(NULL, sizeof *c);
    memset(c, 0, sizeof *c);
    buf_init(&c->arena);
    buf_init(&c->meta_model);
    buf_init(&c->meta_provider);
    c->readonly = readonly ? 1 : 0;
    size_t plen = strlen(path);
    c->path = cache_xrealloc(NULL, plen + 1);
    memcpy(c->path, path, plen + 1);

    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &c->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        cache_openerr(err, errlen, "cache %s: cannot open: %s", path,
                      c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        goto fail;
    }
    sqlite3_busy_timeout(c->db, CACHE_BUSY_MS_DEFAULT);
    /* SQLite silently falls back to read-only when the file is not writable; a writer that can
     * never flush would lose every reply, so say so now. */
    if (!readonly && sqlite3_db_readonly(c->db, "main") == 1) {
        cache_openerr(err, errlen,
                      "cache %s: file is read-only (fix its permissions, or open the cache "
                      "read-only)",
                      path);
        goto fail;
    }
    if (cache_check_schema(c, err, errlen) != 0) goto fail;
    if (!readonly && cache_enable_wal(c->db, path, err, errlen) != 0) goto fail;
    /* NORMAL in WAL mode: a commit is not fsync'd, yet it survives a process kill (only a power
     * cut can lose the last commits); FULL would put an fsync on the loop per flush. */
    if (sqlite3_exec(c->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
        cache_openerr(err, errlen, "cache %s: %s", path, sqlite3_errmsg(c->db));
        goto fail;
    }
    for (int i = 0; i < CACHE_ST_N; i++) {
        if (sqlite3_prepare_v3(c->db, cache_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &c->st[i],
                               NULL) != SQLITE_OK) {
            cache_openerr(err, errlen, "cache %s: cannot prepare statement: %s", path,
                          sqlite3_errmsg(c->db));
            goto fail;
        }
    }
    return c;

fail:
    for (int i = 0; i < CACHE_ST_N; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c->path);
    free(c);
    return NULL;
}

/* ---- the pending batch ------------------------------------------------------------------ */

/* FNV-1a: keys are hex digests, already uniform, so any cheap mix spreads them well. */
static size_t cache_hash(const char *key)
{
    uint64_t h = 1469598103934665603ull;
    for (; *key; key++) {
        h ^= (unsigned char)*key;
        h *= 1099511628211ull;
    }
    return (size_t)h;
}

/* Index of the slot that holds key, or of the empty slot where it would go. */
static size_t cache_slot(const cache_t *c, const char *key)
{
    size_t mask = c->nslots - 1;
    size_t i = cache_hash(key) & mask;
    while (c->slots[i] != 0) {
        const struct cache_put_row *r = &c->puts[c->slots[i] - 1];
        if (strcmp(c->arena.data + r->key, key) == 0) break;
        i = (i + 1) & mask;
    }
    return i;
}

/* Doubles the index (or creates it) and re-inserts every pending put. */
static void cache_grow_slots(cache_t *c)
{
    size_t n = c->nslots ? c->nslots * 2 : 256;
    free(c->slots);
    c->slots = cache_xrealloc(NULL, n * sizeof *c->slots);
    memset(c->slots, 0, n * sizeof *c->slots);
    c->nslots = n;
    for (size_t k = 0; k < c->nputs; k++)
        c->slots[cache_slot(c, c->arena.data + c->puts[k].key)] = k + 1;
}

static const struct cache_put_row *cache_pending_find(const cache_t *c, const char *key)
{
    if (c->nputs == 0) return NULL;
    size_t s = c->slots[cache_slot(c, key)];
    return s ? &c->puts[s - 1] : NULL;
}

/* Appends bytes plus a NUL to the arena; returns the offset (CACHE_NONE for NULL). */
static size_t cache_arena_add(cache_t *c, const void *p, size_t n)
{
    if (!p) return CACHE_NONE;
    size_t off = c->arena.len;
    buf_append(&c->arena, p, n);
    buf_putc(&c->arena, '\0');
    return off;
}

static size_t cache_arena_str(cache_t *c, const char *s)
{
    return cache_arena_add(c, s, s ? strlen(s) : 0);
}

static const char *cache_arena_at(const cache_t *c, size_t off)
{
    return off == CACHE_NONE ? NULL : c->arena.data + off;
}

static void cache_pending_clear(cache_t *c)
{
    if (c->nputs) memset(c->slots, 0, c->nslots * sizeof *c->slots);
    c->nputs = 0;
    c->nlogs = 0;
    /* After a burst the arena can be large; give it back rather than hold it for the run. */
    if (c->arena.cap > CACHE_ARENA_KEEP)
        buf_free(&c->arena);
    else
        buf_reset(&c->arena);
}

int cache_put(cache_t *c, const char *key, const char *value, size_t len,
              const cache_entry_meta_t *meta)
{
    if (c->readonly) {
        cache_seterr(c, "cache %s: opened read-only, cannot put", c->path);
        return -1;
    }
    if (!cache_key_valid(key)) {
        cache_seterr(c, "cache %s: invalid key (want %d lowercase hex digits)", c->path,
                     CACHE_KEY_LEN);
        return -1;
    }
    if (!value && len) {
        cache_seterr(c, "cache %s: NULL value with length %zu", c->path, len);
        return -1;
    }
    /* Rejected here rather than at flush: a row SQLite refuses would fail every later flush and
     * hold the whole batch hostage. */
    if (len > (size_t)sqlite3_limit(c->db, SQLITE_LIMIT_LENGTH, -1)) {
        cache_seterr(c, "cache %s: value of %zu bytes exceeds SQLite's limit", c->path, len);
        return -1;
    }
    if ((c->nputs + 1) * 2 > c->nslots) cache_grow_slots(c);
    size_t slot = cache_slot(c, key);
    struct cache_put_row *r;
    if (c->slots[slot]) { /* same key again before a flush: the newer reply wins */
        r = &c->puts[c->slots[slot] - 1];
    } else {
        if (c->nputs == c->cap_puts) {
            c->cap_puts = c->cap_puts ? c->cap_puts * 2 : 64;
            c->puts = cache_xrealloc(c->puts, c->cap_puts * sizeof *c->puts);
        }
        r = &c->puts[c->nputs++];
        r->key = cache_arena_str(c, key);
        c->slots[slot] = c->nputs;
    }
    r->value = cache_arena_add(c, value ? value : "", len);
    r->value_len = len;
    r->model = cache_arena_str(c, meta ? meta->model : NULL);
    r->provider = cache_arena_str(c, meta ? meta->provider : NULL);
    r->input_tokens = meta && meta->input_tokens >= 0 ? meta->input_tokens : -1;
    r->output_tokens = meta && meta->output_tokens >= 0 ? meta->output_tokens : -1;
    r->latency_ms = meta && meta->latency_ms >= 0 ? meta->latency_ms : -1;
    r->created_at = meta && meta->created_at > 0 ? meta->created_at : cache_now();
    c->stats.puts++;
    return 0;
}

int cache_log(cache_t *c, const cache_log_entry_t *e)
{
    if (c->readonly) {
        cache_seterr(c, "cache %s: opened read-only, cannot log", c->path);
        return -1;
    }
    if (!e || !e->run_id || !*e->run_id) {
        cache_seterr(c, "cache %s: log row without a run_id", c->path);
        return -1;
    }
    if (!cache_key_valid(e->key)) {
        cache_seterr(c, "cache %s: log row with an invalid key (want %d lowercase hex digits)",
                     c->path, CACHE_KEY_LEN);
        return -1;
    }
    if (!e->status || (strcmp(e->status, "ok") != 0 && strcmp(e->status, "failed") != 0 &&
                       strcmp(e->status, "cached") != 0)) {
        cache_seterr(c, "cache %s: log status \"%s\" is not ok|failed|cached", c->path,
                     e->status ? e->status : "(null)");
        return -1;
    }
    if (e->attempts < 0) {
        cache_seterr(c, "cache %s: log row with negative attempts", c->path);
        return -1;
    }
    if (c->nlogs == c->cap_logs) {
        c->cap_logs = c->cap_logs ? c->cap_logs * 2 : 64;
        c->logs = cache_xrealloc(c->logs, c->cap_logs * sizeof *c->logs);
    }
    struct cache_log_row *r = &c->logs[c->nlogs++];
    r->run_id = cache_arena_str(c, e->run_id);
    r->key = cache_arena_str(c, e->key);
    r->status = cache_arena_str(c, e->status);
    r->error = cache_arena_str(c, e->error);
    r->attempts = e->attempts;
    r->http_status = e->http_status;
    r->latency_ms = e->latency_ms >= 0 ? e->latency_ms : -1;
    r->at = e->at > 0 ? e->at : cache_now();
    c->stats.logs++;
    return 0;
}

size_t cache_pending(const cache_t *c)
{
    return c->nputs + c->nlogs;
}

/* ---- reading ---------------------------------------------------------------------------- */

/* Points meta->model/provider at the cache's own copies, valid until the next call. */
static const char *cache_meta_str(buf_t *b, const char *s, size_t n)
{
    if (!s) return NULL;
    buf_reset(b);
    buf_append(b, s, n);
    return buf_cstr(b);
}

int cache_get(cache_t *c, const char *key, buf_t *value, cache_entry_meta_t *meta)
{
    if (!cache_key_valid(key)) {
        cache_seterr(c, "cache %s: invalid key (want %d lowercase hex digits)", c->path,
                     CACHE_KEY_LEN);
        return -1;
    }
    const struct cache_put_row *p = cache_pending_find(c, key);
    if (p) {
        if (value) {
            buf_reset(value);
            buf_append(value, c->arena.data + p->value, p->value_len);
        }
        if (meta) {
            const char *m = cache_arena_at(c, p->model), *v = cache_arena_at(c, p->provider);
            meta->model = cache_meta_str(&c->meta_model, m, m ? strlen(m) : 0);
            meta->provider = cache_meta_str(&c->meta_provider, v, v ? strlen(v) : 0);
            meta->input_tokens = p->input_tokens;
            meta->output_tokens = p->output_tokens;
            meta->latency_ms = p->latency_ms;
            meta->created_at = p->created_at;
        }
        c->stats.hits++;
        return 1;
    }

    sqlite3_stmt *st = c->st[CACHE_ST_GET];
    sqlite3_bind_text(st, 1, key, CACHE_KEY_LEN, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (value) {
            const void *v = sqlite3_column_blob(st, 0);
            int n = sqlite3_column_bytes(st, 0);
            buf_reset(value);
            buf_append(value, v ? v : "", v ? (size_t)n : 0);
        }
        if (meta) {
            const char *m = (const char *)sqlite3_column_text(st, 1);
            size_t mn = (size_t)sqlite3_column_bytes(st, 1);
            const char *pv = (const char *)sqlite3_column_text(st, 2);
            size_t pn = (size_t)sqlite3_column_bytes(st, 2);
            meta->model = cache_meta_str(&c->meta_model, m, mn);
            meta->provider = cache_meta_str(&c->meta_provider, pv, pn);
            meta->input_tokens =
                sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 3);
            meta->output_tokens =
                sqlite3_column_type(st, 4) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 4);
            meta->latency_ms =
                sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_double(st, 5);
            meta->created_at = sqlite3_column_double(st, 6);
        }
        c->stats.hits++;
        rc = 1;
    } else if (rc == SQLITE_DONE) {
        c->stats.misses++;
        rc = 0;
    } else {
        cache_seterr(c, "cache %s: get failed: %s", c->path, sqlite3_errmsg(c->db));
        rc = -1;
    }
    /* Reset at once: a statement left mid-read holds a WAL snapshot and blocks checkpoints. */
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* ---- writing ---------------------------------------------------------------------------- */

/* Binds a text from the arena (NULL for CACHE_NONE). The arena does not move during a flush. */
static int cache_bind_arena(const cache_t *c, sqlite3_stmt *st, int col, size_t off)
{
    if (off == CACHE_NONE) return sqlite3_bind_null(st, col);
    return sqlite3_bind_text(st, col, c->arena.data + off, -1, SQLITE_STATIC);
}

static int cache_bind_opt_int(sqlite3_stmt *st, int col, int64_t v)
{
    return v < 0 ? sqlite3_bind_null(st, col) : sqlite3_bind_int64(st, col, v);
}

static int cache_bind_opt_double(sqlite3_stmt *st, int col, double v)
{
    return v < 0 ? sqlite3_bind_null(st, col) : sqlite3_bind_double(st, col, v);
}

/* Runs one already-bound statement to completion and resets it. SQLite result code. */
static int cache_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int cache_write_put(cache_t *c, const struct cache_put_row *r)
{
    sqlite3_stmt *st = c->st[CACHE_ST_PUT];
    int rc = cache_bind_arena(c, st, 1, r->key);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 2, c->arena.data + r->value, (int)r->value_len, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = cache_bind_arena(c, st, 3, r->model);
    if (rc == SQLITE_OK) rc = cache_bind_arena(c, st, 4, r->provider);
    if (rc == SQLITE_OK) rc = cache_bind_opt_int(st, 5, r->input_tokens);
    if (rc == SQLITE_OK) rc = cache_bind_opt_int(st, 6, r->output_tokens);
    if (rc == SQLITE_OK) rc = cache_bind_opt_double(st, 7, r->latency_ms);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, 8, r->created_at);
    if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(st);
        return rc;
    }
    return cache_step_done(st);
}

static int cache_write_log(cache_t *c, const struct cache_log_row *r)
{
    sqlite3_stmt *st = c->st[CACHE_ST_LOG];
    int rc = cache_bind_arena(c, st, 1, r->run_id);
    if (rc == SQLITE_OK) rc = cache_bind_arena(c, st, 2, r->key);
    if (rc == SQLITE_OK) rc = cache_bind_arena(c, st, 3, r->status);
    if (rc == SQLITE_OK) rc = sqlite3_bind_int(st, 4, r->attempts);
    if (rc == SQLITE_OK)
        rc = r->http_status ? sqlite3_bind_int(st, 5, r->http_status) : sqlite3_bind_null(st, 5);
    if (rc == SQLITE_OK) rc = cache_bind_arena(c, st, 6, r->error);
    if (rc == SQLITE_OK) rc = cache_bind_opt_double(st, 7, r->latency_ms);
    if (rc == SQLITE_OK) rc = sqlite3_bind_double(st, 8, r->at);
    if (rc != SQLITE_OK) {
        sqlite3_clear_bindings(st);
        return rc;
    }
    return cache_step_done(st);
}

int cache_flush(cache_t *c)
{
    size_t rows = cache_pending(c);
    if (rows == 0) return 0;
    const char *what = "begin";
    int rc = cache_step_done(c->st[CACHE_ST_BEGIN]);
    for (size_t i = 0; rc == SQLITE_OK && i < c->nputs; i++) {
        what = "write call";
        rc = cache_write_put(c, &c->puts[i]);
    }
    for (size_t i = 0; rc == SQLITE_OK && i < c->nlogs; i++) {
        what = "write log";
        rc = cache_write_log(c, &c->logs[i]);
    }
    if (rc == SQLITE_OK) {
        what = "commit";
        rc = cache_step_done(c->st[CACHE_ST_COMMIT]);
    }
    if (rc != SQLITE_OK) {
        /* Record the cause before ROLLBACK replaces SQLite's message. Nothing is dropped: the
         * batch stays queued and the next flush retries all of it. */
        cache_seterr(c, "cache %s: flush of %zu rows failed (%s): %s; rows kept for retry", c->path,
                     rows, what, sqlite3_errmsg(c->db));
        if (!sqlite3_get_autocommit(c->db)) cache_step_done(c->st[CACHE_ST_ROLLBACK]);
        c->stats.flush_errors++;
        return -1;
    }
    cache_pending_clear(c);
    c->stats.flushes++;
    c->stats.rows_written += rows;
    return rows > (size_t)0x7fffffff ? 0x7fffffff : (int)rows;
}

/* ---- the rest --------------------------------------------------------------------------- */

static int cache_count(cache_t *c, int which, int64_t *out)
{
    sqlite3_stmt *st = c->st[which];
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : -1;
}

int cache_stats(cache_t *c, cache_stats_t *st)
{
    *st = c->stats;
    st->pending = cache_pending(c);
    int rc = cache_count(c, CACHE_ST_COUNT_CALLS, &st->calls_on_disk);
    if (rc == 0) rc = cache_count(c, CACHE_ST_COUNT_LOG, &st->log_on_disk);
    if (rc != 0) cache_seterr(c, "cache %s: count failed: %s", c->path, sqlite3_errmsg(c->db));
    return rc;
}

void cache_busy_timeout(cache_t *c, int ms)
{
    sqlite3_busy_timeout(c->db, ms < 0 ? 0 : ms);
}

const char *cache_errmsg(const cache_t *c)
{
    return c->err;
}

int cache_close(cache_t *c, char *err, size_t errlen)
{
    if (err && errlen) err[0] = '\0';
    if (!c) return 0;
    int ret = 0;
    if (cache_pending(c)) {
        sqlite3_busy_timeout(c->db, CACHE_BUSY_MS_CLOSE);
        if (cache_flush(c) < 0) {
            cache_openerr(err, errlen, "%s (lost at close)", c->err);
            ret = -1;
        }
    }
    for (int i = 0; i < CACHE_ST_N; i++)
        sqlite3_finalize(c->st[i]);
    if (sqlite3_close(c->db) != SQLITE_OK) {
        /* Cannot happen once every statement is finalized; close lazily rather than leak. */
        sqlite3_close_v2(c->db);
    }
    buf_free(&c->arena);
    buf_free(&c->meta_model);
    buf_free(&c->meta_provider);
    free(c->puts);
    free(c->slots);
    free(c->logs);
    free(c->path);
    free(c);
    return ret;
}
