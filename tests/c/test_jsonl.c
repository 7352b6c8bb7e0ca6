/* Tests for core/json/jsonl.c: the streaming reader (line endings, BOM, blank lines, over-long
 * lines, open/read errors, a multi-MB file, bounded memory) and the whole-line writer (buffering,
 * torn-tail recovery, write errors, a writer killed mid-run). Temporary files live under /tmp. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "json/json.h"
#include "json/jsonl.h"

/* Create a fresh temp file holding data[0..len); its name goes to path. */
static void tmp_with(char path[64], const char *data, size_t len)
{
    snprintf(path, 64, "/tmp/ratio-jsonl-XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    CHECK_INT(write(fd, data, len), (long long)len);
    close(fd);
}

static void tmp_str(char path[64], const char *s)
{
    tmp_with(path, s, strlen(s));
}

/* Whole content of a file into b (reset first). */
static void slurp(buf_t *b, const char *path)
{
    buf_reset(b);
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0);
    if (fd < 0) return;
    char tmp[65536];
    ssize_t n;
    while ((n = read(fd, tmp, sizeof tmp)) > 0)
        buf_append(b, tmp, (size_t)n);
    close(fd);
}

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* All lines of a reader as "LINENO:text|..." (or "LINENO:ERR(msg)|"), for compact assertions. */
static const char *read_all(buf_t *out, jsonl_reader_t *r)
{
    const char *line;
    size_t len;
    int rc;
    buf_reset(out);
    while ((rc = jsonl_next(r, &line, &len)) != 0) {
        if (rc < 0) {
            buf_printf(out, "%ld:ERR(%s)|", jsonl_lineno(r), jsonl_error(r));
            if (strstr(jsonl_error(r), "read error")) break;
            continue;
        }
        if (line[len] != '\0') buf_puts(out, "NOT-NUL-TERMINATED");
        buf_printf(out, "%ld:", jsonl_lineno(r));
        buf_append(out, line, len);
        buf_putc(out, '|');
    }
    return buf_cstr(out);
}

static const char *read_file(buf_t *out, const char *content, size_t len, size_t max_line)
{
    char path[64], err[256];
    tmp_with(path, content, len);
    jsonl_reader_t *r = jsonl_open(path, max_line, err, sizeof err);
    CHECK(r != NULL);
    if (!r) return "(open failed)";
    read_all(out, r);
    /* EOF is sticky. */
    const char *line;
    size_t n;
    CHECK_INT(jsonl_next(r, &line, &n), 0);
    jsonl_close(r);
    unlink(path);
    /* Error messages carry the random temp name: make them comparable. */
    char *at;
    while ((at = strstr(out->data ? out->data : "", path)) != NULL) {
        memcpy(at, "PATH", 4);
        memmove(at + 4, at + strlen(path), strlen(at + strlen(path)) + 1);
        out->len -= strlen(path) - 4;
    }
    return buf_cstr(out);
}

#define RD(s) read_file(&out, s, sizeof(s) - 1, 0)

TEST(jsonl_reader_line_endings_bom_blank_lines)
{
    buf_t out = {0};
    CHECK_STR(RD(""), "");
    CHECK_STR(RD("\n\n  \n"), "");
    CHECK_STR(RD("{\"a\":1}\n[2]\n"), "1:{\"a\":1}|2:[2]|");
    CHECK_STR(RD("{\"a\":1}\r\n[2]\r\n"), "1:{\"a\":1}|2:[2]|");
    CHECK_STR(RD("a\nb"), "1:a|2:b|");     /* no final newline */
    CHECK_STR(RD("a\r\nb\r"), "1:a|2:b|"); /* CR of a last line without LF */
    CHECK_STR(RD("\xEF\xBB\xBF{}\n[]\n"), "1:{}|2:[]|");
    CHECK_STR(RD("\xEF\xBB\xBF\n[]"), "2:[]|"); /* a BOM-only first line is blank */
    CHECK_STR(RD("x\n\xEF\xBB\xBFy\n"), "1:x|2:\xEF\xBB\xBFy|"); /* BOM only counts on line 1 */
    CHECK_STR(RD("\n  \n{}\n\t\r\n\n[]\n  \n"), "3:{}|6:[]|");
    CHECK_STR(RD("  {} \n"), "1:  {} |"); /* content is returned as is */
    CHECK_STR(RD("a\rb\n"), "1:a\rb|");   /* only a CR right before the LF is a line ending */
    buf_free(&out);
}

