/* Tests for core/net: the httpc client against the httpd server, both on one uv loop in this
 * process, on 127.0.0.1 ephemeral ports. Nothing here asserts on elapsed time: a test waits for
 * events (callbacks, counters); a generous guard timer only turns a hang into a failure. */
#define _GNU_SOURCE

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "check.h"
#include "net/httpc.h"
#include "net/httpd.h"
#include "util/buf.h"

#define NET_GUARD_MS 60000 /* only for hangs; valgrind runs are slow */
#define NET_MAX_HELD 64

typedef struct net_env {
    uv_loop_t loop;
    uv_timer_t guard;
    int guard_fired;
    httpd_t *srv;
    httpc_t *cli;
    char base[64]; /* http://127.0.0.1:PORT */
    int done;      /* client callbacks seen */
    /* server side */
    httpd_req_t *held[NET_MAX_HELD];
    int nheld;
    int gone;          /* on_gone callbacks seen */
    int shutdown_cbs;  /* shutdown callbacks seen */
    int delay_fired;   /* delayed responses attempted */
    int delays_active; /* delay timers not yet closed */
} net_env_t;

typedef struct net_result {
    net_env_t *env;
    int calls;
    uint64_t id;
    httpc_err_t err;
    long status;
    int http_version;
    long retry_after;
    char errmsg[256];
    char hdr[8][128]; /* values of a few response headers, looked up by the test's names */
    buf_t body;
} net_result_t;

static const char *const net_hdr_names[8] = {"x-method", "x-path", "x-query",      "x-version",
                                             "x-got",    "x-host", "content-type", "x-mixed-case"};

/* Counts an event and makes uv_run return, so net_run_until re-checks its condition (a callback
 * run in the timer phase would otherwise leave uv_run blocked in poll). */
static void net_bump(net_env_t *e, int *counter)
{
    (*counter)++;
    uv_stop(&e->loop);
}

/* ---- server handler used by every test ---- */

typedef struct net_delay {
    uv_timer_t t;
    httpd_req_t *req;
    net_env_t *env;
} net_delay_t;

static void net_on_gone(httpd_req_t *req, void *ud)
{
    (void)req;
    net_env_t *e = ud;
    net_bump(e, &e->gone);
}

static void net_delay_closed(uv_handle_t *h)
{
    net_delay_t *d = h->data;
    d->env->delays_active--;
    free(d);
}

static void net_delay_fire(uv_timer_t *t)
{
    net_delay_t *d = t->data;
    net_bump(d->env, &d->env->delay_fired);
    httpd_respond(d->req, 200, NULL, 0, "late", 4); /* harmless if the client is gone */
    uv_close((uv_handle_t *)t, net_delay_closed);
}

static long net_query_num(const char *query, const char *key)
{
    size_t n = strlen(key);
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
        if (strncmp(p, key, n) == 0 && p[n] == '=') return atol(p + n + 1);
    return -1;
}

static void net_handler(httpd_req_t *req, void *ud)
{
    net_env_t *e = ud;
    const char *path = httpd_req_path(req);
    httpd_req_on_gone(req, net_on_gone, e);
    if (strcmp(path, "/echo") == 0) {
        char ver[8];
        snprintf(ver, sizeof ver, "%d", httpd_req_http_version(req));
        const char *got = httpd_req_header(req, "x-TEST");
        const char *ct = httpd_req_header(req, "Content-Type");
        httpd_header_t h[] = {{"X-Method", httpd_req_method(req)},
                              {"X-Path", path},
                              {"X-Query", httpd_req_query(req)},
                              {"X-Version", ver},
                              {"X-Got", got ? got : "(none)"},
                              {"X-Host", httpd_req_header(req, "host")},
                              {"Content-Type", ct ? ct : "application/octet-stream"},
                              {"Content-Length", "999999"},     /* managed by the server: skipped */
                              {"X-Bad", "a\r\nInjected: yes"}}; /* CR LF: skipped */
        size_t len;
        const char *body = httpd_req_body(req, &len);
        httpd_respond(req, 200, h, sizeof h / sizeof h[0], body, len);
    } else if (strcmp(path, "/hello") == 0) {
        httpd_respond(req, 200, NULL, 0, "hello", 5);
    } else if (strcmp(path, "/delay") == 0) {
        net_delay_t *d = calloc(1, sizeof *d);
        d->req = req;
        d->env = e;
        uv_timer_init(&e->loop, &d->t);
        d->t.data = d;
        e->delays_active++;
        uv_timer_start(&d->t, net_delay_fire, (uint64_t)net_query_num(httpd_req_query(req), "ms"),
                       0);
    } else if (strcmp(path, "/hold") == 0 && e->nheld < NET_MAX_HELD) {
        e->held[e->nheld] = req;
        net_bump(e, &e->nheld);
    } else if (strcmp(path, "/abort") == 0) {
        httpd_abort(req, "partial", 7);
    } else if (strcmp(path, "/big") == 0) {
        long n = net_query_num(httpd_req_query(req), "n");
        char *b = malloc((size_t)n);
        memset(b, 'b', (size_t)n);
        httpd_respond(req, 200, NULL, 0, b, (size_t)n);
        free(b);
    } else if (strcmp(path, "/retry-delta") == 0) {
        httpd_header_t h[] = {{"Retry-After", "7"}};
        httpd_respond(req, 429, h, 1, "slow down", 9);
    } else if (strcmp(path, "/retry-date") == 0) {
        char date[64];
        time_t t = time(NULL) + 30;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
        httpd_header_t h[] = {{"Retry-After", date}};
        httpd_respond(req, 503, h, 1, NULL, 0);
    } else if (strcmp(path, "/headers") == 0) {
        httpd_header_t h[] = {{"X-Mixed-Case", "Value"}, {"X-Multi", "one"}, {"X-Multi", "two"}};
        httpd_respond(req, 200, h, 3, "", 0);
    } else {
        httpd_respond(req, 404, NULL, 0, "no", 2);
    }
}

/* ---- environment ---- */

static void net_guard_fire(uv_timer_t *t)
{
    net_env_t *e = t->data;
    e->guard_fired = 1;
    uv_stop(&e->loop);
}

static void net_env_init(net_env_t *e, const httpd_config_t *cfg)
{
    memset(e, 0, sizeof *e);
    CHECK_INT(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK); /* the program's job, once */
    uv_loop_init(&e->loop);
    uv_timer_init(&e->loop, &e->guard);
    e->guard.data = e;
    uv_timer_start(&e->guard, net_guard_fire, NET_GUARD_MS, 0);
    uv_unref((uv_handle_t *)&e->guard);
    char err[256] = "";
    e->srv = httpd_new(&e->loop, cfg, net_handler, e, err, sizeof err);
    CHECK(e->srv != NULL);
    if (!e->srv) fprintf(stderr, "  httpd_new: %s\n", err);
    e->cli = httpc_new(&e->loop, err, sizeof err);
    CHECK(e->cli != NULL);
    snprintf(e->base, sizeof e->base, "http://127.0.0.1:%d", e->srv ? httpd_port(e->srv) : 1);
}

/* Runs the loop until *counter >= target (or the guard fires: then the test fails). */
static int net_run_until(net_env_t *e, const int *counter, int target)
{
    while (*counter < target && !e->guard_fired)
        uv_run(&e->loop, UV_RUN_DEFAULT);
    CHECK(!e->guard_fired);
    return !e->guard_fired;
}

static void net_env_close(net_env_t *e)
{
    if (e->cli) httpc_close(e->cli);
    if (e->srv) httpd_free(e->srv);
    e->cli = NULL;
    e->srv = NULL;
    uv_close((uv_handle_t *)&e->guard, NULL);
    uv_run(&e->loop, UV_RUN_DEFAULT); /* returns once every handle has closed */
    CHECK_INT(e->delays_active, 0);
    CHECK_INT(uv_loop_close(&e->loop), 0);
    curl_global_cleanup();
}

/* ---- client helpers ---- */

