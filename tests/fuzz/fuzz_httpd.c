/* libFuzzer target for the HTTP server's request handling (core/net/httpd.c on libh2o 2.2.5).
 *
 * One httpd runs on an ephemeral 127.0.0.1 port inside the fuzz process, on a loop this file
 * drives. Each input is sent as raw bytes over a fresh TCP connection, in two writes (the split
 * point comes from the input, so bytes that arrive while a request is pending take the pipelined
 * path of httpd.c), then the client half-closes and reads until the server closes. The handler
 * answers at once, one loop pass later, or aborts mid-body (fault injection), chosen by the input.
 *
 * Input: byte 0 = mode (low 2 bits: 0 respond now, 1 respond later, 2 abort later, 3 mixed),
 * byte 1 = split point (per 256 of the rest), then the bytes sent.
 *
 * The server requires the token "t" except on a few public routes, and limits heads to 1 KiB and
 * all bodies held at once to 2 KiB, so inputs also go through the checks on the head (answered
 * before the body, with a lingering close).
 *
 * Checks: every request the handler sees has NUL-terminated method and path, a query, a version
 * of 10, 11 or 20, lower-case header names that header_at and header agree on, and a body within
 * max_body_bytes; the server answers HTTP/1 with an HTTP/1 status line (or nothing); and once the
 * client has closed, the server gets back to no open connection and no request in flight — no
 * connection, request or wrapper is leaked (LeakSanitizer checks the memory). libh2o itself is
 * not instrumented, so coverage guides the fuzzer through httpd.c only. */
#define _GNU_SOURCE /* <uv.h> */

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "fuzz.h"
#include "net/httpd.h"

#define FH_MAX_BODY 1024
#define FH_PENDING 64

typedef struct fh_env {
    uv_loop_t loop;
    httpd_t *srv;
    int port;
    int mode;  /* this input's mode */
    int count; /* requests seen in this input */
    httpd_req_t *pending[FH_PENDING];
    size_t npending;
} fh_env;

static double fh_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fh_check_req(httpd_req_t *req)
{
    const char *m = httpd_req_method(req), *p = httpd_req_path(req), *q = httpd_req_query(req);
    FUZZ_REQUIRE(m != NULL && p != NULL && q != NULL);
    (void)strlen(m);
    (void)strlen(p);
    (void)strlen(q);
    int v = httpd_req_http_version(req);
    FUZZ_REQUIRE(v == 10 || v == 11 || v == 20);
    size_t nh = httpd_req_header_count(req);
    for (size_t i = 0; i < nh; i++) {
        const char *name, *value;
        FUZZ_REQUIRE(httpd_req_header_at(req, i, &name, &value));
        FUZZ_REQUIRE(name != NULL && value != NULL);
        for (const char *c = name; *c; c++) FUZZ_REQUIRE(!isupper((unsigned char)*c));
        FUZZ_REQUIRE(httpd_req_header(req, name) != NULL);
    }
    const char *n2, *v2;
    FUZZ_REQUIRE(!httpd_req_header_at(req, nh, &n2, &v2));
    size_t blen = 7;
    const char *body = httpd_req_body(req, &blen);
    FUZZ_REQUIRE(body != NULL && blen <= FH_MAX_BODY);
    if (blen) (void)((volatile const char *)body)[blen - 1];
}

static void fh_gone(httpd_req_t *req, void *ud)
{
    (void)ud;
    FUZZ_REQUIRE(httpd_req_is_gone(req));
}

/* Finishes req the way this input's mode says. */
static void fh_finish(fh_env *e, httpd_req_t *req, int later)
{
    size_t blen;
    const char *body = httpd_req_body(req, &blen);
    int abort_it = (e->mode & 3) == 2 || ((e->mode & 3) == 3 && (e->count & 1));
    if (later && abort_it) {
        httpd_abort(req, body, blen / 2);
    } else {
        httpd_header_t h[] = {{"X-Path", httpd_req_path(req)}, {"X-Bad", "a\r\nb"}};
        httpd_respond(req, 200 + e->count % 400, h, 2, body, blen);
    }
}

static void fh_handler(httpd_req_t *req, void *ud)
{
    fh_env *e = ud;
    e->count++;
    fh_check_req(req);
    httpd_req_on_gone(req, fh_gone, e);
    int later = (e->mode & 3) == 1 || (e->mode & 3) == 2 || ((e->mode & 3) == 3 && e->count % 3);
    if (later && e->npending < FH_PENDING) {
        e->pending[e->npending++] = req;
        return;
    }
    fh_finish(e, req, 0);
}

