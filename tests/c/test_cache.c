/* Tests of store/cache: batching, durability across reopen and SIGKILL, and the clear errors a
 * researcher sees when the cache path is wrong. Each test works in its own mkdtemp directory. */
#define _XOPEN_SOURCE 700 /* nftw, mkdtemp */

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "store/cache.h"
#include "util/sha256.h"

/* ---- helpers ----------------------------------------------------------------------------- */

static void tc_tmpdir(char dir[64])
{
    strcpy(dir, "/tmp/ratio-cache-test-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        abort();
    }
}

static int tc_rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

static void tc_rmrf(const char *dir)
{
    nftw(dir, tc_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void tc_path(char *out, size_t n, const char *dir, const char *rel)
{
    snprintf(out, n, "%s/%s", dir, rel);
}

/* The key of row i: a real digest, as the caller would build it. */
static void tc_key(long i, char key[SHA256_HEX_LEN + 1])
{
    char req[64];
    int n = snprintf(req, sizeof req, "row-%ld", i);
    if (sha256_hex(req, (size_t)n, key) != 0) abort();
}

static void tc_value(long i, buf_t *b)
{
    buf_reset(b);
    buf_printf(b, "{\"id\":%ld,\"text\":\"reply %ld ", i, i);
    for (int k = 0; k < 8; k++)
        buf_puts(b, "lorem ipsum dolor sit amet ");
    buf_puts(b, "\"}");
}

static void tc_sleep_us(long us)
{
    struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static int tc_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0;
}

/* One integer from a SQL query on a separate raw connection (to look at the file, not the API). */
static long long tc_sql_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -999;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void tc_sql_text(const char *path, const char *sql, char *out, size_t n)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    snprintf(out, n, "(error)");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(out, n, "%s", t ? (const char *)t : "(null)");
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static int tc_sql_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static int tc_contains(const char *hay, const char *needle)
{
    return hay && needle && strstr(hay, needle) != NULL;
}

/* ---- opening ----------------------------------------------------------------------------- */

TEST(cache_open_creates_parents_wal_and_schema)
{
    char dir[64], path[256], err[512];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "a/b//c/cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    CHECK_STR(err, "");
    CHECK(tc_exists(path));
    CHECK_INT(cache_close(c, err, sizeof err), 0);
    char mode[32];
    tc_sql_text(path, "PRAGMA journal_mode", mode, sizeof mode);
    CHECK_STR(mode, "wal"); /* WAL is persistent in the file */
    CHECK_INT(tc_sql_int(path, "PRAGMA user_version"), CACHE_SCHEMA_VERSION);
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                               "('calls','call_log')"),
              2);
    /* a second open of an existing cache is fine and changes nothing */
    c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    tc_rmrf(dir);
}

TEST(cache_open_relative_and_bare_names)
{
    /* ".ratio/cache.sqlite" is the default: a relative path with a missing parent. */
    char dir[64], cwd[512], err[512];
    tc_tmpdir(dir);
    CHECK(getcwd(cwd, sizeof cwd) != NULL);
    CHECK_INT(chdir(dir), 0);
    cache_t *c = cache_open(".ratio/cache.sqlite", 0, err, sizeof err);
    CHECK(c != NULL);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    c = cache_open("bare.sqlite", 0, err, sizeof err);
    CHECK(c != NULL);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    CHECK(tc_exists(".ratio/cache.sqlite"));
    CHECK(tc_exists("bare.sqlite"));
    CHECK_INT(chdir(cwd), 0);
    tc_rmrf(dir);
}

TEST(cache_open_readonly_missing_file_is_error)
{
    char dir[64], path[256], sub[256], err[512];
    tc_tmpdir(dir);
    tc_path(sub, sizeof sub, dir, "nope");
    tc_path(path, sizeof path, dir, "nope/cache.sqlite");
    cache_t *c = cache_open(path, 1, err, sizeof err);
    CHECK(c == NULL);
    CHECK(tc_contains(err, path));
    CHECK(tc_contains(err, "No such file"));
    CHECK(!tc_exists(sub)); /* read-only never creates anything */
    tc_rmrf(dir);
}