TEST(jsonl_reader_over_long_line_then_continue)
{
    buf_t out = {0};
    const char *ten = "0123456789\n0123456789\r\n01234567890\nok\n";
    CHECK_STR(read_file(&out, ten, strlen(ten), 10),
              "1:0123456789|2:0123456789|3:ERR(PATH:3: line longer than 10 bytes)|4:ok|");
    buf_t in = {0};
    buf_puts(&in, "short\n");
    for (int i = 0; i < 25; i++)
        buf_putc(&in, 'x');
    buf_puts(&in, "\nafter\n");
    for (int i = 0; i < 25; i++)
        buf_putc(&in, 'y'); /* over-long last line without LF */
    CHECK_STR(read_file(&out, in.data, in.len, 10),
              "1:short|2:ERR(PATH:2: line longer than 10 bytes)|3:after|"
              "4:ERR(PATH:4: line longer than 10 bytes)|");
    buf_free(&in);
    buf_free(&out);
}

TEST(jsonl_reader_huge_line_keeps_memory_bounded)
{
    /* A 3 MB line with max_line 1000: rejected without ever buffering it, then reading goes on. */
    buf_t in = {0}, out = {0};
    buf_puts(&in, "{\"first\":1}\n");
    for (int i = 0; i < 3 << 20; i++)
        buf_putc(&in, 'z');
    buf_puts(&in, "\r\n{\"last\":2}\n");
    char path[64], err[256];
    tmp_with(path, in.data, in.len);
    jsonl_reader_t *r = jsonl_open(path, 1000, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        const char *line;
        size_t len;
        CHECK_INT(jsonl_next(r, &line, &len), 1);
        CHECK_INT(jsonl_next(r, &line, &len), -1);
        CHECK_INT(jsonl_lineno(r), 2);
        CHECK(strstr(jsonl_error(r), ":2: line longer than 1000 bytes") != NULL);
        CHECK_INT(jsonl_next(r, &line, &len), 1);
        CHECK_STR(line, "{\"last\":2}");
        CHECK_INT(jsonl_lineno(r), 3);
        CHECK(jsonl_buffer_size(r) <= 1000 + JSONL_CHUNK + 3);
        CHECK_INT(jsonl_next(r, &line, &len), 0);
        jsonl_close(r);
    }
    unlink(path);
    buf_free(&in);
    buf_free(&out);
}

TEST(jsonl_reader_crlf_split_across_chunks)
{
    /* The first read ends exactly on the '\r'; its '\n' arrives with the next read. */
    buf_t in = {0}, out = {0}, want = {0};
    for (size_t i = 0; i + 1 < JSONL_CHUNK; i++)
        buf_putc(&in, 'a');
    buf_puts(&in, "\r\nb\r\n");
    const char *got = read_file(&out, in.data, in.len, 0);
    buf_puts(&want, "1:");
    buf_append(&want, in.data, JSONL_CHUNK - 1);
    buf_puts(&want, "|2:b|");
    CHECK(strcmp(got, want.data) == 0);
    /* A line of exactly max_line bytes followed by CRLF straddling the read boundary. */
    got = read_file(&out, in.data, in.len, JSONL_CHUNK - 1);
    CHECK(strcmp(got, want.data) == 0);
    buf_free(&in);
    buf_free(&out);
    buf_free(&want);
}