static void net_done(httpc_response_t *res, void *ud)
{
    net_result_t *r = ud;
    r->calls++;
    r->id = res->id;
    r->err = res->err;
    r->status = res->status;
    r->http_version = res->http_version;
    r->retry_after = res->retry_after;
    snprintf(r->errmsg, sizeof r->errmsg, "%s", res->errmsg);
    for (int i = 0; i < 8; i++) {
        const char *v = httpc_response_header(res, net_hdr_names[i]);
        snprintf(r->hdr[i], sizeof r->hdr[i], "%s", v ? v : "");
    }
    buf_free(&r->body);
    r->body.data = buf_detach(&res->body, &r->body.len); /* the callback may keep the body */
    r->body.cap = r->body.len + 1;
    net_bump(r->env, &r->env->done);
}

static uint64_t net_get(net_env_t *e, net_result_t *r, const char *path, httpc_version_t v,
                        long timeout_ms)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", e->base, path);
    httpc_request_t q = {0};
    q.url = url;
    q.version = v;
    q.timeout_ms = timeout_ms;
    r->env = e;
    return httpc_start(e->cli, &q, net_done, r);
}

static void net_result_free(net_result_t *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_free(&r[i].body);
}

/* ---- a raw TCP client, for what curl will not do: pipelining and hanging up mid-request ---- */

struct net_raw {
    uv_tcp_t tcp;
    uv_connect_t creq;
    uv_write_t wreq[4];
    int nwrites;
    buf_t in;
    int eof, closed, connected;
};
typedef struct net_raw net_raw_t;

static void net_raw_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)sz;
    net_raw_t *c = h->data;
    buf_reserve(&c->in, 4096);
    b->base = c->in.data + c->in.len;
    b->len = c->in.cap - c->in.len - 1;
}

static void net_raw_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    (void)b;
    net_raw_t *c = s->data;
    if (n > 0) {
        c->in.len += (size_t)n;
        c->in.data[c->in.len] = '\0';
    } else if (n < 0) {
        c->eof = 1;
        uv_read_stop(s);
    }
    uv_stop(s->loop);
}

static void net_raw_connected(uv_connect_t *req, int status)
{
    net_raw_t *c = req->data;
    c->connected = status == 0 ? 1 : -1;
    uv_stop(c->tcp.loop);
    if (status == 0) uv_read_start((uv_stream_t *)&c->tcp, net_raw_alloc, net_raw_read);
}

static void net_raw_connect(net_env_t *e, net_raw_t *c)
{
    memset(c, 0, sizeof *c);
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", httpd_port(e->srv), &a);
    uv_tcp_init(&e->loop, &c->tcp);
    c->tcp.data = c;
    c->creq.data = c;
    uv_tcp_connect(&c->creq, &c->tcp, (struct sockaddr *)&a, net_raw_connected);
    net_run_until(e, &c->connected, 1);
}

static void net_raw_send(net_raw_t *c, const char *s)
{
    uv_buf_t b = uv_buf_init((char *)s, (unsigned)strlen(s));
    uv_write(&c->wreq[c->nwrites++ % 4], (uv_stream_t *)&c->tcp, &b, 1, NULL);
}

static void net_raw_closed(uv_handle_t *h)
{
    ((net_raw_t *)h->data)->closed = 1;
    uv_stop(h->loop);
}

static int net_raw_eof(const net_raw_t *c)
{
    return c->eof;
}
static int net_raw_has(const net_raw_t *c, const char *s)
{
    return c->in.data && strstr(c->in.data, s) != NULL;
}
static void net_raw_finish(net_env_t *e, net_raw_t *c)
{
    uv_close((uv_handle_t *)&c->tcp, net_raw_closed);
    net_run_until(e, &c->closed, 1);
    buf_free(&c->in);
}

static int net_count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* ---- tests ---- */

TEST(net_get_echo_headers_and_query)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r = {0};
    char url[256];
    snprintf(url, sizeof url, "%s/echo?a=1&b=two", e.base);
    const char *hdrs[] = {"X-Test: hello there", "Accept: text/plain"};
    httpc_request_t q = {.url = url, .headers = hdrs, .nheaders = 2, .timeout_ms = 10000};
    r.env = &e;
    CHECK(httpc_start(e.cli, &q, net_done, &r) != 0);
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r.calls, 1);
    CHECK_INT(r.err, HTTPC_OK);
    CHECK_INT(r.status, 200);
    CHECK_INT(r.http_version, 11);
    CHECK_STR(r.hdr[0], "GET");
    CHECK_STR(r.hdr[1], "/echo");
    CHECK_STR(r.hdr[2], "a=1&b=two");
    CHECK_STR(r.hdr[3], "11");
    CHECK_STR(r.hdr[4], "hello there");
    CHECK(strstr(r.hdr[5], "127.0.0.1:") == r.hdr[5]);
    CHECK_INT(r.body.len, 0);
    CHECK_STR(r.errmsg, "");
    CHECK_INT(r.retry_after, -1);
    net_result_free(&r, 1);
    net_env_close(&e);
}

TEST(net_post_echo_1mb_body)
{
    net_env_t e;
    net_env_init(&e, NULL);
    size_t n = 1 << 20;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)('a' + (i * 7 + i / 4096) % 26);
    net_result_t r = {0};
    char url[256];
    snprintf(url, sizeof url, "%s/echo", e.base);
    const char *hdrs[] = {"Content-Type: application/json", "X-Test: post"};
    httpc_request_t q = {.url = url, .headers = hdrs, .nheaders = 2, .body = body, .body_len = n};
    r.env = &e;
    httpc_start(e.cli, &q, net_done, &r);
    memset(body, 0, n); /* the request was copied */
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r.err, HTTPC_OK);
    CHECK_INT(r.status, 200);
    CHECK_STR(r.hdr[0], "POST");
    CHECK_STR(r.hdr[4], "post");
    CHECK_STR(r.hdr[6], "application/json");
    CHECK_INT(r.body.len, n);
    int same = r.body.len == n;
    for (size_t i = 0; same && i < n; i++)
        same = r.body.data[i] == (char)('a' + (i * 7 + i / 4096) % 26);
    CHECK(same);
    free(body);
    net_result_free(&r, 1);
    net_env_close(&e);
}

TEST(net_put_empty_body_and_methods)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r[4] = {{0}};
    char url[256];
    snprintf(url, sizeof url, "%s/echo", e.base);
    httpc_request_t head = {.url = url, .method = "HEAD"};
    httpc_request_t put = {.url = url, .method = "PUT", .body = "", .body_len = 0};
    httpc_request_t del = {.url = url, .method = "DELETE"};
    httpc_request_t post = {.url = url, .method = "POST", .body = "x=1", .body_len = 3};
    for (int i = 0; i < 4; i++)
        r[i].env = &e;
    httpc_start(e.cli, &put, net_done, &r[0]);
    httpc_start(e.cli, &del, net_done, &r[1]);
    httpc_start(e.cli, &post, net_done, &r[2]);
    httpc_start(e.cli, &head, net_done, &r[3]);
    net_run_until(&e, &e.done, 4);
    CHECK_INT(r[3].err, HTTPC_OK);
    CHECK_INT(r[3].status, 200);
    CHECK_STR(r[3].hdr[0], "HEAD");
    CHECK_INT(r[3].body.len, 0);
    CHECK_STR(r[0].hdr[0], "PUT");
    CHECK_INT(r[0].body.len, 0);
    CHECK_STR(r[1].hdr[0], "DELETE");
    CHECK_STR(r[2].hdr[0], "POST");
    CHECK_STR(r[2].body.data, "x=1");
    /* no made-up form content type when the caller did not set one */
    CHECK_STR(r[2].hdr[6], "application/octet-stream");
    net_result_free(r, 4);
    net_env_close(&e);
}

/* Requests one at a time, so each reuses the easy handle the one before gave back: one of the
 * same shape (method, headers, timeouts) keeps the handle as it was set up and changes only URL
 * and body; any other is sent as if the handle were new (nothing of the last one's method, body
 * or headers carries over). */