TEST(cache_open_directory_cannot_be_created)
{
    char dir[64], file[256], path[256], err[512];
    tc_tmpdir(dir);
    tc_path(file, sizeof file, dir, "plainfile");
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f) fclose(f);
    tc_path(path, sizeof path, dir, "plainfile/sub/cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c == NULL);
    CHECK(tc_contains(err, path));
    CHECK(tc_contains(err, "cannot create directory"));
    CHECK(tc_contains(err, "plainfile"));
    tc_rmrf(dir);
}

TEST(cache_open_not_a_database)
{
    char dir[64], path[256], err[512];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "notes.sqlite");
    buf_t junk;
    buf_init(&junk);
    for (int i = 0; i < 200; i++)
        buf_printf(&junk, "line %d: this is a text file, not SQLite\n", i);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(junk.data, 1, junk.len, f);
        fclose(f);
    }
    for (int ro = 0; ro <= 1; ro++) {
        cache_t *c = cache_open(path, ro, err, sizeof err);
        CHECK(c == NULL);
        CHECK(tc_contains(err, path));
        CHECK(tc_contains(err, "not a SQLite database"));
        cache_close(c, NULL, 0);
    }
    /* the file is left exactly as it was */
    buf_t back;
    buf_init(&back);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        char tmp[4096];
        size_t n;
        while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
            buf_append(&back, tmp, n);
        fclose(f);
    }
    CHECK_INT(back.len, junk.len);
    CHECK(back.len == junk.len && memcmp(back.data, junk.data, junk.len) == 0);
    buf_free(&junk);
    buf_free(&back);
    tc_rmrf(dir);
}

TEST(cache_open_newer_schema_is_refused_not_wiped)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    tc_key(1, key);
    CHECK_INT(cache_put(c, key, "{}", 2, NULL), 0);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    CHECK_INT(tc_sql_exec(path, "PRAGMA user_version=7"), SQLITE_OK);
    for (int ro = 0; ro <= 1; ro++) {
        c = cache_open(path, ro, err, sizeof err);
        CHECK(c == NULL);
        CHECK(tc_contains(err, path));
        CHECK(tc_contains(err, "schema version 7 is newer"));
        cache_close(c, NULL, 0);
    }
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM calls"), 1);
    CHECK_INT(tc_sql_int(path, "PRAGMA user_version"), 7);
    tc_rmrf(dir);
}

TEST(cache_open_foreign_database_is_refused)
{
    char dir[64], path[256], err[512];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "other.sqlite");
    CHECK_INT(tc_sql_exec(path, "CREATE TABLE notes(x); INSERT INTO notes VALUES (42);"),
              SQLITE_OK);
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c == NULL);
    CHECK(tc_contains(err, path));
    CHECK(tc_contains(err, "refusing to modify"));
    CHECK_INT(tc_sql_int(path, "SELECT x FROM notes"), 42);
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM sqlite_master"), 1);

    /* another application's id */
    tc_path(path, sizeof path, dir, "app.sqlite");
    CHECK_INT(tc_sql_exec(path, "PRAGMA application_id=1234"), SQLITE_OK);
    c = cache_open(path, 0, err, sizeof err);
    CHECK(c == NULL);
    CHECK(tc_contains(err, "not a ratio cache"));
    tc_rmrf(dir);
}

TEST(cache_open_readonly_of_empty_file_is_error)
{
    char dir[64], path[256], err[512];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "empty.sqlite");
    FILE *f = fopen(path, "w");
    if (f) fclose(f);
    cache_t *c = cache_open(path, 1, err, sizeof err);
    CHECK(c == NULL);
    CHECK(tc_contains(err, path));
    CHECK(tc_contains(err, "read-only"));
    tc_rmrf(dir);
}

/* What a child process reports about an open attempt. */
struct tc_open_result {
    int opened;
    char err[512];
};