TEST(jsonl_open_errors_name_the_path)
{
    char err[256] = "";
    CHECK(jsonl_open("/tmp", 0, err, sizeof err) == NULL);
    CHECK_STR(err, "/tmp: is a directory");
    CHECK(jsonl_open("/tmp/ratio-no-such-dir/x.jsonl", 0, err, sizeof err) == NULL);
    CHECK_STR(err, "/tmp/ratio-no-such-dir/x.jsonl: no such file or directory");
    CHECK(jsonl_open("", 0, err, sizeof err) == NULL);
    CHECK_STR(err, ": no such file or directory");
    CHECK(jsonl_open("/tmp", 0, NULL, 0) == NULL); /* no message buffer is fine */
    if (geteuid() != 0) { /* root reads anything, so this case only runs unprivileged */
        char path[64];
        tmp_str(path, "{}\n");
        chmod(path, 0);
        CHECK(jsonl_open(path, 0, err, sizeof err) == NULL);
        CHECK(strstr(err, ": permission denied") != NULL);
        unlink(path);
    }
}

TEST(jsonl_reader_read_error_is_reported)
{
    /* /proc/self/mem opens fine, but reading at offset 0 (unmapped) fails with EIO. */
    char err[256];
    jsonl_reader_t *r = jsonl_open("/proc/self/mem", 0, err, sizeof err);
    if (!r) return; /* not Linux: nothing to check */
    const char *line;
    size_t len;
    CHECK_INT(jsonl_next(r, &line, &len), -1);
    CHECK_STR(jsonl_error(r), "/proc/self/mem:1: read error: input/output error");
    CHECK_INT(jsonl_next(r, &line, &len), -1); /* final */
    jsonl_close(r);
}

TEST(jsonl_reader_stdin)
{
    char path[64];
    tmp_str(path, "{\"from\":\"stdin\"}\n");
    int saved = dup(STDIN_FILENO), fd = open(path, O_RDONLY);
    CHECK(saved >= 0 && fd >= 0);
    dup2(fd, STDIN_FILENO);
    close(fd);
    char err[256];
    jsonl_reader_t *r = jsonl_open("-", 0, err, sizeof err);
    CHECK(r != NULL);
    if (r) {
        const char *line;
        size_t len;
        CHECK_INT(jsonl_next(r, &line, &len), 1);
        CHECK_STR(line, "{\"from\":\"stdin\"}");
        CHECK_INT(jsonl_next(r, &line, &len), 0);
        jsonl_close(r);
    }
    CHECK(fcntl(STDIN_FILENO, F_GETFD) != -1); /* closing the reader left stdin open */
    dup2(saved, STDIN_FILENO);
    close(saved);
    unlink(path);
}

static uint64_t jl_rng(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Line i of the generated file: a JSON object whose padding length varies from 0 to ~3 KB. */
static void gen_line(buf_t *b, uint64_t *seed, long i)
{
    uint64_t r = jl_rng(seed);
    size_t pad = (size_t)(r % 16 == 0 ? r % 3000 : r % 200);
    buf_reset(b);
    buf_printf(b, "{\"i\":%ld,\"pad\":\"", i);
    for (size_t k = 0; k < pad; k++)
        buf_putc(b, (char)('a' + (k + (size_t)i) % 26));
    buf_puts(b, "\"}");
}

TEST(jsonl_reader_multi_megabyte_file)
{
    char path[64];
    tmp_str(path, "");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f) return;
    buf_t line = {0};
    uint64_t seed = 7;
    long nlines = 0, physical = 0;
    while (ftell(f) < (8L << 20)) { /* 8 MB */
        gen_line(&line, &seed, nlines);
        fwrite(line.data, 1, line.len, f);
        uint64_t r = jl_rng(&seed);
        fputs(r % 3 == 0 ? "\r\n" : "\n", f);
        physical++;
        if (r % 10 == 0) { /* a blank line, counted but skipped */
            fputs(r % 20 == 0 ? "   \n" : "\n", f);
            physical++;
        }
        nlines++;
    }
    fputs("{\"tail\":true}", f); /* no final newline */
    physical++;
    fclose(f);
    CHECK(file_size(path) > (8L << 20));

    char err[256];
    jsonl_reader_t *r = jsonl_open(path, 0, err, sizeof err);
    CHECK(r != NULL);
    if (!r) return;
    uint64_t check_seed = 7;
    long got = 0, bad = 0;
    const char *text;
    size_t len;
    size_t max_buffer = 0;
    while (got < nlines && jsonl_next(r, &text, &len) == 1) {
        gen_line(&line, &check_seed, got);
        jl_rng(&check_seed); /* the line-ending draw */
        if (len != line.len || memcmp(text, line.data, len) != 0) bad++;
        if (json_parse(text, len, NULL, NULL, 0, NULL) != JSON_OK) bad++;
        if (jsonl_buffer_size(r) > max_buffer) max_buffer = jsonl_buffer_size(r);
        got++;
    }
    CHECK_INT(got, nlines);
    CHECK_INT(bad, 0);
    CHECK_INT(jsonl_next(r, &text, &len), 1);
    CHECK_STR(text, "{\"tail\":true}");
    CHECK_INT(jsonl_lineno(r), physical);
    CHECK_INT(jsonl_next(r, &text, &len), 0);
    /* Memory depends on the longest line, not on the file: a few chunks at most. */
    CHECK(max_buffer <= 4 * JSONL_CHUNK);
    jsonl_close(r);
    unlink(path);
    buf_free(&line);
}