TEST(net_reused_handle_sends_each_request_as_its_own)
{
    net_env_t e;
    net_env_init(&e, NULL);
    char url[256];
    snprintf(url, sizeof url, "%s/echo", e.base);
    const char *json_one[] = {"Content-Type: application/json", "X-Test: one"};
    const char *json_three[] = {"Content-Type: application/json", "X-Test: three"};
    const char *get_two[] = {"X-Test: two"};
    httpc_request_t q[] = {
        {.url = url, .headers = json_one, .nheaders = 2, .body = "a", .body_len = 1},
        {.url = url, .headers = json_one, .nheaders = 2, .body = "bb", .body_len = 2},
        {.url = url, .headers = json_three, .nheaders = 2, .body = "dd", .body_len = 2},
        {.url = url, .headers = get_two, .nheaders = 1},
        {.url = url, .body = "c", .body_len = 1},
        {.url = url, .method = "HEAD"},
        {.url = url,
         .method = "PUT",
         .headers = json_three,
         .nheaders = 2,
         .body = "e",
         .body_len = 1,
         .timeout_ms = 10000},
    };
    const char *method[] = {"POST", "POST", "POST", "GET", "POST", "HEAD", "PUT"};
    const char *body[] = {"a", "bb", "dd", "", "c", "", "e"};
    const char *x_test[] = {"one", "one", "three", "two", "(none)", "(none)", "three"};
    /* (the echo server answers application/octet-stream for a request without a type) */
    const char *type[] = {"application/json",         "application/json",
                          "application/json",         "application/octet-stream",
                          "application/octet-stream", "application/octet-stream",
                          "application/json"};
    int n = (int)(sizeof q / sizeof q[0]);
    net_result_t r[7] = {{0}};
    for (int i = 0; i < n; i++) {
        r[i].env = &e;
        httpc_start(e.cli, &q[i], net_done, &r[i]);
        net_run_until(&e, &e.done, i + 1);
        CHECK_INT(r[i].err, HTTPC_OK);
        CHECK_INT(r[i].status, 200);
        CHECK_STR(r[i].hdr[0], method[i]);
        CHECK_STR(r[i].hdr[4], x_test[i]);
        CHECK_STR(r[i].hdr[6], type[i]);
        CHECK_INT(r[i].body.len, strlen(body[i]));
        if (body[i][0]) CHECK_STR(r[i].body.data, body[i]);
    }
    net_result_free(r, n);
    net_env_close(&e);
}

TEST(net_response_headers_case_insensitive)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r = {0};
    r.env = &e;
    char url[256];
    snprintf(url, sizeof url, "%s/headers", e.base);
    httpc_request_t q = {.url = url};
    httpc_start(e.cli, &q, net_done, &r);
    net_run_until(&e, &e.done, 1);
    CHECK_STR(r.hdr[7], "Value");
    net_result_free(&r, 1);

    /* lookups on a synthetic response: case-insensitive, first match, iteration in order */
    httpc_response_t res;
    memset(&res, 0, sizeof res);
    buf_append(&res.hdr_store, "X-Multi\0one\0x-multi\0two\0Date\0now\0", 33);
    res.hdr_count = 3;
    CHECK_STR(httpc_response_header(&res, "X-MULTI"), "one");
    CHECK_STR(httpc_response_header(&res, "date"), "now");
    CHECK(httpc_response_header(&res, "missing") == NULL);
    const char *n, *v;
    CHECK(httpc_response_header_at(&res, 1, &n, &v));
    CHECK_STR(n, "x-multi");
    CHECK_STR(v, "two");
    CHECK(!httpc_response_header_at(&res, 3, &n, &v));
    buf_free(&res.hdr_store);
    net_env_close(&e);
}

TEST(net_500_concurrent_requests)
{
    net_env_t e;
    net_env_init(&e, NULL);
    enum { N = 500 };
    net_result_t *r = calloc(N, sizeof *r);
    for (int i = 0; i < N; i++)
        CHECK(net_get(&e, &r[i], i % 2 ? "/hello" : "/delay?ms=20", 0, 0));
    httpc_stats_t cs;
    httpc_get_stats(e.cli, &cs);
    CHECK_INT(cs.in_flight, N);
    net_run_until(&e, &e.done, N);
    int ok = 0;
    for (int i = 0; i < N; i++)
        ok += r[i].calls == 1 && r[i].err == HTTPC_OK && r[i].status == 200 &&
              strcmp(r[i].body.data, i % 2 ? "hello" : "late") == 0;
    CHECK_INT(ok, N);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_served, N);
    httpc_get_stats(e.cli, &cs);
    CHECK_INT(cs.completed, N);
    CHECK_INT(cs.in_flight, 0);
    CHECK(cs.connections >= 1 && cs.connections <= N);
    net_result_free(r, N);
    free(r);
    net_env_close(&e);
}

/* Past HTTPC_SHARD_MAX in flight, requests spread over several multi handles of their origin:
 * a second wave finds the connections the first left idle, in whichever multi handle they are,
 * and a second origin (localhost for 127.0.0.1) gets multi handles of its own. */
TEST(net_many_in_flight_reuse_connections_across_waves)
{
    net_env_t e;
    net_env_init(&e, NULL);
    enum { N = 300 };
    net_result_t *r = calloc(2 * N, sizeof *r);
    for (int wave = 0; wave < 2; wave++) {
        for (int i = wave * N; i < (wave + 1) * N; i++)
            CHECK(net_get(&e, &r[i], "/delay?ms=20", HTTPC_VERSION_1_1, 0));
        net_run_until(&e, &e.done, (wave + 1) * N);
    }
    int ok = 0;
    for (int i = 0; i < 2 * N; i++)
        ok += r[i].calls == 1 && r[i].err == HTTPC_OK && r[i].status == 200;
    CHECK_INT(ok, 2 * N);
    httpc_stats_t cs;
    httpc_get_stats(e.cli, &cs);
    /* without reuse 2 N; a multi handle may get more of the second wave than it has idle
     * connections, so up to one multi's worth more */
    CHECK(cs.connections >= N && cs.connections <= N + 64);
    char url[256];
    snprintf(url, sizeof url, "http://localhost:%d/hello", httpd_port(e.srv));
    net_result_t l[80] = {{0}};
    for (int i = 0; i < 80; i++) {
        httpc_request_t q = {.url = url, .version = HTTPC_VERSION_1_1};
        l[i].env = &e;
        CHECK(httpc_start(e.cli, &q, net_done, &l[i]));
    }
    net_run_until(&e, &e.done, 2 * N + 80);
    ok = 0;
    for (int i = 0; i < 80; i++)
        ok += l[i].err == HTTPC_OK && l[i].status == 200;
    CHECK_INT(ok, 80);
    net_result_free(r, 2 * N);
    net_result_free(l, 80);
    free(r);
    net_env_close(&e);
}

typedef struct net_chain {
    net_env_t *e;
    int left, ok;
    net_result_t r;
} net_chain_t;

static void net_chain_done(httpc_response_t *res, void *ud)
{
    net_chain_t *c = ud;
    c->ok += res->err == HTTPC_OK && res->status == 200;
    net_bump(c->e, &c->e->done);
    if (--c->left > 0) { /* starting the next request from inside a callback is allowed */
        char url[256];
        snprintf(url, sizeof url, "%s/hello", c->e->base);
        httpc_request_t q = {.url = url};
        CHECK(httpc_start(c->e->cli, &q, net_chain_done, c) != 0);
    }
}

TEST(net_keepalive_reuses_connections)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_chain_t c = {.e = &e, .left = 200};
    char url[256];
    snprintf(url, sizeof url, "%s/hello", e.base);
    httpc_request_t q = {.url = url};
    httpc_start(e.cli, &q, net_chain_done, &c);
    net_run_until(&e, &e.done, 200);
    CHECK_INT(c.ok, 200);
    httpc_stats_t cs;
    httpc_get_stats(e.cli, &cs);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK(cs.connections >= 1 && cs.connections <= 2);
    CHECK(ss.connections_accepted >= 1 && ss.connections_accepted <= 2);
    CHECK_INT(ss.requests_served, 200);
    net_env_close(&e);
}

TEST(net_max_connections_caps_parallelism)
{
    net_env_t e;
    net_env_init(&e, NULL);
    CHECK_INT(httpc_set_max_connections(e.cli, 2, 0), 0);
    CHECK_INT(httpc_set_max_connections(e.cli, -1, 0), -1);
    enum { N = 20 };
    net_result_t r[N] = {{0}};
    for (int i = 0; i < N; i++)
        net_get(&e, &r[i], "/delay?ms=5", HTTPC_VERSION_1_1, 0);
    net_run_until(&e, &e.done, N);
    int ok = 0;
    for (int i = 0; i < N; i++)
        ok += r[i].err == HTTPC_OK && r[i].status == 200;
    CHECK_INT(ok, N);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK(ss.connections_accepted >= 1 && ss.connections_accepted <= 2);
    net_result_free(r, N);
    net_env_close(&e);
}