/* Opening a write-protected file for writing must fail loudly, not fall back to read-only.
 * Root ignores file modes, so as root the attempt runs in a child that has become "nobody". */
TEST(cache_open_readonly_file_for_writing_is_error)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    tc_key(5, key);
    CHECK_INT(cache_put(c, key, "{\"x\":1}", 7, NULL), 0);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    CHECK_INT(chmod(path, 0444), 0);
    CHECK_INT(chmod(dir, 0755), 0);

    int fds[2];
    CHECK_INT(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        struct tc_open_result r;
        memset(&r, 0, sizeof r);
        close(fds[0]);
        if (geteuid() == 0) {
            struct passwd *pw = getpwnam("nobody");
            uid_t uid = pw ? pw->pw_uid : 65534;
            gid_t gid = pw ? pw->pw_gid : 65534;
            if (setgid(gid) != 0 || setuid(uid) != 0) _exit(3);
        }
        cache_t *cc = cache_open(path, 0, r.err, sizeof r.err);
        r.opened = cc != NULL;
        cache_close(cc, NULL, 0);
        ssize_t w = write(fds[1], &r, sizeof r);
        _exit(w == (ssize_t)sizeof r ? 0 : 4);
    }
    close(fds[1]);
    struct tc_open_result r;
    memset(&r, 0, sizeof r);
    ssize_t got = read(fds[0], &r, sizeof r);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(got, (ssize_t)sizeof r);
    CHECK_INT(r.opened, 0);
    CHECK(tc_contains(r.err, path));
    CHECK(tc_contains(r.err, "read-only"));

    /* opened read-only on purpose it works, and rejects writes */
    c = cache_open(path, 1, err, sizeof err);
    CHECK(c != NULL);
    if (c) {
        buf_t v;
        buf_init(&v);
        CHECK_INT(cache_get(c, key, &v, NULL), 1);
        CHECK_STR(buf_cstr(&v), "{\"x\":1}");
        CHECK_INT(cache_put(c, key, "{}", 2, NULL), -1);
        CHECK(tc_contains(cache_errmsg(c), "read-only"));
        CHECK_INT(cache_pending(c), 0);
        CHECK_INT(cache_close(c, NULL, 0), 0);
        buf_free(&v);
    }
    chmod(path, 0644);
    tc_rmrf(dir);
}

/* ---- get / put / flush ------------------------------------------------------------------ */

TEST(cache_miss_put_get_before_flush_then_flush)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    buf_t v;
    buf_init(&v);
    cache_entry_meta_t m;
    tc_key(1, key);

    CHECK_INT(cache_get(c, key, &v, &m), 0);
    const char reply[] = "{\"choices\":[{\"text\":\"A>B\"}]}\0tail"; /* embedded NUL survives */
    cache_entry_meta_t in = {"qwen3-235b-a22b", "openai", 120, 35, 812.5, 1700000000.25};
    CHECK_INT(cache_put(c, key, reply, sizeof reply - 1, &in), 0);
    CHECK_INT(cache_pending(c), 1);

    cache_stats_t st;
    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.calls_on_disk, 0); /* the put did no I/O */

    memset(&m, 0, sizeof m);
    CHECK_INT(cache_get(c, key, &v, &m), 1); /* hit from the pending batch */
    CHECK(v.len == sizeof reply - 1 && memcmp(v.data, reply, sizeof reply - 1) == 0);
    CHECK_STR(m.model, "qwen3-235b-a22b");
    CHECK_STR(m.provider, "openai");
    CHECK_INT(m.input_tokens, 120);
    CHECK_INT(m.output_tokens, 35);
    CHECK_NEAR(m.latency_ms, 812.5, 1e-9);
    CHECK_NEAR(m.created_at, 1700000000.25, 1e-6);

    CHECK_INT(cache_flush(c), 1);
    CHECK_INT(cache_pending(c), 0);
    CHECK_INT(cache_flush(c), 0); /* nothing left */
    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.calls_on_disk, 1);

    memset(&m, 0, sizeof m);
    buf_reset(&v);
    CHECK_INT(cache_get(c, key, &v, &m), 1); /* hit from disk */
    CHECK(v.len == sizeof reply - 1 && memcmp(v.data, reply, sizeof reply - 1) == 0);
    CHECK_STR(m.model, "qwen3-235b-a22b");
    CHECK_STR(m.provider, "openai");
    CHECK_INT(m.input_tokens, 120);
    CHECK_INT(m.output_tokens, 35);
    CHECK_NEAR(m.latency_ms, 812.5, 1e-9);
    CHECK_NEAR(m.created_at, 1700000000.25, 1e-6);

    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.hits, 2);
    CHECK_INT(st.misses, 1);
    CHECK_INT(st.puts, 1);
    CHECK_INT(st.flushes, 1);
    CHECK_INT(st.rows_written, 1);
    CHECK_INT(st.flush_errors, 0);
    CHECK_INT(cache_close(c, err, sizeof err), 0);
    buf_free(&v);
    tc_rmrf(dir);
}