/* One pass of the loop, then the deferred answers. */
static void fh_pump(fh_env *e)
{
    uv_run(&e->loop, UV_RUN_NOWAIT);
    size_t n = e->npending;
    e->npending = 0;
    for (size_t i = 0; i < n; i++) fh_finish(e, e->pending[i], 1);
}

static fh_env *fh_setup(void)
{
    static fh_env *env; /* the one server of this fuzz process */
    if (env) return env;
    env = calloc(1, sizeof *env);
    uv_loop_init(&env->loop);
    /* a token and public routes, so inputs reach both the head checks and the handler */
    static const char *const publics[] = {"GET /",     "GET /2",      "GET /3",
                                          "POST /big", "POST /short", NULL};
    httpd_config_t cfg = {.host = "127.0.0.1",
                          .max_body_bytes = FH_MAX_BODY,
                          .max_buffered_bytes = 2 * FH_MAX_BODY,
                          .max_head_bytes = 1024,
                          .token = "t",
                          .public_routes = publics};
    char err[256];
    env->srv = httpd_new(&env->loop, &cfg, fh_handler, env, err, sizeof err);
    if (!env->srv) {
        fprintf(stderr, "fuzz_httpd: httpd_new: %s\n", err);
        abort();
    }
    env->port = httpd_port(env->srv);
    return env;
}

/* Sends data[0..len) without blocking the loop; returns 0, or -1 once the server has hung up. */
static int fh_send(fh_env *e, int fd, const uint8_t *data, size_t len)
{
    double deadline = fh_now() + 5;
    while (len) {
        ssize_t w = send(fd, data, len, MSG_NOSIGNAL);
        if (w > 0) {
            data += w;
            len -= (size_t)w;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            return -1;
        }
        fh_pump(e);
        FUZZ_REQUIRE(fh_now() < deadline);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fh_env *e = fh_setup();
    if (size < 2) return 0;
    e->mode = data[0];
    e->count = 0;
    const uint8_t *msg = data + 2;
    size_t len = size - 2;
    size_t split = len * data[1] / 256;

    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    FUZZ_REQUIRE(fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)e->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    FUZZ_REQUIRE(rc == 0 || errno == EINPROGRESS);
    for (double deadline = fh_now() + 5;;) { /* connected once writable */
        struct pollfd pfd = {fd, POLLOUT, 0};
        if (poll(&pfd, 1, 0) == 1) break;
        fh_pump(e);
        FUZZ_REQUIRE(fh_now() < deadline);
    }

    /* Read everything the server says until it closes (EOF or reset). */
    char head[16] = {0};
    size_t got = 0;
    int open = fh_send(e, fd, msg, split) == 0;
    for (int i = 0; open && i < 3; i++) fh_pump(e);
    if (open) open = fh_send(e, fd, msg + split, len - split) == 0;
    if (open) shutdown(fd, SHUT_WR);
    for (double deadline = fh_now() + 5; open;) {
        char b[4096];
        ssize_t r = recv(fd, b, sizeof b, 0);
        if (r > 0) {
            for (ssize_t i = 0; i < r && got < sizeof head - 1; i++) head[got++] = b[i];
            if (got >= sizeof head - 1) got = sizeof head - 1;
            continue;
        }
        if (r == 0 || (errno != EAGAIN && errno != EINTR)) break;
        struct pollfd pfd = {fd, POLLIN, 0};
        (void)poll(&pfd, 1, 1);
        fh_pump(e);
        if (fh_now() > deadline) {
            fprintf(stderr, "fuzz_httpd: the server did not close a half-closed connection\n");
            abort();
        }
    }
    close(fd);

    /* An HTTP/1 reply starts with a status line (h2 prior knowledge starts with the preface). */
    if (got && !(len >= 3 && memcmp(msg, "PRI", 3) == 0))
        FUZZ_REQUIRE(got >= 5 && memcmp(head, "HTTP/", 5) == 0);

    /* Back to idle: no connection and no request left behind. */
    httpd_stats_t st;
    for (double deadline = fh_now() + 5;;) {
        fh_pump(e);
        httpd_get_stats(e->srv, &st);
        if (st.connections_open == 0 && st.requests_in_flight == 0 && e->npending == 0) break;
        if (fh_now() > deadline) {
            fprintf(stderr, "fuzz_httpd: left %llu connections, %llu requests in flight\n",
                    (unsigned long long)st.connections_open,
                    (unsigned long long)st.requests_in_flight);
            abort();
        }
    }
    return 0;
}