TEST(net_tls_to_a_plain_server_is_etls)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r = {0};
    char url[256];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/hello", httpd_port(e.srv));
    httpc_request_t q = {.url = url, .timeout_ms = 10000};
    r.env = &e;
    httpc_start(e.cli, &q, net_done, &r);
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r.err, HTTPC_ETLS);
    CHECK(r.errmsg[0] != '\0');
    net_result_free(&r, 1);
    net_env_close(&e);
}

TEST(net_total_timeout)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t slow = {0}, fast = {0};
    /* the server cannot answer before 400 ms, the client gives up at 100 ms */
    net_get(&e, &slow, "/delay?ms=400", 0, 100);
    net_get(&e, &fast, "/delay?ms=10", 0, 20000);
    net_run_until(&e, &e.done, 2);
    CHECK_INT(slow.err, HTTPC_ETIMEDOUT);
    CHECK_INT(slow.status, 0);
    CHECK(slow.errmsg[0] != '\0');
    CHECK_INT(fast.err, HTTPC_OK);
    CHECK_STR(fast.body.data, "late");
    /* the server's later answer to the vanished client is harmless; it learned the client left */
    net_run_until(&e, &e.delay_fired, 2);
    CHECK_INT(e.gone, 1);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_gone, 1);
    CHECK_INT(ss.requests_served, 1);
    net_result_free(&slow, 1);
    net_result_free(&fast, 1);
    net_env_close(&e);
}

static void net_shutdown_done(httpd_t *h, void *ud)
{
    (void)h;
    net_env_t *e = ud;
    net_bump(e, &e->shutdown_cbs);
}

TEST(net_connect_refused)
{
    net_env_t e;
    net_env_init(&e, NULL);
    /* take a port that was just in use, then closed */
    httpd_t *tmp = httpd_new(&e.loop, NULL, net_handler, &e, NULL, 0);
    int port = httpd_port(tmp);
    httpd_shutdown(tmp, net_shutdown_done, &e);
    net_run_until(&e, &e.shutdown_cbs, 1);
    httpd_free(tmp);
    net_result_t r = {0};
    char url[256];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hello", port);
    httpc_request_t q = {.url = url, .timeout_ms = 10000};
    r.env = &e;
    httpc_start(e.cli, &q, net_done, &r);
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r.err, HTTPC_ECONNREFUSED);
    CHECK_STR(httpc_err_name(r.err), "ECONNREFUSED");
    net_result_free(&r, 1);
    net_env_close(&e);
}

TEST(net_abort_mid_body_is_a_reset)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r[2] = {{0}};
    net_get(&e, &r[0], "/abort", HTTPC_VERSION_1_1, 10000);
    net_get(&e, &r[1], "/abort", HTTPC_VERSION_H2C, 10000);
    net_run_until(&e, &e.done, 2);
    for (int i = 0; i < 2; i++) {
        CHECK_INT(r[i].calls, 1);
        CHECK_INT(r[i].err, HTTPC_ECONNRESET);
        CHECK(r[i].errmsg[0] != '\0');
    }
    net_result_free(r, 2);
    net_env_close(&e);
}

TEST(net_client_max_body)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r[3] = {{0}};
    char url[256];
    snprintf(url, sizeof url, "%s/big?n=100000", e.base);
    httpc_request_t q = {.url = url, .max_body = 1000};
    for (int i = 0; i < 3; i++)
        r[i].env = &e;
    httpc_start(e.cli, &q, net_done, &r[0]);
    q.max_body = 100000; /* exactly the size: fine */
    httpc_start(e.cli, &q, net_done, &r[1]);
    q.max_body = 1000;
    q.version = HTTPC_VERSION_H2C;
    httpc_start(e.cli, &q, net_done, &r[2]);
    net_run_until(&e, &e.done, 3);
    CHECK_INT(r[0].err, HTTPC_ETOOBIG);
    CHECK(r[0].body.len <= 1000);
    CHECK_INT(r[1].err, HTTPC_OK);
    CHECK_INT(r[1].body.len, 100000);
    CHECK_INT(r[2].err, HTTPC_ETOOBIG);
    net_result_free(r, 3);
    net_env_close(&e);
}

TEST(net_server_max_body_413_json)
{
    net_env_t e;
    httpd_config_t cfg = {.max_body_bytes = 1000};
    net_env_init(&e, &cfg);
    char body[2000];
    memset(body, 'x', sizeof body);
    net_result_t r[3] = {{0}};
    char url[256];
    snprintf(url, sizeof url, "%s/echo", e.base);
    httpc_request_t q = {.url = url, .body = body, .body_len = 2000};
    for (int i = 0; i < 3; i++)
        r[i].env = &e;
    httpc_start(e.cli, &q, net_done, &r[0]);
    q.body_len = 1000; /* exactly the limit: fine */
    httpc_start(e.cli, &q, net_done, &r[1]);
    q.body_len = 2000;
    q.version = HTTPC_VERSION_H2C;
    httpc_start(e.cli, &q, net_done, &r[2]);
    net_run_until(&e, &e.done, 3);
    CHECK_INT(r[0].err, HTTPC_OK);
    CHECK_INT(r[0].status, 413);
    CHECK_STR(r[0].hdr[6], "application/json");
    CHECK(r[0].body.data &&
          strstr(r[0].body.data, "{\"error\":{\"status\":413,") == r[0].body.data);
    CHECK_INT(r[1].status, 200);
    CHECK_INT(r[1].body.len, 1000);
    /* HTTP/2: h2o 2.2.5 refuses the stream instead of answering 413 */
    CHECK(r[2].err != HTTPC_OK || r[2].status == 413);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_served, 1); /* the handler never saw the big ones */
    net_result_free(r, 3);
    net_env_close(&e);
}

/* The token, routes and limits are checked from the head: a refused request never reaches the
 * handler and its body is never held (bytes_buffered_peak stays 0). */
TEST(net_server_head_checks)
{
    static const char *const routes[] = {"POST /echo", "GET /headers", NULL};
    static const char *const publics[] = {"GET /headers", NULL};
    httpd_config_t cfg = {.token = "tok", .routes = routes, .public_routes = publics};
    net_env_t e;
    net_env_init(&e, &cfg);
    char body[5000];
    memset(body, 'x', sizeof body);
    enum { N = 10 };
    net_result_t r[N] = {{0}};
    char urls[N][256];
    const char *paths[N] = {"/echo",           "/echo", "/echo", "/echo?a=b&token=tok",
                            "/echo?token=tox", "/nope", "/echo", "/headers",
                            "/echo",           "/echo"};
    const char *auths[N] = {NULL,
                            "Authorization: Bearer tok",
                            "Authorization: bEaReR tok",
                            NULL,
                            NULL,
                            "Authorization: Bearer tok",
                            "Authorization: Bearer tok",
                            NULL,
                            "Authorization: Basic tok",
                            NULL};
    const char *methods[N] = {"POST", "POST", "POST", "POST", "POST",
                              "GET",  "GET",  "GET",  "POST", "POST"};
    int want[N] = {401, 200, 200, 200, 401, 404, 405, 200, 401, 401};
    for (int i = 0; i < N; i++) {
        snprintf(urls[i], sizeof urls[i], "%s%s", e.base, paths[i]);
        httpc_request_t q = {.url = urls[i], .method = methods[i]};
        if (strcmp(methods[i], "POST") == 0) {
            q.body = body;
            q.body_len = sizeof body;
        }
        q.headers = auths[i] ? &auths[i] : NULL;
        q.nheaders = auths[i] ? 1 : 0;
        r[i].env = &e;
        httpc_start(e.cli, &q, net_done, &r[i]);
    }
    net_run_until(&e, &e.done, N);
    for (int i = 0; i < N; i++) {
        CHECK_INT(r[i].err, HTTPC_OK);
        CHECK_INT(r[i].status, want[i]);
        if (r[i].status != want[i]) fprintf(stderr, "  request %d (%s)\n", i, paths[i]);
    }
    CHECK(r[0].body.data &&
          strstr(r[0].body.data, "{\"error\":{\"status\":401,") == r[0].body.data);
    CHECK_STR(r[0].hdr[6], "application/json");
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_refused, 6);
    CHECK_INT(ss.requests_served, 4); /* the handler saw only the allowed ones */
    CHECK_INT(ss.bytes_buffered, 0);
    CHECK(ss.bytes_buffered_peak <= 3 * sizeof body); /* the three allowed bodies at most */
    /* HTTP/2 (h2c, once a first request has upgraded the connection): the same answer, late */
    net_result_t h2[2] = {{0}};
    httpc_request_t q = {.url = urls[1],
                         .body = body,
                         .body_len = sizeof body,
                         .headers = &auths[1],
                         .nheaders = 1,
                         .version = HTTPC_VERSION_H2C};
    h2[0].env = h2[1].env = &e;
    httpc_start(e.cli, &q, net_done, &h2[0]);
    net_run_until(&e, &e.done, N + 1);
    q.headers = NULL;
    q.nheaders = 0;
    httpc_start(e.cli, &q, net_done, &h2[1]);
    net_run_until(&e, &e.done, N + 2);
    CHECK_INT(h2[0].status, 200);
    CHECK_INT(h2[1].status, 401);
    CHECK_INT(h2[1].http_version, 20);
    net_result_free(h2, 2);
    net_result_free(r, N);
    net_env_close(&e);
}