TEST(cache_unknown_meta_round_trips_as_null)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    tc_key(2, key);
    double before = (double)time(NULL);
    CHECK_INT(cache_put(c, key, "", 0, NULL), 0); /* empty reply, no meta */
    CHECK_INT(cache_flush(c), 1);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT model IS NULL AND provider IS NULL AND input_tokens IS NULL AND "
             "output_tokens IS NULL AND latency_ms IS NULL FROM calls WHERE key='%s'",
             key);
    CHECK_INT(tc_sql_int(path, sql), 1);
    buf_t v;
    buf_init(&v);
    buf_puts(&v, "stale");
    cache_entry_meta_t m = {"x", "y", 1, 1, 1, 1};
    CHECK_INT(cache_get(c, key, &v, &m), 1);
    CHECK_INT(v.len, 0);
    CHECK_STR(buf_cstr(&v), "");
    CHECK(m.model == NULL);
    CHECK(m.provider == NULL);
    CHECK_INT(m.input_tokens, -1);
    CHECK_INT(m.output_tokens, -1);
    CHECK_NEAR(m.latency_ms, -1, 0);
    CHECK(m.created_at >= before - 1 && m.created_at <= before + 60); /* 0 meant "now" */
    CHECK_INT(cache_get(c, key, NULL, NULL), 1);                      /* existence check only */
    CHECK_INT(cache_close(c, NULL, 0), 0);
    buf_free(&v);
    tc_rmrf(dir);
}

TEST(cache_reopen_sees_data_and_close_flushes)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    buf_t v, want;
    buf_init(&v);
    buf_init(&want);
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    for (long i = 0; i < 10; i++) {
        tc_key(i, key);
        tc_value(i, &want);
        CHECK_INT(cache_put(c, key, want.data, want.len, NULL), 0);
    }
    CHECK_INT(cache_flush(c), 10);
    for (long i = 10; i < 15; i++) { /* left pending: close must write them */
        tc_key(i, key);
        tc_value(i, &want);
        CHECK_INT(cache_put(c, key, want.data, want.len, NULL), 0);
    }
    CHECK_INT(cache_close(c, err, sizeof err), 0);

    for (int ro = 0; ro <= 1; ro++) {
        c = cache_open(path, ro, err, sizeof err);
        CHECK(c != NULL);
        if (!c) continue;
        for (long i = 0; i < 15; i++) {
            tc_key(i, key);
            tc_value(i, &want);
            CHECK_INT(cache_get(c, key, &v, NULL), 1);
            CHECK_STR(buf_cstr(&v), want.data);
        }
        tc_key(99, key);
        CHECK_INT(cache_get(c, key, &v, NULL), 0);
        cache_stats_t st;
        CHECK_INT(cache_stats(c, &st), 0);
        CHECK_INT(st.calls_on_disk, 15);
        CHECK_INT(cache_close(c, NULL, 0), 0);
    }
    buf_free(&v);
    buf_free(&want);
    tc_rmrf(dir);
}