/* ---- writer --------------------------------------------------------------------------------- */

TEST(jsonl_writer_writes_whole_lines_only)
{
    char path[64], err[256];
    buf_t b = {0};
    tmp_str(path, "old content\n");
    jsonl_writer_t *w = jsonl_writer_open(path, 0, err, sizeof err); /* truncates */
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(file_size(path), 0);
    CHECK_INT(jsonl_write(w, "{\"a\":1}", 7), 0);
    CHECK_INT(file_size(path), 0); /* still queued */
    CHECK_INT(jsonl_flush(w), 0);
    slurp(&b, path);
    CHECK_STR(buf_cstr(&b), "{\"a\":1}\n");
    CHECK_INT(jsonl_write(w, "[1,\n2]", 6), -1); /* embedded newline: refused, nothing queued */
    CHECK(strstr(jsonl_writer_error(w), "embedded newline") != NULL);
    CHECK_INT(jsonl_write(w, "", 0), -1);
    CHECK(strstr(jsonl_writer_error(w), "empty line") != NULL);
    /* Many lines: whatever reached the file so far always ends on a line boundary. */
    char line[256];
    int torn = 0, flushed_some = 0;
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(line, sizeof line, "{\"i\":%d,\"pad\":\"%0*d\"}", i, i % 150, 0);
        CHECK_INT(jsonl_write(w, line, (size_t)n), 0);
        long long size = file_size(path);
        if (size > 8) {
            flushed_some = 1;
            int fd = open(path, O_RDONLY);
            char last = 0;
            if (pread(fd, &last, 1, size - 1) != 1 || last != '\n') torn++;
            close(fd);
        }
    }
    CHECK(flushed_some);
    CHECK_INT(torn, 0);
    CHECK_INT(jsonl_fsync(w), 0);
    CHECK_INT(jsonl_writer_close(w, err, sizeof err), 0);
    /* Read it all back. */
    jsonl_reader_t *r = jsonl_open(path, 0, err, sizeof err);
    const char *text;
    size_t len;
    int count = 0;
    while (r && jsonl_next(r, &text, &len) == 1)
        count++;
    CHECK_INT(count, 5001);
    jsonl_close(r);
    unlink(path);
    buf_free(&b);
}