/* One body held by the handler fills the budget: the next request with a body gets 503 with
 * Retry-After from its head; once the held one is answered the budget is back. */
TEST(net_server_budget_503)
{
    httpd_config_t cfg = {.max_body_bytes = 1000, .max_buffered_bytes = 1000};
    net_env_t e;
    net_env_init(&e, &cfg);
    char body[800];
    memset(body, 'x', sizeof body);
    net_result_t r[3] = {{0}};
    char url[256];
    snprintf(url, sizeof url, "%s/hold", e.base);
    httpc_request_t q = {.url = url, .body = body, .body_len = sizeof body};
    for (int i = 0; i < 3; i++)
        r[i].env = &e;
    httpc_start(e.cli, &q, net_done, &r[0]);
    net_run_until(&e, &e.nheld, 1);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.bytes_buffered, 800);
    snprintf(url, sizeof url, "%s/echo", e.base);
    httpc_start(e.cli, &q, net_done, &r[1]);
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r[1].calls, 1);
    CHECK_INT(r[1].status, 503);
    CHECK(r[1].retry_after > 0);
    httpd_respond(e.held[0], 200, NULL, 0, "ok", 2);
    net_run_until(&e, &e.done, 2);
    CHECK_INT(r[0].status, 200);
    httpc_start(e.cli, &q, net_done, &r[2]); /* the budget is back */
    net_run_until(&e, &e.done, 3);
    CHECK_INT(r[2].status, 200);
    CHECK_INT(r[2].body.len, 800);
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.bytes_buffered, 0);
    CHECK_INT(ss.bytes_buffered_peak, 800);
    CHECK_INT(ss.requests_refused, 1);
    net_result_free(r, 3);
    net_env_close(&e);
}

TEST(net_cancel)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r[2] = {{0}};
    uint64_t id = net_get(&e, &r[0], "/hold", 0, 0);
    net_run_until(&e, &e.nheld, 1);
    CHECK_INT(httpc_cancel(e.cli, id), 1);
    CHECK_INT(httpc_cancel(e.cli, id), 0);    /* already canceled */
    CHECK_INT(httpc_cancel(e.cli, 12345), 0); /* never existed */
    CHECK_INT(r[0].calls, 0);                 /* delivered from the loop, not from cancel */
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r[0].calls, 1);
    CHECK_INT(r[0].err, HTTPC_ECANCELED);
    CHECK_INT(r[0].id, id);
    /* the server notices the closed connection while the response is pending */
    net_run_until(&e, &e.gone, 1);
    CHECK(httpd_req_is_gone(e.held[0]));
    httpd_respond(e.held[0], 200, NULL, 0, "too late", 8); /* harmless no-op */
    uint64_t id2 = net_get(&e, &r[1], "/hello", 0, 0);
    net_run_until(&e, &e.done, 2);
    CHECK_INT(r[1].err, HTTPC_OK);
    CHECK_INT(httpc_cancel(e.cli, id2), 0); /* finished */
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_gone, 1);
    CHECK_INT(ss.requests_served, 1);
    net_result_free(r, 2);
    net_env_close(&e);
}

TEST(net_h2c_stream_reset_is_gone)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r[2] = {{0}};
    uint64_t id = net_get(&e, &r[0], "/hold", HTTPC_VERSION_H2C, 0);
    net_run_until(&e, &e.nheld, 1);
    CHECK_INT(httpd_req_http_version(e.held[0]), 20);
    httpc_cancel(e.cli, id);
    net_run_until(&e, &e.gone, 1);
    httpd_respond(e.held[0], 200, NULL, 0, "x", 1);
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r[0].err, HTTPC_ECANCELED);
    net_result_free(r, 2);
    net_env_close(&e);
}

TEST(net_close_cancels_in_flight)
{
    net_env_t e;
    net_env_init(&e, NULL);
    enum { N = 10 };
    net_result_t r[N] = {{0}};
    for (int i = 0; i < N; i++)
        net_get(&e, &r[i], "/hold", 0, 0);
    net_run_until(&e, &e.nheld, N);
    httpc_close(e.cli);
    e.cli = NULL;
    int canceled = 0;
    for (int i = 0; i < N; i++)
        canceled += r[i].calls == 1 && r[i].err == HTTPC_ECANCELED;
    CHECK_INT(canceled, N); /* delivered before httpc_close returned */
    net_run_until(&e, &e.gone, N);
    for (int i = 0; i < N; i++)
        httpd_respond(e.held[i], 200, NULL, 0, "x", 1);
    for (int i = 0; i < N; i++)
        CHECK_INT(r[i].calls, 1);
    net_result_free(r, N);
    net_env_close(&e);
}

static void net_close_from_callback(httpc_response_t *res, void *ud)
{
    net_result_t *r = ud;
    net_done(res, ud);
    if (r->env->cli) { /* closing inside a callback: the others still get exactly one call */
        httpc_close(r->env->cli);
        r->env->cli = NULL;
    }
}

TEST(net_close_from_inside_a_callback)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t first = {0}, rest[5] = {{0}};
    char url[256];
    snprintf(url, sizeof url, "%s/hello", e.base);
    httpc_request_t q = {.url = url};
    first.env = &e;
    httpc_start(e.cli, &q, net_close_from_callback, &first);
    for (int i = 0; i < 5; i++)
        net_get(&e, &rest[i], "/hold", 0, 0);
    net_run_until(&e, &e.done, 6);
    CHECK_INT(first.err, HTTPC_OK);
    for (int i = 0; i < 5; i++) {
        CHECK_INT(rest[i].calls, 1);
        CHECK_INT(rest[i].err, HTTPC_ECANCELED);
    }
    for (int i = 0; i < e.nheld; i++)
        httpd_respond(e.held[i], 200, NULL, 0, "x", 1);
    net_result_free(&first, 1);
    net_result_free(rest, 5);
    net_env_close(&e);
}

TEST(net_h2c_multiplexes_on_one_connection)
{
    net_env_t e;
    net_env_init(&e, NULL);
    enum { N = 50 };
    net_result_t r[N] = {{0}};
    for (int i = 0; i < N; i++)
        net_get(&e, &r[i], "/echo?h2", HTTPC_VERSION_H2C, 20000);
    net_run_until(&e, &e.done, N);
    int ok = 0;
    for (int i = 0; i < N; i++)
        ok += r[i].err == HTTPC_OK && r[i].status == 200 && r[i].http_version == 20 &&
              strcmp(r[i].hdr[3], "20") == 0;
    CHECK_INT(ok, N);
    httpc_stats_t cs;
    httpc_get_stats(e.cli, &cs);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(cs.connections, 1);
    CHECK_INT(ss.connections_accepted, 1);
    /* a 1 MB body each way over the same HTTP/2 connection (flow control both ways) */
    size_t n = 1 << 20;
    char *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (char)('A' + i % 23);
    net_result_t big = {0};
    char url[256];
    snprintf(url, sizeof url, "%s/echo", e.base);
    httpc_request_t q = {.url = url, .version = HTTPC_VERSION_H2C, .body = body, .body_len = n};
    big.env = &e;
    httpc_start(e.cli, &q, net_done, &big);
    net_run_until(&e, &e.done, N + 1);
    CHECK_INT(big.err, HTTPC_OK);
    CHECK_INT(big.http_version, 20);
    CHECK(big.body.len == n && memcmp(big.body.data, body, n) == 0);
    httpc_get_stats(e.cli, &cs);
    CHECK_INT(cs.connections, 1);
    free(body);
    net_result_free(&big, 1);
    /* graceful shutdown closes the idle HTTP/2 connection too */
    httpd_shutdown(e.srv, net_shutdown_done, &e);
    net_run_until(&e, &e.shutdown_cbs, 1);
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.connections_open, 0);
    net_result_free(r, N);
    net_env_close(&e);
}