TEST(cache_same_key_twice_newest_wins)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    buf_t v;
    buf_init(&v);
    tc_key(3, key);
    cache_entry_meta_t m1 = {"m1", "p", 1, 2, 3, 0}, m2 = {"m2", NULL, -1, 5, -1, 0};
    CHECK_INT(cache_put(c, key, "one", 3, &m1), 0);
    CHECK_INT(cache_put(c, key, "two!", 4, &m2), 0);
    CHECK_INT(cache_pending(c), 1);
    cache_entry_meta_t m;
    CHECK_INT(cache_get(c, key, &v, &m), 1);
    CHECK_STR(buf_cstr(&v), "two!");
    CHECK_STR(m.model, "m2");
    CHECK(m.provider == NULL);
    CHECK_INT(cache_flush(c), 1);
    CHECK_INT(cache_put(c, key, "three", 5, &m1), 0); /* replaces the row on disk too */
    CHECK_INT(cache_flush(c), 1);
    CHECK_INT(cache_get(c, key, &v, &m), 1);
    CHECK_STR(buf_cstr(&v), "three");
    CHECK_STR(m.model, "m1");
    cache_stats_t st;
    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.calls_on_disk, 1);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    buf_free(&v);
    tc_rmrf(dir);
}

TEST(cache_10000_puts_one_transaction)
{
    enum { N = 10000 };
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    buf_t v, want;
    buf_init(&v);
    buf_init(&want);
    for (long i = 0; i < N; i++) {
        tc_key(i, key);
        tc_value(i, &want);
        cache_entry_meta_t m = {"judge", "openai", i, 2 * i, (double)i, 1700000000.0 + (double)i};
        CHECK_INT(cache_put(c, key, want.data, want.len, &m), 0);
    }
    CHECK_INT(cache_pending(c), N);
    long bad = 0; /* every pending row is found through the index before the flush */
    for (long i = 0; i < N; i++) {
        tc_key(i, key);
        tc_value(i, &want);
        if (cache_get(c, key, &v, NULL) != 1 || strcmp(buf_cstr(&v), want.data) != 0) bad++;
    }
    CHECK_INT(bad, 0);

    /* A second connection sees either none or all of the batch: one transaction. */
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM calls"), 0);
    CHECK_INT(cache_flush(c), N);
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM calls"), N);
    cache_stats_t st;
    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.flushes, 1);
    CHECK_INT(st.rows_written, N);
    CHECK_INT(st.puts, N);
    CHECK_INT(cache_close(c, NULL, 0), 0);

    c = cache_open(path, 1, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    bad = 0;
    for (long i = 0; i < N; i++) {
        cache_entry_meta_t m;
        tc_key(i, key);
        tc_value(i, &want);
        if (cache_get(c, key, &v, &m) != 1 || strcmp(buf_cstr(&v), want.data) != 0 ||
            m.input_tokens != i || m.output_tokens != 2 * i || !m.model ||
            strcmp(m.model, "judge") != 0 || m.created_at != 1700000000.0 + (double)i)
            bad++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.calls_on_disk, N);
    CHECK_INT(st.hits, N);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    buf_free(&v);
    buf_free(&want);
    tc_rmrf(dir);
}

TEST(cache_flush_failure_keeps_rows_for_retry)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    cache_busy_timeout(c, 20);
    tc_key(7, key);
    CHECK_INT(cache_put(c, key, "{\"ok\":true}", 11, NULL), 0);
    cache_log_entry_t le = {"run-1", key, "ok", 1, 200, NULL, 10.0, 0};
    CHECK_INT(cache_log(c, &le), 0);

    /* Another process holds the write lock. */
    sqlite3 *other = NULL;
    CHECK_INT(sqlite3_open(path, &other), SQLITE_OK);
    CHECK_INT(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);

    CHECK_INT(cache_flush(c), -1);
    CHECK(tc_contains(cache_errmsg(c), path));
    CHECK(tc_contains(cache_errmsg(c), "locked"));
    CHECK(tc_contains(cache_errmsg(c), "kept for retry"));
    CHECK_INT(cache_pending(c), 2);
    CHECK_INT(cache_get(c, key, NULL, NULL), 1); /* still served from the batch */
    CHECK_INT(cache_flush(c), -1);               /* still locked: still kept */
    CHECK_INT(cache_pending(c), 2);

    CHECK_INT(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    CHECK_INT(cache_flush(c), 2);
    CHECK_INT(cache_pending(c), 0);
    cache_stats_t st;
    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.flush_errors, 2);
    CHECK_INT(st.flushes, 1);
    CHECK_INT(st.calls_on_disk, 1);
    CHECK_INT(st.log_on_disk, 1);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    tc_rmrf(dir);
}