TEST(jsonl_writer_append_recovers_torn_line)
{
    char path[64], err[256];
    buf_t b = {0};
    const char *torn = "{\"a\":1}\n{\"b\":2}\n{\"c\":";
    tmp_str(path, torn);
    jsonl_writer_t *w = jsonl_writer_open(path, 1, err, sizeof err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(jsonl_writer_recovered_bytes(w), 5);
    CHECK_INT(file_size(path), 16);
    CHECK_INT(jsonl_write(w, "{\"c\":3}", 7), 0);
    CHECK_INT(jsonl_writer_close(w, err, sizeof err), 0);
    slurp(&b, path);
    CHECK_STR(buf_cstr(&b), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");

    /* A clean file is left alone. */
    w = jsonl_writer_open(path, 1, err, sizeof err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(jsonl_writer_recovered_bytes(w), 0);
    CHECK_INT(jsonl_writer_close(w, NULL, 0), 0);
    slurp(&b, path);
    CHECK_STR(buf_cstr(&b), "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    unlink(path);

    /* No newline at all: the whole file was one torn line. */
    tmp_str(path, "{\"partial\":");
    w = jsonl_writer_open(path, 1, err, sizeof err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(jsonl_writer_recovered_bytes(w), 11);
    CHECK_INT(jsonl_writer_close(w, NULL, 0), 0);
    CHECK_INT(file_size(path), 0);
    unlink(path);

    /* A torn tail longer than the backward-scan block. */
    buf_reset(&b);
    buf_puts(&b, "{\"ok\":1}\n");
    for (int i = 0; i < 10000; i++)
        buf_putc(&b, 'x');
    tmp_with(path, b.data, b.len);
    w = jsonl_writer_open(path, 1, err, sizeof err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(jsonl_writer_recovered_bytes(w), 10000);
    CHECK_INT(jsonl_writer_close(w, NULL, 0), 0);
    slurp(&b, path);
    CHECK_STR(buf_cstr(&b), "{\"ok\":1}\n");
    unlink(path);

    /* Append creates a missing file. */
    CHECK(file_size(path) < 0);
    w = jsonl_writer_open(path, 1, err, sizeof err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(jsonl_writer_recovered_bytes(w), 0);
    CHECK_INT(jsonl_write(w, "1", 1), 0);
    CHECK_INT(jsonl_writer_close(w, NULL, 0), 0);
    slurp(&b, path);
    CHECK_STR(buf_cstr(&b), "1\n");
    unlink(path);
    buf_free(&b);
}

TEST(jsonl_writer_errors)
{
    char err[256] = "";
    CHECK(jsonl_writer_open("/tmp", 1, err, sizeof err) == NULL);
    CHECK_STR(err, "/tmp: is a directory");
    CHECK(jsonl_writer_open("/tmp/ratio-no-such-dir/out.jsonl", 0, err, sizeof err) == NULL);
    CHECK_STR(err, "/tmp/ratio-no-such-dir/out.jsonl: no such file or directory");
    /* /dev/full fails every write with ENOSPC: the failure is reported, and sticks. */
    jsonl_writer_t *w = jsonl_writer_open("/dev/full", 0, err, sizeof err);
    CHECK(w != NULL);
    if (!w) return;
    CHECK_INT(jsonl_write(w, "{}", 2), 0);
    CHECK_INT(jsonl_flush(w), -1);
    CHECK_STR(jsonl_writer_error(w), "/dev/full: write error: no space left on device");
    CHECK_INT(jsonl_write(w, "{}", 2), -1);
    err[0] = '\0';
    CHECK_INT(jsonl_writer_close(w, err, sizeof err), -1);
    CHECK_STR(err, "/dev/full: write error: no space left on device");
    CHECK_INT(jsonl_writer_close(NULL, NULL, 0), 0);
}

TEST(jsonl_writer_stdout)
{
    char path[64], err[256];
    buf_t b = {0};
    tmp_str(path, "");
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), fd = open(path, O_WRONLY);
    dup2(fd, STDOUT_FILENO);
    close(fd);
    jsonl_writer_t *w = jsonl_writer_open("-", 0, err, sizeof err);
    int rc = w ? jsonl_write(w, "[\"out\"]", 7) : -1;
    int rc_close = jsonl_writer_close(w, err, sizeof err);
    int still_open = fcntl(STDOUT_FILENO, F_GETFD) != -1;
    dup2(saved, STDOUT_FILENO);
    close(saved);
    CHECK(w != NULL);
    CHECK_INT(rc, 0);
    CHECK_INT(rc_close, 0);
    CHECK(still_open);
    slurp(&b, path);
    CHECK_STR(buf_cstr(&b), "[\"out\"]\n");
    unlink(path);
    buf_free(&b);
}

/* A writer SIGKILLed at an arbitrary moment leaves only whole lines once the file is reopened
 * for append (which cuts a tail torn by a write(2) the kernel only partly completed). */
TEST(jsonl_writer_killed_mid_run_leaves_whole_lines)
{
    char path[64], err[256];
    tmp_str(path, "");
    for (int round = 0; round < 3; round++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            jsonl_writer_t *w = jsonl_writer_open(path, 1, err, sizeof err);
            if (!w) _exit(2);
            buf_t line = {0};
            uint64_t seed = (uint64_t)round;
            for (long i = 0; i < 20000; i++) { /* ~20 MB per round at most */
                gen_line(&line, &seed, i);
                if (jsonl_write(w, line.data, line.len)) _exit(3);
            }
            jsonl_writer_close(w, NULL, 0);
            _exit(0);
        }
        struct timespec ts = {0, 5000000L * (round + 1)};
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
        jsonl_writer_t *w = jsonl_writer_open(path, 1, err, sizeof err);
        CHECK(w != NULL);
        if (!w) break;
        CHECK(jsonl_writer_recovered_bytes(w) >= 0);
        CHECK_INT(jsonl_writer_close(w, NULL, 0), 0);
        jsonl_reader_t *r = jsonl_open(path, 0, err, sizeof err);
        const char *text;
        size_t len;
        long n = 0, invalid = 0;
        while (r && jsonl_next(r, &text, &len) == 1) {
            if (json_parse(text, len, NULL, NULL, 0, NULL) != JSON_OK) invalid++;
            n++;
        }
        CHECK_INT(invalid, 0);
        CHECK(n >= 0);
        jsonl_close(r);
        long long size = file_size(path);
        if (size > 0) {
            int fd = open(path, O_RDONLY);
            char last = 0;
            CHECK_INT(pread(fd, &last, 1, size - 1), 1);
            CHECK_INT(last, '\n');
            close(fd);
        }
    }
    unlink(path);
}

/* A write that stops part-way (here: the file size limit, RLIMIT_FSIZE, mid-line) is reported,
 * and the writer cuts the file back to its last whole line. Runs in a child: the limit is
 * process-wide. */
TEST(jsonl_writer_short_write_is_cut_back_to_whole_lines)
{
    char path[64], err[256];
    tmp_str(path, "");
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        struct rlimit lim = {1000, 1000};
        signal(SIGXFSZ, SIG_IGN); /* get EFBIG instead of being killed */
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(10);
        jsonl_writer_t *w = jsonl_writer_open(path, 0, err, sizeof err);
        if (!w) _exit(11);
        char line[64];
        for (int i = 0; i < 40; i++) { /* 40 lines of 30 bytes: 1200 bytes */
            int n = snprintf(line, sizeof line, "{\"i\":%02d,\"pad\":\"xxxxxxxxxxxx\"}", i);
            if (jsonl_write(w, line, (size_t)n)) _exit(12);
        }
        if (jsonl_flush(w) != -1) _exit(13);
        if (!strstr(jsonl_writer_error(w), ": write error: file too large")) _exit(14);
        if (jsonl_writer_close(w, NULL, 0) != -1) _exit(15);
        _exit(0);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK_INT(WEXITSTATUS(status), 0);
    CHECK_INT(file_size(path), 990); /* 33 whole lines; the 34th was cut at byte 1000 */
    buf_t b = {0};
    slurp(&b, path);
    CHECK(b.len > 0 && b.data[b.len - 1] == '\n');
    unlink(path);
    buf_free(&b);
}