TEST(net_h2c_1000_concurrent_and_http1_alongside)
{
    net_env_t e;
    net_env_init(&e, NULL);
    enum { N = 1000, M = 20 };
    net_result_t *r = calloc(N + M, sizeof *r);
    for (int i = 0; i < N; i++)
        net_get(&e, &r[i], "/echo?many", HTTPC_VERSION_H2C, 0);
    for (int i = N; i < N + M; i++)
        net_get(&e, &r[i], "/echo?one", HTTPC_VERSION_1_1, 0);
    net_run_until(&e, &e.done, N + M);
    int h2 = 0, h1 = 0;
    for (int i = 0; i < N; i++)
        h2 += r[i].err == HTTPC_OK && r[i].http_version == 20;
    for (int i = N; i < N + M; i++)
        h1 += r[i].err == HTTPC_OK && r[i].http_version == 11;
    CHECK_INT(h2, N); /* more than the server's 100 streams: the rest waited in curl */
    CHECK_INT(h1, M);
    if (curl_version_info(CURLVERSION_NOW)->version_num < 0x080000) {
        int seen_h2 = 0;
        for (int i = 0; i < N; i++)
            seen_h2 += r[i].calls && strcmp(r[i].hdr[3], "20") == 0;
        CHECK_INT(seen_h2, N);
        httpd_stats_t ss;
        httpd_get_stats(e.srv, &ss);
        CHECK(ss.connections_accepted <= 1 + M); /* one h2c connection, the rest HTTP/1.1 */
    }
    net_result_free(r, N + M);
    free(r);
    net_env_close(&e);
}

TEST(net_h2c_graceful_shutdown_waits_for_streams)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r[3] = {{0}};
    for (int i = 0; i < 3; i++)
        net_get(&e, &r[i], "/hold", HTTPC_VERSION_H2C, 0);
    net_run_until(&e, &e.nheld, 3);
    httpd_shutdown(e.srv, net_shutdown_done, &e); /* GOAWAY; the 3 streams may still finish */
    for (int i = 0; i < 10; i++)
        uv_run(&e.loop, UV_RUN_NOWAIT);
    CHECK_INT(e.shutdown_cbs, 0);
    for (int i = 0; i < 3; i++)
        httpd_respond(e.held[i], 200, NULL, 0, "fin", 3);
    net_run_until(&e, &e.shutdown_cbs, 1);
    net_run_until(&e, &e.done, 3);
    for (int i = 0; i < 3; i++) {
        CHECK_INT(r[i].err, HTTPC_OK);
        CHECK_INT(r[i].http_version, 20);
        CHECK_STR(r[i].body.data, "fin");
    }
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.connections_accepted, 1);
    CHECK_INT(ss.connections_open, 0);
    net_result_free(r, 3);
    net_env_close(&e);
}

/* Prior-knowledge h2c from plain libcurl on a thread (this libcurl cannot reuse such a connection,
 * so one request): shows the server speaks h2c prior knowledge on a plain socket. */
typedef struct net_pk {
    uv_async_t async;
    char url[128];
    long status, version;
    CURLcode rc;
    buf_t body;
    int finished;
} net_pk_t;

static size_t net_pk_write(char *p, size_t sz, size_t n, void *ud)
{
    buf_append(&((net_pk_t *)ud)->body, p, sz * n);
    return sz * n;
}

static void *net_pk_thread(void *arg)
{
    net_pk_t *pk = arg;
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, pk->url);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, net_pk_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, pk);
    pk->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &pk->status);
    curl_easy_getinfo(c, CURLINFO_HTTP_VERSION, &pk->version);
    curl_easy_cleanup(c);
    uv_async_send(&pk->async); /* the one thread-safe libuv call */
    return NULL;
}

static void net_pk_done(uv_async_t *a)
{
    net_pk_t *pk = a->data;
    pk->finished = 1;
    uv_stop(a->loop);
}

TEST(net_server_speaks_h2c_prior_knowledge)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_pk_t pk;
    memset(&pk, 0, sizeof pk);
    snprintf(pk.url, sizeof pk.url, "%s/echo?pk", e.base);
    uv_async_init(&e.loop, &pk.async, net_pk_done);
    pk.async.data = &pk;
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, net_pk_thread, &pk), 0);
    net_run_until(&e, &pk.finished, 1);
    pthread_join(t, NULL);
    CHECK_INT(pk.rc, CURLE_OK);
    CHECK_INT(pk.status, 200);
    CHECK_INT(pk.version, CURL_HTTP_VERSION_2_0);
    uv_close((uv_handle_t *)&pk.async, NULL);
    buf_free(&pk.body);
    net_env_close(&e);
}

TEST(net_graceful_shutdown_answers_in_flight)
{
    net_env_t e;
    net_env_init(&e, NULL);
    enum { N = 10 };
    net_result_t r[N] = {{0}}, late = {0};
    /* an idle keep-alive connection that shutdown must close (h2o alone would wait 10 s) */
    net_raw_t idle_conn, *idle = &idle_conn;
    net_raw_connect(&e, idle);
    net_raw_send(idle, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    while (!net_raw_has(idle, "hello") && !e.guard_fired)
        uv_run(&e.loop, UV_RUN_DEFAULT);
    for (int i = 0; i < N; i++)
        net_get(&e, &r[i], "/hold", HTTPC_VERSION_1_1, 0);
    net_run_until(&e, &e.nheld, N);
    httpd_shutdown(e.srv, net_shutdown_done, &e);
    httpd_shutdown(e.srv, net_shutdown_done, &e); /* once only */
    net_get(&e, &late, "/hello", HTTPC_VERSION_1_1, 10000);
    net_run_until(&e, &e.done, 1);
    CHECK_INT(late.err, HTTPC_ECONNREFUSED); /* no longer accepting */
    while (!net_raw_eof(idle) && !e.guard_fired)
        uv_run(&e.loop, UV_RUN_DEFAULT);
    CHECK(net_raw_eof(idle));
    CHECK_INT(e.shutdown_cbs, 0); /* N requests still in flight */
    for (int i = 0; i < N; i++)
        httpd_respond(e.held[i], 200, NULL, 0, "bye", 3);
    net_run_until(&e, &e.shutdown_cbs, 1);
    net_run_until(&e, &e.done, N + 1);
    int ok = 0;
    for (int i = 0; i < N; i++)
        ok += r[i].err == HTTPC_OK && strcmp(r[i].body.data, "bye") == 0;
    CHECK_INT(ok, N);
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_in_flight, 0);
    CHECK_INT(ss.connections_open, 0);
    CHECK_INT(ss.requests_served, N + 1);
    CHECK_INT(e.gone, 0);
    CHECK_INT(e.shutdown_cbs, 1);
    net_raw_finish(&e, idle);
    net_result_free(r, N);
    net_result_free(&late, 1);
    net_env_close(&e);
}