/* A loop flush gives up after 250 ms of lock; close must wait longer rather than lose the rows. */
TEST(cache_close_waits_for_lock_then_flushes)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err); /* create it */
    CHECK_INT(cache_close(c, NULL, 0), 0);
    int fds[2];
    CHECK_INT(pipe(fds), 0);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork(); /* before the parent opens: a connection must not cross fork() */
    if (pid == 0) {     /* another process holds the write lock for 700 ms */
        sqlite3 *other = NULL;
        close(fds[0]);
        if (sqlite3_open(path, &other) != SQLITE_OK ||
            sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
            _exit(2);
        if (write(fds[1], "L", 1) != 1) _exit(3);
        tc_sleep_us(700 * 1000);
        sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close(other);
        _exit(0);
    }
    close(fds[1]);
    char ch = 0;
    CHECK_INT(read(fds[0], &ch, 1), 1);
    close(fds[0]);
    c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    cache_busy_timeout(c, 10);
    tc_key(8, key);
    CHECK_INT(cache_put(c, key, "{}", 2, NULL), 0);
    CHECK_INT(cache_flush(c), -1); /* the loop's flush gives up quickly */
    CHECK_INT(cache_pending(c), 1);
    CHECK_INT(cache_close(c, err, sizeof err), 0);
    CHECK_STR(err, "");
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM calls"), 1);
    tc_rmrf(dir);
}