TEST(net_free_cuts_unanswered_requests)
{
    net_env_t e;
    net_env_init(&e, NULL);
    enum { N = 4 };
    net_result_t r[N] = {{0}};
    /* HTTP/1.1 on one client, h2c on another (see httpc.h on mixing them) */
    httpc_t *h2 = httpc_new(&e.loop, NULL, 0);
    for (int i = 0; i < N; i++) {
        if (i % 2 == 0) {
            net_get(&e, &r[i], "/hold", HTTPC_VERSION_1_1, 10000);
            continue;
        }
        char url[256];
        snprintf(url, sizeof url, "%s/hold", e.base);
        httpc_request_t q = {.url = url, .version = HTTPC_VERSION_H2C, .timeout_ms = 10000};
        r[i].env = &e;
        httpc_start(h2, &q, net_done, &r[i]);
    }
    net_run_until(&e, &e.nheld, N);
    int v20 = 0;
    for (int i = 0; i < e.nheld; i++)
        v20 += httpd_req_http_version(e.held[i]) == 20;
    CHECK_INT(v20, N / 2);
    httpd_free(e.srv);
    e.srv = NULL;
    net_run_until(&e, &e.done, N);
    CHECK_INT(e.gone, N);
    for (int i = 0; i < N; i++) {
        CHECK_INT(r[i].calls, 1);
        CHECK(r[i].err != HTTPC_OK || r[i].status == 503);
    }
    /* the server is freed; finishing its requests is still safe */
    for (int i = 0; i < e.nheld; i++) {
        CHECK(httpd_req_is_gone(e.held[i]));
        if (i % 2)
            httpd_abort(e.held[i], "x", 1);
        else
            httpd_respond(e.held[i], 200, NULL, 0, "x", 1);
    }
    httpc_close(h2);
    net_result_free(r, N);
    net_env_close(&e);
}

TEST(net_retry_after_parse)
{
    time_t base = curl_getdate("Wed, 21 Oct 2015 07:28:00 GMT", NULL);
    CHECK(base != (time_t)-1);
    CHECK_INT(httpc_retry_after_parse("120", base), 120);
    CHECK_INT(httpc_retry_after_parse("  7 \r\n", base), 7);
    CHECK_INT(httpc_retry_after_parse("0", base), 0);
    CHECK_INT(httpc_retry_after_parse("Wed, 21 Oct 2015 07:29:30 GMT", base), 90);
    CHECK_INT(httpc_retry_after_parse("Wednesday, 21-Oct-15 07:28:10 GMT", base), 10); /* RFC 850 */
    CHECK_INT(httpc_retry_after_parse("Wed Oct 21 07:28:05 2015", base), 5);           /* asctime */
    CHECK_INT(httpc_retry_after_parse("Wed, 21 Oct 2015 07:00:00 GMT", base), 0);      /* past */
    CHECK_INT(httpc_retry_after_parse("", base), -1);
    CHECK_INT(httpc_retry_after_parse("soon", base), -1);
    CHECK_INT(httpc_retry_after_parse("-5", base), -1);
    CHECK_INT(httpc_retry_after_parse(NULL, base), -1);
    CHECK(httpc_retry_after_parse("99999999999999999999999", base) > 0); /* clamped, no overflow */
}

TEST(net_retry_after_end_to_end)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r[2] = {{0}};
    net_get(&e, &r[0], "/retry-delta", 0, 10000);
    net_get(&e, &r[1], "/retry-date", 0, 10000);
    net_run_until(&e, &e.done, 2);
    CHECK_INT(r[0].status, 429);
    CHECK_INT(r[0].retry_after, 7);
    CHECK_INT(r[1].status, 503);
    /* a date 30 s ahead of the server's clock, read against the server's Date header */
    CHECK(r[1].retry_after >= 28 && r[1].retry_after <= 31);
    net_result_free(r, 2);
    net_env_close(&e);
}

TEST(net_bind_in_use_is_a_clear_error)
{
    net_env_t e;
    net_env_init(&e, NULL);
    char err[256] = "";
    httpd_config_t cfg = {.port = httpd_port(e.srv)};
    CHECK(httpd_new(&e.loop, &cfg, net_handler, &e, err, sizeof err) == NULL);
    CHECK(strstr(err, "address already in use") != NULL);
    httpd_config_t bad = {.host = "not-an-ip"};
    CHECK(httpd_new(&e.loop, &bad, net_handler, &e, err, sizeof err) == NULL);
    CHECK(strstr(err, "not-an-ip") != NULL);
    /* misuse of the client returns 0 and calls nothing */
    httpc_request_t q = {0};
    CHECK_INT(httpc_start(e.cli, &q, net_done, NULL), 0);
    net_env_close(&e);
}

TEST(net_unsupported_scheme_goes_through_callback)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_result_t r = {0};
    r.env = &e;
    httpc_request_t q = {.url = "ftp://127.0.0.1/x"};
    CHECK(httpc_start(e.cli, &q, net_done, &r) != 0);
    net_run_until(&e, &e.done, 1);
    CHECK_INT(r.calls, 1);
    CHECK_INT(r.err, HTTPC_EOTHER);
    CHECK(r.errmsg[0] != '\0');
    net_result_free(&r, 1);
    net_env_close(&e);
}

TEST(net_http1_client_hangup_fires_on_gone)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_raw_t c;
    net_raw_connect(&e, &c);
    net_raw_send(&c, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    net_run_until(&e, &e.nheld, 1);
    uv_close((uv_handle_t *)&c.tcp, net_raw_closed); /* hang up with the response pending */
    net_run_until(&e, &e.gone, 1);
    CHECK(httpd_req_is_gone(e.held[0]));
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_gone, 1);
    httpd_respond(e.held[0], 200, NULL, 0, "nobody listens", 14);
    net_run_until(&e, &c.closed, 1);
    buf_free(&c.in);
    net_env_close(&e);
}

TEST(net_http1_pipelined_request_survives_watching)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_raw_t c;
    net_raw_connect(&e, &c);
    net_raw_send(&c, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
    net_run_until(&e, &e.nheld, 1);
    /* arrives while the first response is pending: read by our watcher, handed back to h2o */
    net_raw_send(&c, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                     "Connection: close\r\n\r\nworld");
    for (int i = 0; i < 20; i++)
        uv_run(&e.loop, UV_RUN_NOWAIT); /* let the bytes arrive */
    CHECK_INT(e.gone, 0);
    httpd_respond(e.held[0], 200, NULL, 0, "first", 5);
    net_run_until(&e, &c.eof, 1);
    CHECK_INT(net_count(c.in.data, "HTTP/1.1 200 OK"), 2);
    const char *a = strstr(c.in.data, "first"), *b = strstr(c.in.data, "world");
    CHECK(a && b && a < b);
    uv_close((uv_handle_t *)&c.tcp, net_raw_closed);
    net_run_until(&e, &c.closed, 1);
    buf_free(&c.in);
    net_env_close(&e);
}

/* ---- a raw TCP server that answers `per_conn` requests (1 when 0) per connection, then hangs up
 * ---- */

typedef struct net_hangup_conn {
    uv_tcp_t tcp;
    uv_write_t wreq;
    struct net_hangup_srv *srv;
    buf_t in;
    int answered;
} net_hangup_conn_t;

typedef struct net_hangup_srv {
    uv_tcp_t listener;
    net_env_t *env;
    int port;
    int accepted, closed;
    int per_conn;
} net_hangup_srv_t;

static void net_hangup_closed(uv_handle_t *h)
{
    net_hangup_conn_t *k = h->data;
    buf_free(&k->in);
    net_bump(k->srv->env, &k->srv->closed);
    free(k);
}

static void net_hangup_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b);
static void net_hangup_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b);

static void net_hangup_written(uv_write_t *w, int status)
{
    (void)status;
    net_hangup_conn_t *k = w->data;
    if (k->answered < (k->srv->per_conn > 0 ? k->srv->per_conn : 1)) { /* the next request */
        buf_reset(&k->in);
        uv_read_start((uv_stream_t *)&k->tcp, net_hangup_alloc, net_hangup_read);
        return;
    }
    uv_close((uv_handle_t *)&k->tcp, net_hangup_closed); /* no Connection: close was sent */
}

static void net_hangup_alloc(uv_handle_t *h, size_t sz, uv_buf_t *b)
{
    (void)sz;
    net_hangup_conn_t *k = h->data;
    buf_reserve(&k->in, 4096);
    b->base = k->in.data + k->in.len;
    b->len = k->in.cap - k->in.len - 1;
}

static void net_hangup_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    (void)b;
    net_hangup_conn_t *k = s->data;
    if (n < 0) {
        uv_read_stop(s);
        uv_close((uv_handle_t *)&k->tcp, net_hangup_closed);
        return;
    }
    k->in.len += (size_t)n;
    k->in.data[k->in.len] = '\0';
    if (strstr(k->in.data, "\r\n\r\n")) {
        static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        k->answered++;
        uv_read_stop(s);
        uv_buf_t out = uv_buf_init((char *)reply, sizeof reply - 1);
        k->wreq.data = k;
        uv_write(&k->wreq, s, &out, 1, net_hangup_written);
    }
}