TEST(cache_log_rows_written)
{
    char dir[64], path[256], err[512], k1[65], k2[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    tc_key(1, k1);
    tc_key(2, k2);
    cache_log_entry_t ok = {"run-A", k1, "ok", 1, 200, NULL, 812.5, 1700000001.5};
    cache_log_entry_t failed = {
        "run-A", k2, "failed", 5, 429, "rate limited after 5 attempts", -1, 1700000002.0};
    cache_log_entry_t cached = {"run-B", k1, "cached", 0, 0, NULL, 0.25, 0};
    CHECK_INT(cache_log(c, &ok), 0);
    CHECK_INT(cache_log(c, &failed), 0);
    CHECK_INT(cache_log(c, &cached), 0);
    CHECK_INT(cache_pending(c), 3);
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM call_log"), 0);
    CHECK_INT(cache_flush(c), 3);

    char q[512], s[256];
    snprintf(q, sizeof q,
             "SELECT count(*) FROM call_log WHERE run_id='run-A' AND key='%s' AND status='ok' "
             "AND attempts=1 AND http_status=200 AND error IS NULL AND latency_ms=812.5 AND "
             "at=1700000001.5",
             k1);
    CHECK_INT(tc_sql_int(path, q), 1);
    snprintf(q, sizeof q,
             "SELECT count(*) FROM call_log WHERE run_id='run-A' AND key='%s' AND "
             "status='failed' AND attempts=5 AND http_status=429 AND latency_ms IS NULL AND "
             "at=1700000002.0",
             k2);
    CHECK_INT(tc_sql_int(path, q), 1);
    tc_sql_text(path, "SELECT error FROM call_log WHERE status='failed'", s, sizeof s);
    CHECK_STR(s, "rate limited after 5 attempts");
    CHECK_INT(tc_sql_int(path, "SELECT count(*) FROM call_log WHERE run_id='run-B' AND "
                               "status='cached' AND http_status IS NULL AND at > 1700000002"),
              1);
    /* rows come back in the order they were logged */
    tc_sql_text(path,
                "SELECT group_concat(status, ',') FROM (SELECT status FROM call_log "
                "ORDER BY id)",
                s, sizeof s);
    CHECK_STR(s, "ok,failed,cached");

    /* invalid rows are refused at once, with a reason, and nothing is queued */
    cache_log_entry_t bad = ok;
    bad.status = "unscored";
    CHECK_INT(cache_log(c, &bad), -1);
    CHECK(tc_contains(cache_errmsg(c), "unscored"));
    bad = ok;
    bad.run_id = "";
    CHECK_INT(cache_log(c, &bad), -1);
    bad = ok;
    bad.key = "Bearer sk-not-a-key";
    CHECK_INT(cache_log(c, &bad), -1);
    bad = ok;
    bad.attempts = -1;
    CHECK_INT(cache_log(c, &bad), -1);
    CHECK_INT(cache_log(c, NULL), -1);
    CHECK_INT(cache_pending(c), 0);
    cache_stats_t st;
    CHECK_INT(cache_stats(c, &st), 0);
    CHECK_INT(st.logs, 3);
    CHECK_INT(st.log_on_disk, 3);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    tc_rmrf(dir);
}

TEST(cache_keys_must_be_sha256_hex)
{
    char dir[64], path[256], err[512], key[65];
    tc_tmpdir(dir);
    tc_path(path, sizeof path, dir, "cache.sqlite");
    cache_t *c = cache_open(path, 0, err, sizeof err);
    CHECK(c != NULL);
    if (!c) return;
    tc_key(1, key);
    CHECK(cache_key_valid(key));
    CHECK(!cache_key_valid(NULL));
    CHECK(!cache_key_valid(""));
    CHECK(!cache_key_valid("abc"));
    char upper[65], longer[66], shorter[64];
    memcpy(upper, key, 65);
    upper[0] = 'A';
    upper[1] = 'F';
    memcpy(longer, key, 64);
    longer[64] = '0';
    longer[65] = '\0';
    memcpy(shorter, key, 63);
    shorter[63] = '\0';
    CHECK(!cache_key_valid(upper));
    CHECK(!cache_key_valid(longer));
    CHECK(!cache_key_valid(shorter));
    /* a raw request (which might carry a secret) can never become a key */
    CHECK_INT(cache_put(c, "{\"authorization\":\"Bearer sk-x\"}", "{}", 2, NULL), -1);
    CHECK(tc_contains(cache_errmsg(c), "invalid key"));
    CHECK_INT(cache_put(c, upper, "{}", 2, NULL), -1);
    CHECK_INT(cache_get(c, longer, NULL, NULL), -1);
    CHECK_INT(cache_put(c, key, NULL, 3, NULL), -1);
    CHECK_INT(cache_pending(c), 0);
    CHECK_INT(cache_close(c, NULL, 0), 0);
    tc_rmrf(dir);
}

TEST(cache_close_null_is_noop)
{
    char err[64] = "x";
    CHECK_INT(cache_close(NULL, err, sizeof err), 0);
    CHECK_STR(err, "");
}

/* ---- crash safety ------------------------------------------------------------------------ */

/* Child side of the kill test: put+log+flush forever. Before each flush it writes -total (about to
 * flush rows up to total), after the flush returns +total; the parent SIGKILLs it. Each write is
 * 8 bytes, under PIPE_BUF, so a report is never torn. */
static void tc_crash_child(const char *path, int fd, long batch)
{
    char err[512], key[65];
    buf_t v;
    buf_init(&v);
    cache_t *c = cache_open(path, 0, err, sizeof err);
    if (!c) _exit(2);
    for (long i = 0; i < 5000000;) {
        for (long k = 0; k < batch; k++, i++) {
            tc_key(i, key);
            tc_value(i, &v);
            cache_entry_meta_t m = {"judge", "openai", i, i, 1.0, 0};
            cache_log_entry_t le = {"crash-run", key, "ok", 1, 200, NULL, 1.0, 0};
            if (cache_put(c, key, v.data, v.len, &m) != 0 || cache_log(c, &le) != 0) _exit(3);
        }
        int64_t mark = -(int64_t)i, done = i;
        if (write(fd, &mark, sizeof mark) != (ssize_t)sizeof mark) _exit(5);
        if (cache_flush(c) < 0) _exit(4);
        if (write(fd, &done, sizeof done) != (ssize_t)sizeof done) _exit(5);
    }
    _exit(0);
}

TEST(cache_sigkill_mid_flush_loses_no_committed_row)
{
    /* Each round lets the child complete some flushes, waits for it to start another, then kills
     * it a random time later, shorter than such a flush takes (about 25 us a row under ASan), so
     * the kill lands inside the flush (insert, commit, WAL write, checkpoint) rather than between
     * flushes. The last round's batch is bigger than SQLite's page cache, so the transaction
     * spills to the file before it commits. */
    const int flushes_before_kill[] = {1, 3, 10, 25, 60, 2};
    const long batch_size[] = {37, 87, 137, 187, 237, 6000};
    const size_t rounds = sizeof flushes_before_kill / sizeof flushes_before_kill[0];
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    int killed_mid_flush = 0;
    for (size_t round = 0; round < rounds; round++) {
        char dir[64], path[256], err[512], key[65];
        tc_tmpdir(dir);
        tc_path(path, sizeof path, dir, "runs/cache.sqlite");
        int fds[2];
        CHECK_INT(pipe(fds), 0);
        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            tc_crash_child(path, fds[1], batch_size[round]);
        }
        close(fds[1]);
        int64_t last = 0, r = 0;
        int flushed = 0;
        while (read(fds[0], &r, sizeof r) == (ssize_t)sizeof r) {
            if (r > 0) {
                last = r;
                flushed++;
            } else if (flushed >= flushes_before_kill[round]) {
                break; /* the child has just entered cache_flush */
            }
        }
        CHECK_INT(flushed, flushes_before_kill[round]); /* the child was alive and flushing */
        tc_sleep_us(rand_r(&seed) % (unsigned)(batch_size[round] * 15));
        CHECK_INT(kill(pid, SIGKILL), 0);
        int status = 0;
        CHECK_INT(waitpid(pid, &status, 0), pid);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* Drain what the child wrote before it died: the last "+n" is the floor of what must be
         * on disk; a trailing "-n" means it died inside that flush. */
        while (read(fds[0], &r, sizeof r) == (ssize_t)sizeof r)
            if (r > 0) last = r;
        close(fds[0]);
        if (r < 0) killed_mid_flush++;

        char ic[64];
        tc_sql_text(path, "PRAGMA integrity_check", ic, sizeof ic);
        CHECK_STR(ic, "ok");
        cache_t *c = cache_open(path, 0, err, sizeof err);
        CHECK(c != NULL);
        if (!c) {
            fprintf(stderr, "  reopen: %s\n", err);
            continue;
        }
        cache_stats_t st;
        CHECK_INT(cache_stats(c, &st), 0);
        CHECK(st.calls_on_disk >= last);
        CHECK_INT(st.calls_on_disk, st.log_on_disk); /* puts and logs commit together */
        buf_t v, want;
        buf_init(&v);
        buf_init(&want);
        long missing = 0;
        for (long i = 0; i < last; i++) {
            tc_key(i, key);
            tc_value(i, &want);
            if (cache_get(c, key, &v, NULL) != 1 || strcmp(buf_cstr(&v), want.data) != 0) missing++;
        }
        CHECK_INT(missing, 0);
        CHECK(last > 0);
        CHECK_INT(cache_close(c, NULL, 0), 0);
        buf_free(&v);
        buf_free(&want);
        tc_rmrf(dir);
    }
    /* Otherwise the test only proved that killing between flushes is safe. */
    CHECK(killed_mid_flush >= 1);
}