static void net_hangup_accept(uv_stream_t *l, int status)
{
    net_hangup_srv_t *srv = l->data;
    if (status != 0) return;
    net_hangup_conn_t *k = calloc(1, sizeof *k);
    k->srv = srv;
    uv_tcp_init(l->loop, &k->tcp);
    k->tcp.data = k;
    if (uv_accept(l, (uv_stream_t *)&k->tcp) != 0) {
        uv_close((uv_handle_t *)&k->tcp, net_hangup_closed);
        return;
    }
    srv->accepted++;
    uv_read_start((uv_stream_t *)&k->tcp, net_hangup_alloc, net_hangup_read);
}

static void net_count_active_polls(uv_handle_t *h, void *arg)
{
    if (h->type == UV_POLL && uv_is_active(h) && !uv_is_closing(h)) (*(int *)arg)++;
}

static int net_active_polls(net_env_t *e)
{
    int n = 0;
    uv_walk(&e->loop, net_count_active_polls, &n);
    return n;
}

/* Listens on a free port of 127.0.0.1 with srv (its env set), and writes its URL into url. */
static void net_hangup_listen(net_hangup_srv_t *srv, char *url, size_t url_size)
{
    struct sockaddr_in a;
    uv_ip4_addr("127.0.0.1", 0, &a);
    uv_tcp_init(&srv->env->loop, &srv->listener);
    srv->listener.data = srv;
    CHECK_INT(uv_tcp_bind(&srv->listener, (struct sockaddr *)&a, 0), 0);
    CHECK_INT(uv_listen((uv_stream_t *)&srv->listener, 16, net_hangup_accept), 0);
    struct sockaddr_in bound;
    int len = sizeof bound;
    uv_tcp_getsockname(&srv->listener, (struct sockaddr *)&bound, &len);
    snprintf(url, url_size, "http://127.0.0.1:%d/x", ntohs(bound.sin_port));
}

/* One request to the hang-up server, run until it is the nth done: 1 when it got the server's
 * 200 "ok", else 0. */
static int net_hangup_get(net_env_t *e, const char *url, int nth)
{
    net_result_t r = {.env = e};
    httpc_request_t q = {.url = url, .timeout_ms = 30000};
    httpc_start(e->cli, &q, net_done, &r);
    net_run_until(e, &e->done, nth);
    int ok = r.err == HTTPC_OK && r.status == 200 && r.body.len == 2;
    net_result_free(&r, 1);
    return ok;
}

/* A kept-alive connection the server closes while it sits idle in curl's cache, before it carried
 * a second transfer: httpc keeps each socket's poll handle between transfers, and stops one not
 * yet proven, so the hang-up must wake nothing, and the next request must go out on a new
 * connection (whose fd may get the same number, and the kept handle with it). */
TEST(net_keepalive_connection_closed_while_idle)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_hangup_srv_t srv = {.env = &e};
    char url[64];
    net_hangup_listen(&srv, url, sizeof url);
    enum { ROUNDS = 5 };
    int ok = 0;
    for (int i = 0; i < ROUNDS && !e.guard_fired; i++) {
        ok += net_hangup_get(&e, url, i + 1);
        net_run_until(&e, &srv.closed, i + 1); /* the server hung up on the idle connection */
        while (net_active_polls(&e) > 0 && !e.guard_fired) /* until the hang-up was seen */
            uv_run(&e.loop, UV_RUN_ONCE);
        CHECK_INT(net_active_polls(&e), 0);
    }
    CHECK_INT(ok, ROUNDS);
    CHECK_INT(srv.accepted, ROUNDS);
    httpc_stats_t cs;
    httpc_get_stats(e.cli, &cs);
    CHECK_INT(cs.connections, ROUNDS);
    uv_close((uv_handle_t *)&srv.listener, NULL);
    net_env_close(&e);
}

/* A connection that has carried a transfer stays watched for reading while it sits idle in curl's
 * cache (no epoll_ctl between transfers): a hang-up then wakes its poll handle once, which stops
 * it, and the next request goes out on a new connection. The server answers two requests per
 * connection, so the second transfer ends on a socket that is already proven. */
TEST(net_idle_proven_connection_stays_watched_until_hangup)
{
    net_env_t e;
    net_env_init(&e, NULL);
    net_hangup_srv_t srv = {.env = &e, .per_conn = 2};
    char url[64];
    net_hangup_listen(&srv, url, sizeof url);
    int ok = 0;
    for (int i = 0; i < 4 && !e.guard_fired; i++) {
        ok += net_hangup_get(&e, url, i + 1);
        if (i % 2 == 0) {
            /* the first transfer on a connection: the socket was not proven when curl removed it */
            CHECK_INT(net_active_polls(&e), 0);
            continue;
        }
        /* the second: the server hangs up; the kept poll handle sees it and stops */
        net_run_until(&e, &srv.closed, i / 2 + 1);
        while (net_active_polls(&e) > 0 && !e.guard_fired)
            uv_run(&e.loop, UV_RUN_ONCE);
        CHECK_INT(net_active_polls(&e), 0);
    }
    CHECK_INT(ok, 4);
    CHECK_INT(srv.accepted, 2);
    uv_close((uv_handle_t *)&srv.listener, NULL);
    net_env_close(&e);
}

/* With a server that keeps connections open, the idle connection between sequential requests is
 * watched (one active poll handle) from its second transfer on. */
TEST(net_idle_kept_connection_is_watched_between_transfers)
{
    net_env_t e;
    net_env_init(&e, NULL);
    char url[256];
    snprintf(url, sizeof url, "%s/hello", e.base);
    for (int i = 0; i < 3; i++) {
        net_result_t r = {.env = &e};
        httpc_request_t q = {.url = url};
        httpc_start(e.cli, &q, net_done, &r);
        net_run_until(&e, &e.done, i + 1);
        CHECK_INT(r.status, 200);
        net_result_free(&r, 1);
        CHECK_INT(net_active_polls(&e), i == 0 ? 0 : 1);
    }
    httpc_stats_t cs;
    httpc_get_stats(e.cli, &cs);
    CHECK_INT(cs.connections, 1);
    net_env_close(&e);
}

/* httpc reads the proxy variables once: with none set it tells libcurl "no proxy" instead of
 * having it look them up for every transfer; with one set, requests still go through it. */
TEST(net_proxy_from_the_environment)
{
    net_env_t e;
    net_env_init(&e, NULL);
    char proxy[80];
    snprintf(proxy, sizeof proxy, "%s", e.base); /* the test server acts as the proxy */
    const char *was = getenv("http_proxy");
    char *saved = was ? strdup(was) : NULL;
    setenv("http_proxy", proxy, 1);
    char err[256];
    httpc_t *via = httpc_new(&e.loop, err, sizeof err);
    CHECK(via != NULL);
    net_result_t r = {.env = &e};
    httpc_request_t q = {.url = "http://proxied.invalid/echo", .timeout_ms = 30000};
    httpc_start(via, &q, net_done, &r);
    net_run_until(&e, &e.done, 1);
    if (saved)
        setenv("http_proxy", saved, 1);
    else
        unsetenv("http_proxy");
    free(saved);
    CHECK_INT(r.err, HTTPC_OK); /* the host does not resolve: only the proxy can have answered */
    httpd_stats_t ss;
    httpd_get_stats(e.srv, &ss);
    CHECK_INT(ss.requests_served, 1);
    net_result_free(&r, 1);
    httpc_close(via);
    net_env_close(&e);
}

TEST(net_err_names)
{
    CHECK_STR(httpc_err_name(HTTPC_OK), "OK");
    CHECK_STR(httpc_err_name(HTTPC_ETIMEDOUT), "ETIMEDOUT");
    CHECK_STR(httpc_err_name(HTTPC_ECONNRESET), "ECONNRESET");
    CHECK_STR(httpc_err_name(HTTPC_ETOOBIG), "ETOOBIG");
    CHECK_STR(httpc_err_name(HTTPC_ECANCELED), "ECANCELED");
    CHECK_STR(httpc_err_name(HTTPC_ERESOLVE), "ERESOLVE");
    CHECK_STR(httpc_err_name(HTTPC_ETLS), "ETLS");
    CHECK_STR(httpc_err_name(HTTPC_EOTHER), "EOTHER");
    CHECK_INT(HTTPC_EOTHER, 8); /* the numbers are part of the contract */
}
