/* httpd: libh2o 2.2.5 on the caller's libuv loop.
 *
 * Three things h2o 2.2.5 does not do for us, and how this file does them:
 *
 * 1. Knowing when h2o is done with a request. A small "hook" is allocated in h2o's request pool
 *    with h2o_mem_alloc_shared; its dispose callback runs when h2o clears the pool (response sent,
 *    stream reset, connection closed). The owner's httpd_req_t is a separate refcounted wrapper
 *    (one ref for h2o, one for the owner, one per queued notification), so either side can go
 *    first.
 *
 * 2. Noticing that an HTTP/1 client hung up while its response is pending. h2o stops reading an
 *    HTTP/1 connection while a request is processed, so it would only find out when writing. We
 *    start our own uv read on the connection meanwhile: EOF or an error means the client is gone
 *    (and we answer on its behalf, non-persistently, so h2o closes the connection); bytes that
 *    arrive (a pipelined request) are stashed and appended to h2o's input buffer when h2o disposes
 *    the request, before it parses the next one. Reading into our own buffer keeps h2o's input
 *    buffer — which the pending request still points into — untouched. HTTP/2 needs none of this:
 *    h2o keeps reading and disposes the stream itself.
 *
 * 3. Closing. h2o_context_dispose closes timer handles embedded in the context (so our struct
 *    must outlive their close callbacks) and ends with uv_run(ctx->loop, UV_RUN_NOWAIT), which
 *    must never re-enter the program's loop from inside a callback. So we point ctx->loop at a
 *    private, empty loop for that call, and free the server two close-callback passes later:
 *    every handle closed in one pass has finished closing before a handle closed from inside that
 *    pass's callbacks does (libuv runs all pending closes of an iteration together).
 *
 * 4. Checking a request before its body is read. h2o 2.2.5 parses an HTTP/1 head and reads the
 *    body straight after, with no hook in between. So while h2o's HTTP/1 reader waits for a head,
 *    our on_gate_read stands in front of it as the socket's read callback: it parses the head
 *    itself (with h2o's own picohttpparser), answers and lingers on a refusal, and otherwise puts
 *    h2o's callback back and hands it the bytes, so the body is read by h2o alone. h2o waits for
 *    a head right after accepting (where we arm the gate) and after each HTTP/1 response is
 *    written, from its write-done callback; we wrap that callback to arm the gate again, and hold
 *    back the bytes that follow the request (pipelined requests) so that h2o cannot parse them
 *    before the gate sees them. A request that reaches the handler without the gate (HTTP/2, or
 *    one we could not place) gets the same checks late, and its HTTP/1 connection is closed. */
#define _GNU_SOURCE /* h2o's headers use struct iovec, alloca and friends */

#include "net/httpd.h"

#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <h2o.h>

#include "util/buf.h"

#define HTTPD_CONTAINER_OF(p, type, member) ((type *)(void *)((char *)(p)-offsetof(type, member)))
#define HTTPD_DEFAULT_MAX_BODY ((size_t)16 << 20)
#define HTTPD_DEFAULT_MAX_BUFFERED ((size_t)64 << 20)
#define HTTPD_DEFAULT_MAX_HEAD ((size_t)16 << 10)
/* stop watching an HTTP/1 client that sends this much while waiting (back-pressure) */
#define HTTPD_STASH_MAX ((size_t)64 << 10)

typedef struct httpd_conn httpd_conn_t;

struct httpd_conn {
    uv_tcp_t tcp; /* h2o's socket wraps this handle; its close callback frees the whole conn */
    httpd_t *srv;
    h2o_socket_t *sock;   /* NULL once h2o has disposed the socket */
    size_t active;        /* requests of ours on this connection that h2o still holds */
    httpd_req_t *watched; /* HTTP/1 request whose client we are watching */
    int watching;         /* our own uv read is on */
    buf_t stash;          /* bytes read while watching, handed back to h2o later */
    /* the head gate (see (4) at the top) */
    h2o_socket_cb gate_orig;  /* h2o's read callback while ours stands in front of it */
    h2o_socket_cb write_orig; /* h2o's write-done callback while ours wraps it */
    unsigned gate_passed : 1; /* the request h2o is reading was checked by the gate */
    size_t head_len;          /* of the request that passed the gate */
    size_t req_end;           /* where the request being answered ends in h2o's input */
    size_t reserved;          /* budget taken by the body h2o is reading */
    buf_t refusal;            /* the answer being written to a refused request */
    httpd_conn_t *prev, *next;
};

typedef struct httpd_hdr {
    const char *name, *value;
} httpd_hdr_t;

/* Lives in h2o's request pool: it dies exactly when h2o is done with the request. */
typedef struct httpd_hook {
    httpd_req_t *req;
    h2o_generator_t gen; /* no proceed/stop: every response is sent in one piece */
} httpd_hook_t;

struct httpd_req {
    int refs;
    unsigned gone : 1;          /* the client left before our response */
    unsigned finished : 1;      /* the owner called respond or abort */
    unsigned responded : 1;     /* a response was handed to h2o (by the owner or by us) */
    unsigned notify_queued : 1; /* holds a ref while queued */
    unsigned notified : 1;
    httpd_t *srv;       /* NULL once the server is freed */
    h2o_req_t *h2o;     /* NULL once h2o has disposed its request */
    httpd_hook_t *hook; /* same lifetime as h2o */
    httpd_conn_t *conn; /* same lifetime as h2o (may be NULL) */
    httpd_gone_fn on_gone;
    void *gone_ud;
    httpd_req_t *next_notify;
    httpd_req_t *prev, *next; /* srv->reqs: every wrapper still referenced */
    int version;
    char *strings; /* method, path, query and header strings, one allocation */
    const char *method, *path, *query;
    httpd_hdr_t *hdrs;
    size_t nhdrs;
    char *body;
    size_t body_len;
    size_t reserved; /* budget held for this body until the wrapper is freed */
};

typedef struct httpd_route {
    char *method, *path;
} httpd_route_t;

typedef struct httpd_h2o_handler {
    h2o_handler_t super;
    httpd_t *srv;
} httpd_h2o_handler_t;

/* Turns h2o's own error responses (413, 400, 417 ...) into a JSON body. */
typedef struct httpd_json_ostream {
    h2o_ostream_t super;
    h2o_iovec_t json;
    int sent;
} httpd_json_ostream_t;

struct httpd {
    uv_loop_t *loop;
    uv_tcp_t *listener;      /* separate allocation; NULL once closed */
    uv_loop_t dispose_loop;  /* see (3) above */
    uv_timer_t notify_timer; /* delivers on_gone callbacks outside h2o */
    uv_timer_t reaper;       /* its close callback frees the server (see (3)) */
    h2o_globalconf_t config;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    httpd_handler_fn handler;
    void *ud;
    int port;
    httpd_conn_t *conns;
    httpd_req_t *reqs;
    httpd_req_t *notify_head, *notify_tail;
    int shutting, freeing, shutdown_fired, disposed;
    httpd_shutdown_fn shutdown_cb;
    void *shutdown_ud;
    httpd_stats_t stats;
    size_t max_body, max_buffered, max_head;
    char *token; /* NULL: no authentication */
    size_t token_len;
    httpd_route_t *routes, *publics; /* routes NULL: every path is the handler's */
    size_t nroutes, npublics;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen) return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- the budget for buffered request bodies ---- */

static void budget_take(httpd_t *h, size_t n)
{
    h->stats.bytes_buffered += n;
    if (h->stats.bytes_buffered > h->stats.bytes_buffered_peak)
        h->stats.bytes_buffered_peak = h->stats.bytes_buffered;
}

static void budget_give(httpd_t *h, size_t n)
{
    h->stats.bytes_buffered -= n < h->stats.bytes_buffered ? n : h->stats.bytes_buffered;
}

/* ---- wrappers ---- */

static void req_unref(httpd_req_t *r)
{
    if (--r->refs > 0) return;
    if (r->srv) {
        httpd_t *h = r->srv;
        budget_give(h, r->reserved);
        if (r->prev)
            r->prev->next = r->next;
        else
            h->reqs = r->next;
        if (r->next) r->next->prev = r->prev;
    }
    free(r->strings);
    free(r->hdrs);
    free(r->body);
    free(r);
}

static void on_uv_notify(uv_timer_t *t);

static void fire_notifications(httpd_t *h)
{
    /* pops one at a time so a callback may free the server (which flushes re-entrantly) */
    while (h->notify_head) {
        httpd_req_t *r = h->notify_head;
        h->notify_head = r->next_notify;
        if (!h->notify_head) h->notify_tail = NULL;
        r->notify_queued = 0;
        if (!r->finished && !r->notified && r->on_gone) {
            r->notified = 1;
            r->on_gone(r, r->gone_ud);
        }
        req_unref(r);
    }
}

static void on_uv_notify(uv_timer_t *t)
{
    fire_notifications(t->data);
}

static void queue_notify(httpd_req_t *r)
{
    if (r->notify_queued || r->notified || !r->on_gone || r->finished) return;
    httpd_t *h = r->srv;
    if (!h) { /* the server is gone: nothing to defer with */
        r->notified = 1;
        r->on_gone(r, r->gone_ud);
        return;
    }
    r->refs++;
    r->notify_queued = 1;
    r->next_notify = NULL;
    if (h->notify_tail)
        h->notify_tail->next_notify = r;
    else
        h->notify_head = r;
    h->notify_tail = r;
    if (!h->disposed) uv_timer_start(&h->notify_timer, on_uv_notify, 0, 0);
}

static void mark_gone(httpd_req_t *r)
{
    if (r->gone || r->responded) return;
    r->gone = 1;
    if (r->srv) r->srv->stats.requests_gone++;
    queue_notify(r);
}

/* ---- watching an HTTP/1 client while its response is pending ---- */

static void watch_stop(httpd_conn_t *cn)
{
    if (cn->watching) uv_read_stop((uv_stream_t *)&cn->tcp);
    cn->watching = 0;
    cn->watched = NULL;
}

static void send_internal(httpd_req_t *r, int status, const char *reason);

static void on_uv_watch_alloc(uv_handle_t *hd, size_t suggested, uv_buf_t *out)
{
    (void)suggested;
    httpd_conn_t *cn = HTTPD_CONTAINER_OF(hd, httpd_conn_t, tcp);
    buf_reserve(&cn->stash, 4096);
    out->base = cn->stash.data + cn->stash.len;
    out->len = cn->stash.cap - cn->stash.len - 1; /* keep room for buf_t's NUL */
}

static void on_uv_watch_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    (void)b;
    httpd_conn_t *cn = HTTPD_CONTAINER_OF(s, httpd_conn_t, tcp);
    if (nread == 0) return;
    if (nread > 0) { /* a pipelined request, most likely: keep it for h2o */
        cn->stash.len += (size_t)nread;
        cn->stash.data[cn->stash.len] = '\0';
        if (cn->stash.len >= HTTPD_STASH_MAX) watch_stop(cn); /* back-pressure; stop watching */
        return;
    }
    httpd_req_t *r = cn->watched; /* EOF or error: the client is gone */
    watch_stop(cn);
    if (r && r->h2o && !r->responded) {
        mark_gone(r);
        send_internal(r, 499, "Client Closed Request"); /* lets h2o close the connection */
    }
}

static void watch_start(httpd_req_t *r)
{
    httpd_conn_t *cn = r->conn;
    /* only while h2o itself is not reading (it stops for an HTTP/1 request being processed; an
     * HTTP/2 connection, even one upgraded from 1.1, keeps reading) */
    if (!cn || !cn->sock || cn->watching || cn->sock->_cb.read != NULL) return;
    if (uv_read_start((uv_stream_t *)&cn->tcp, on_uv_watch_alloc, on_uv_watch_read) != 0) return;
    cn->watching = 1;
    cn->watched = r;
}

/* Hands stashed bytes back to h2o, behind what it has already read. */
static void stash_return(httpd_conn_t *cn)
{
    if (!cn->stash.len || !cn->sock) return;
    h2o_iovec_t room = h2o_buffer_reserve(&cn->sock->input, cn->stash.len);
    if (room.base) {
        memcpy(room.base, cn->stash.data, cn->stash.len);
        cn->sock->input->size += cn->stash.len;
    }
    buf_reset(&cn->stash);
}

static void conn_close_if_idle(httpd_conn_t *cn)
{
    uv_os_fd_t fd;
    if (!cn->srv->shutting || cn->active || !cn->sock) return;
    /* h2o then reads EOF and closes the connection itself, after pending writes */
    if (uv_fileno((uv_handle_t *)&cn->tcp, &fd) == 0) shutdown(fd, SHUT_RD);
}

/* ---- the head gate (see (4) at the top) ---- */

/* picohttpparser, as built into libh2o 2.2.5 (its header is not installed) */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len,
                      const char **path, size_t *path_len, int *minor_version,
                      struct phr_header *headers, size_t *num_headers, size_t last_len);

typedef struct gate_answer {
    int status;          /* 0: let the request through */
    const char *message; /* for the JSON body */
    char header[160];    /* one extra "Name: value" header, or "" */
    size_t reserve;      /* body bytes to count against the budget when let through */
} gate_answer_t;

static int mem_ieq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    return alen == blen && strncasecmp(a, b, blen) == 0;
}

/* Constant time: the running time depends on the length of the wanted token alone. */
static int token_equal(const char *want, size_t wlen, const char *got, size_t glen)
{
    size_t diff = wlen ^ glen;
    for (size_t i = 0; i < wlen; i++)
        diff |= (unsigned char)want[i] ^ (unsigned char)(i < glen ? got[i] : 0);
    return diff == 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Does the query hold token=<the token> (percent-decoded, '+' as a space)? */
static int query_has_token(const httpd_t *h, const char *q, size_t qlen)
{
    int found = 0;
    char dec[512];
    while (qlen > 0) {
        const char *amp = memchr(q, '&', qlen);
        size_t plen = amp ? (size_t)(amp - q) : qlen;
        if (plen > 6 && memcmp(q, "token=", 6) == 0) {
            size_t n = 0;
            int ok = 1;
            for (size_t i = 6; i < plen && ok; i++) {
                char c = q[i];
                if (c == '%') {
                    int hi = i + 2 < plen ? hexval(q[i + 1]) : -1;
                    int lo = i + 2 < plen ? hexval(q[i + 2]) : -1;
                    ok = hi >= 0 && lo >= 0;
                    c = (char)(hi * 16 + lo);
                    i += 2;
                } else if (c == '+') {
                    c = ' ';
                }
                if (n == sizeof dec) ok = 0;
                if (ok) dec[n++] = c;
            }
            found |= ok && token_equal(h->token, h->token_len, dec, n);
        }
        if (!amp) break;
        qlen -= plen + 1;
        q = amp + 1;
    }
    return found;
}

/* "Bearer <token>": the scheme in any case, then spaces (RFC 9110 section 11.1 and 11.4). */
static int authorization_has_token(const httpd_t *h, const char *v, size_t vlen)
{
    if (!v || vlen < 7 || strncasecmp(v, "bearer", 6) != 0 || (v[6] != ' ' && v[6] != '\t'))
        return 0;
    size_t i = 6;
    while (i < vlen && (v[i] == ' ' || v[i] == '\t'))
        i++;
    while (vlen > i && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
        vlen--;
    return token_equal(h->token, h->token_len, v + i, vlen - i);
}

static const httpd_route_t *route_find(const httpd_route_t *rs, size_t n, const char *m,
                                       size_t mlen, const char *p, size_t plen)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(rs[i].path) == plen && memcmp(rs[i].path, p, plen) == 0 &&
            strlen(rs[i].method) == mlen && memcmp(rs[i].method, m, mlen) == 0)
            return &rs[i];
    return NULL;
}

/* The checks every request gets, from its method, target (path?query) and Authorization. */
static void gate_decide(const httpd_t *h, const char *m, size_t mlen, const char *target,
                        size_t tlen, const char *auth, size_t alen, gate_answer_t *a)
{
    const char *qm = memchr(target, '?', tlen);
    size_t plen = qm ? (size_t)(qm - target) : tlen;
    const char *query = qm ? qm + 1 : "";
    size_t qlen = qm ? tlen - plen - 1 : 0;
    if (h->token && !route_find(h->publics, h->npublics, m, mlen, target, plen) &&
        !authorization_has_token(h, auth, alen) && !query_has_token(h, query, qlen)) {
        a->status = 401;
        a->message = "missing or wrong token: send 'Authorization: Bearer <token>' or ?token=";
        snprintf(a->header, sizeof a->header, "WWW-Authenticate: Bearer");
        return;
    }
    if (h->routes && !route_find(h->routes, h->nroutes, m, mlen, target, plen) &&
        !route_find(h->publics, h->npublics, m, mlen, target, plen)) {
        size_t used = (size_t)snprintf(a->header, sizeof a->header, "Allow:");
        for (size_t i = 0; i < h->nroutes; i++)
            if (strlen(h->routes[i].path) == plen && memcmp(h->routes[i].path, target, plen) == 0 &&
                used < sizeof a->header)
                used += (size_t)snprintf(a->header + used, sizeof a->header - used, "%s %s",
                                         used > 6 ? "," : "", h->routes[i].method);
        if (used > 6) {
            a->status = 405;
            a->message = "method not allowed on this path";
        } else {
            a->status = 404;
            a->message = "no route for this path";
            a->header[0] = '\0';
        }
        return;
    }
    if (a->reserve > h->max_body) {
        a->status = 413;
        a->message = "request body is too large";
        return;
    }
    if (a->reserve > 0 && h->stats.bytes_buffered + a->reserve > h->max_buffered) {
        a->status = 503;
        a->message = "too many request bodies in memory; retry later";
        snprintf(a->header, sizeof a->header, "Retry-After: 1");
        return;
    }
}

static void on_gate_read(h2o_socket_t *sock, const char *err);

/* Puts the gate in front of h2o's HTTP/1 reader, which waits for a request head. */
static void gate_arm(httpd_conn_t *cn)
{
    h2o_socket_t *sock = cn->sock;
    if (!sock || !sock->_cb.read || sock->_cb.read == on_gate_read) return;
    cn->gate_orig = sock->_cb.read;
    cn->gate_passed = 0;
    sock->_cb.read = on_gate_read;
}

/* Steps aside: h2o reads on by itself (the body, or an HTTP/2 preface, or an error). */
static void gate_pass(httpd_conn_t *cn, h2o_socket_t *sock, const char *err)
{
    h2o_socket_cb orig = cn->gate_orig;
    cn->gate_orig = NULL;
    sock->_cb.read = orig;
    orig(sock, err); /* may close the connection: touch nothing afterwards */
}

static void on_linger_read(h2o_socket_t *sock, const char *err)
{
    httpd_conn_t *cn = sock->on_close.data;
    if (err) {
        gate_pass(cn, sock, err); /* h2o closes the connection */
        return;
    }
    h2o_buffer_consume(&sock->input, sock->input->size); /* drop it, never keep it */
}

static void on_refusal_written(h2o_socket_t *sock, const char *err)
{
    httpd_conn_t *cn = sock->on_close.data;
    uv_os_fd_t fd;
    buf_free(&cn->refusal);
    if (err) {
        gate_pass(cn, sock, err);
        return;
    }
    /* the client sees the answer, then EOF, and stops sending; until it closes, we drop what it
     * sends (closing now, with unread bytes, would send it a reset that can eat the answer) */
    if (uv_fileno((uv_handle_t *)&cn->tcp, &fd) == 0) shutdown(fd, SHUT_WR);
}

static const char *reason_phrase(int status);

static void gate_refuse(httpd_conn_t *cn, h2o_socket_t *sock, const gate_answer_t *a, int head)
{
    httpd_t *h = cn->srv;
    char body[256];
    int blen = snprintf(body, sizeof body, "{\"error\":{\"status\":%d,\"message\":\"%s\"}}",
                        a->status, a->message);
    h->stats.requests_refused++;
    buf_reset(&cn->refusal);
    buf_printf(&cn->refusal,
               "HTTP/1.1 %d %s\r\nServer: ratio\r\nContent-Type: application/json\r\n"
               "Content-Length: %d\r\nConnection: close\r\n%s%s\r\n%s",
               a->status, reason_phrase(a->status), blen, a->header, a->header[0] ? "\r\n" : "",
               head ? "" : body);
    sock->_cb.read = on_linger_read;
    h2o_buffer_consume(&sock->input, sock->input->size);
    h2o_iovec_t out = h2o_iovec_init(cn->refusal.data, cn->refusal.len);
    h2o_socket_write(sock, &out, 1, on_refusal_written);
}

static void on_gate_read(h2o_socket_t *sock, const char *err)
{
    httpd_conn_t *cn = sock->on_close.data;
    httpd_t *h = cn->srv;
    if (err) {
        gate_pass(cn, sock, err);
        return;
    }
    const char *m, *target;
    size_t mlen, tlen, nh = H2O_MAX_HEADERS;
    int minor;
    struct phr_header hs[H2O_MAX_HEADERS];
    size_t avail = sock->input->size;
    int len = phr_parse_request(sock->input->bytes, avail <= h->max_head ? avail : h->max_head + 1,
                                &m, &mlen, &target, &tlen, &minor, hs, &nh, 0);
    gate_answer_t a = {0, NULL, "", 0};
    if (len == -2 && avail <= h->max_head) return; /* the head is not all here yet */
    if (len == -1) {                               /* not HTTP/1 (an HTTP/2 preface?): h2o's */
        gate_pass(cn, sock, NULL);
        return;
    }
    if (len == -2 || (size_t)len > h->max_head) {
        a.status = 431;
        a.message = "request head (request line and headers) is too large";
        gate_refuse(cn, sock, &a, 0);
        return;
    }
    const char *auth = NULL, *clen = NULL;
    size_t alen = 0, cllen = 0;
    int te = 0;
    for (size_t i = 0; i < nh && !a.status; i++) {
        const struct phr_header *e = &hs[i];
        if (!e->name) continue; /* a folded continuation line */
        if (mem_ieq(e->name, e->name_len, "authorization") && !auth) {
            auth = e->value;
            alen = e->value_len;
        } else if (mem_ieq(e->name, e->name_len, "transfer-encoding")) {
            te = 1;
        } else if (mem_ieq(e->name, e->name_len, "content-length")) {
            if (clen && (cllen != e->value_len || memcmp(clen, e->value, cllen) != 0)) {
                a.status = 400;
                a.message = "conflicting Content-Length headers";
            }
            clen = e->value;
            cllen = e->value_len;
        }
    }
    if (!a.status && te && clen) {
        a.status = 400;
        a.message = "Content-Length together with Transfer-Encoding";
    }
    if (!a.status && clen) {
        size_t v = 0;
        int ok = cllen > 0 && cllen <= 19;
        for (size_t i = 0; ok && i < cllen; i++) {
            ok = clen[i] >= '0' && clen[i] <= '9';
            v = v * 10 + (size_t)(clen[i] - '0');
        }
        if (!ok) {
            a.status = 400;
            a.message = "bad Content-Length";
        }
        a.reserve = v;
    } else if (!a.status && te) {
        a.reserve = h->max_body; /* chunked: as much as it may grow to */
    }
    int head = mlen == 4 && memcmp(m, "HEAD", 4) == 0;
    if (!a.status) gate_decide(h, m, mlen, target, tlen, auth, alen, &a);
    if (a.status) {
        gate_refuse(cn, sock, &a, head);
        return;
    }
    budget_take(h, a.reserve);
    cn->reserved = a.reserve;
    cn->head_len = (size_t)len;
    cn->gate_passed = 1;
    gate_pass(cn, sock, NULL);
}

/* Wraps h2o's write-done callback of an HTTP/1 response: when h2o moves on to the next request
 * on the connection, the gate must stand in front of it again, pipelined bytes included. */
static void on_gate_write_done(h2o_socket_t *sock, const char *err)
{
    httpd_conn_t *cn = sock->on_close.data;
    h2o_socket_cb orig = cn->write_orig;
    cn->write_orig = NULL;
    if (err || cn->req_end > sock->input->size) {
        orig(sock, err);
        return;
    }
    /* hold back what follows this request (h2o would parse it at once) and the stash */
    buf_t next;
    buf_init(&next);
    buf_append(&next, sock->input->bytes + cn->req_end, sock->input->size - cn->req_end);
    sock->input->size = cn->req_end;
    buf_append(&next, cn->stash.data, cn->stash.len);
    buf_reset(&cn->stash);
    orig(sock, NULL); /* h2o: disposes the request, consumes it, then waits for the next head */
    if (cn->sock == sock && sock->_cb.read && sock->input->size == 0) {
        gate_arm(cn);
        if (next.len) {
            h2o_iovec_t room = h2o_buffer_reserve(&sock->input, next.len);
            if (room.base) {
                memcpy(room.base, next.data, next.len);
                sock->input->size += next.len;
                on_gate_read(sock, NULL);
            }
        }
    }
    buf_free(&next);
}

/* ---- h2o side ---- */

static void on_h2o_req_disposed(void *p)
{
    httpd_hook_t *hook = p;
    httpd_req_t *r = hook->req;
    httpd_t *h = r->srv;
    httpd_conn_t *cn = r->conn;
    if (cn) {
        if (cn->watched == r) watch_stop(cn);
        stash_return(cn);
        cn->active--;
    }
    if (!r->responded) mark_gone(r); /* reset stream, closed connection, server cut */
    r->h2o = NULL;
    r->hook = NULL;
    r->conn = NULL;
    h->stats.requests_in_flight--;
    if (cn) conn_close_if_idle(cn);
    req_unref(r);
}

static const char *reason_phrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 422:
        return "Unprocessable Entity";
    case 431:
        return "Request Header Fields Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return status < 300 ? "OK" : status < 400 ? "Redirect" : "Error";
    }
}

static int is_head(const h2o_req_t *q)
{
    return q->method.len == 4 && memcmp(q->method.base, "HEAD", 4) == 0;
}

/* Hands a complete response to h2o. state is FINAL, or ERROR to cut the connection after it. */
static void send_response(httpd_req_t *r, int status, const char *reason,
                          const httpd_header_t *headers, size_t nheaders, const void *body,
                          size_t len, size_t content_length, h2o_send_state_t state)
{
    h2o_req_t *q = r->h2o;
    if (r->conn && r->conn->watched == r) watch_stop(r->conn); /* h2o reads again after this */
    r->responded = 1;
    q->res.status = status;
    q->res.reason = reason;
    for (size_t i = 0; i < nheaders; i++)
        if (headers[i].name && headers[i].value) {
            static const char *const managed[] = {
                "content-length",  "transfer-encoding", "connection", "keep-alive", "upgrade", "te",
                "proxy-connection"};
            const char *name = headers[i].name, *value = headers[i].value;
            size_t nlen = strlen(name), vlen = strlen(value), k;
            int ok = nlen > 0;
            for (k = 0; ok && k < nlen; k++) /* a token; no room for header injection */
                ok = name[k] > 32 && name[k] < 127 && !strchr("()<>@,;:\\\"/[]?={}", name[k]);
            for (k = 0; ok && k < vlen; k++)
                ok = value[k] != '\r' && value[k] != '\n';
            for (k = 0; ok && k < sizeof managed / sizeof managed[0]; k++)
                ok = strcasecmp(name, managed[k]) != 0;
            if (!ok) continue;
            /* lower-case for h2o and HTTP/2; orig_name keeps the case on HTTP/1 */
            h2o_iovec_t lname = h2o_strdup(&q->pool, name, nlen);
            h2o_strtolower(lname.base, nlen);
            h2o_iovec_t v = h2o_strdup(&q->pool, value, vlen);
            h2o_add_header_by_str(&q->pool, &q->res.headers, lname.base, nlen, 1, name, v.base,
                                  v.len);
        }
    if (r->srv->shutting) q->http1_is_persistent = 0; /* say "Connection: close" while draining */
    if (state == H2O_SEND_STATE_ERROR) q->http1_is_persistent = 0;
    int bodyless = status == 204 || status == 304;
    q->res.content_length = bodyless ? SIZE_MAX : content_length;
    h2o_iovec_t buf = {NULL, 0};
    if (len && !bodyless && !is_head(q)) {
        buf.base = h2o_mem_alloc_pool(&q->pool, len);
        memcpy(buf.base, body, len);
        buf.len = len;
    }
    httpd_conn_t *cn = r->conn;
    int regate = cn && r->version < 20 && q->http1_is_persistent && state == H2O_SEND_STATE_FINAL;
    h2o_start_response(q, &r->hook->gen);
    h2o_send(q, buf.len ? &buf : NULL, buf.len ? 1 : 0, state);
    /* h2o wrote the response and waits for the write to finish (HTTP/1 sends it in one write) */
    if (regate && cn->sock && cn->sock->_cb.write && !cn->write_orig) {
        cn->write_orig = cn->sock->_cb.write;
        cn->sock->_cb.write = on_gate_write_done;
    }
}

static void send_internal(httpd_req_t *r, int status, const char *reason)
{
    r->h2o->http1_is_persistent = 0;
    send_response(r, status, reason, NULL, 0, NULL, 0, 0, H2O_SEND_STATE_FINAL);
}

static httpd_conn_t *conn_of(h2o_req_t *q)
{
    h2o_socket_t *sock =
        q->conn->callbacks->get_socket ? q->conn->callbacks->get_socket(q->conn) : NULL;
    return sock ? sock->on_close.data : NULL; /* every server socket is ours (on_uv_accept) */
}

/* Copies what the owner may read, so it stays valid whatever h2o does. */
static httpd_req_t *req_new(httpd_t *h, h2o_req_t *q)
{
    httpd_req_t *r = calloc(1, sizeof *r);
    if (!r) abort();
    size_t pathlen = q->query_at != SIZE_MAX ? q->query_at : q->path.len;
    size_t qlen = q->query_at != SIZE_MAX ? q->path.len - q->query_at - 1 : 0;
    char clen[32] = "";
    if (q->entity.base) snprintf(clen, sizeof clen, "%zu", q->entity.len);
    size_t nh = q->headers.size + 1 + (clen[0] != 0);
    size_t total = q->method.len + pathlen + qlen + 3 + sizeof "host" + q->authority.len + 1 +
                   sizeof "content-length" + strlen(clen) + 1;
    for (size_t i = 0; i < q->headers.size; i++)
        total += q->headers.entries[i].name->len + q->headers.entries[i].value.len + 2;
    r->strings = malloc(total);
    r->hdrs = calloc(nh, sizeof *r->hdrs);
    if (!r->strings || !r->hdrs) abort();
    char *p = r->strings;
#define HTTPD_PUT(dst, src, n)                                                                     \
    do {                                                                                           \
        (dst) = p;                                                                                 \
        if (n) memcpy(p, (src), (n));                                                              \
        p[(n)] = '\0';                                                                             \
        p += (n) + 1;                                                                              \
    } while (0)
    HTTPD_PUT(r->method, q->method.base, q->method.len);
    HTTPD_PUT(r->path, q->path.base, pathlen);
    HTTPD_PUT(r->query, qlen ? q->path.base + pathlen + 1 : "", qlen);
    /* h2o moves Host (HTTP/1) and :authority (HTTP/2) out of the header list */
    HTTPD_PUT(r->hdrs[r->nhdrs].name, "host", 4);
    HTTPD_PUT(r->hdrs[r->nhdrs].value, q->authority.base, q->authority.len);
    r->nhdrs++;
    if (clen[0]) { /* and Content-Length too */
        HTTPD_PUT(r->hdrs[r->nhdrs].name, "content-length", 14);
        HTTPD_PUT(r->hdrs[r->nhdrs].value, clen, strlen(clen));
        r->nhdrs++;
    }
    for (size_t i = 0; i < q->headers.size; i++) {
        const h2o_header_t *e = &q->headers.entries[i];
        HTTPD_PUT(r->hdrs[r->nhdrs].name, e->name->base, e->name->len);
        HTTPD_PUT(r->hdrs[r->nhdrs].value, e->value.base, e->value.len);
        r->nhdrs++;
    }
#undef HTTPD_PUT
    r->body_len = q->entity.base ? q->entity.len : 0;
    r->body = malloc(r->body_len + 1);
    if (!r->body) abort();
    if (r->body_len) memcpy(r->body, q->entity.base, r->body_len);
    r->body[r->body_len] = '\0';
    r->version = q->version >= 0x200 ? 20 : q->version == 0x100 ? 10 : 11;
    r->srv = h;
    r->next = h->reqs;
    if (h->reqs) h->reqs->prev = r;
    h->reqs = r;
    return r;
}

/* Finishes r for the server itself, with a JSON error, instead of handing it to the owner. */
static void refuse_late(httpd_req_t *r, const gate_answer_t *a)
{
    char body[256];
    int blen = snprintf(body, sizeof body, "{\"error\":{\"status\":%d,\"message\":\"%s\"}}",
                        a->status, a->message);
    httpd_header_t hs[2] = {{"content-type", "application/json"}, {NULL, NULL}};
    char name[64];
    const char *colon = strchr(a->header, ':');
    if (colon && (size_t)(colon - a->header) < sizeof name) {
        memcpy(name, a->header, (size_t)(colon - a->header));
        name[colon - a->header] = '\0';
        hs[1].name = name;
        hs[1].value = colon + 2;
    }
    r->srv->stats.requests_refused++;
    r->finished = 1;
    send_response(r, a->status, reason_phrase(a->status), hs, hs[1].name ? 2 : 1, body,
                  (size_t)blen, (size_t)blen, H2O_SEND_STATE_FINAL);
    req_unref(r); /* the owner's reference: it never sees this request */
}

static int on_h2o_req(h2o_handler_t *self, h2o_req_t *q)
{
    httpd_t *h = ((httpd_h2o_handler_t *)self)->srv;
    httpd_req_t *r = req_new(h, q);
    r->refs = 3; /* h2o's (dropped in on_h2o_req_disposed), the owner's, and this function's */
    r->h2o = q;
    r->hook = h2o_mem_alloc_shared(&q->pool, sizeof *r->hook, on_h2o_req_disposed);
    r->hook->req = r;
    r->hook->gen = (h2o_generator_t){NULL, NULL};
    r->conn = conn_of(q);
    if (r->conn) r->conn->active++;
    h->stats.requests_in_flight++;
    httpd_conn_t *cn = r->conn;
    int gated = cn && cn->gate_passed;
    if (cn) {
        r->reserved = cn->reserved; /* the body's budget now goes with the request */
        cn->reserved = 0;
        cn->gate_passed = 0;
        cn->req_end = SIZE_MAX;
        h2o_buffer_t *in = cn->sock ? cn->sock->input : NULL;
        if (gated && r->version < 20 && in) {
            /* where h2o's _reqsize points: the end of the body in its input, or of the head */
            const char *end =
                q->entity.base ? q->entity.base + q->entity.len : in->bytes + cn->head_len;
            if (end >= in->bytes && end <= in->bytes + in->size)
                cn->req_end = (size_t)(end - in->bytes);
        }
        if (r->version < 20 && cn->req_end == SIZE_MAX)
            q->http1_is_persistent = 0; /* cannot put the gate back: end the connection */
    }
    if (!gated) { /* HTTP/2: the same checks, now that h2o has the whole body */
        const h2o_header_t *auth = NULL;
        ssize_t ai = h2o_find_header(&q->headers, H2O_TOKEN_AUTHORIZATION, -1);
        if (ai >= 0) auth = &q->headers.entries[ai];
        gate_answer_t a = {0, NULL, "", r->body_len};
        gate_decide(h, q->method.base, q->method.len, q->path.base, q->path.len,
                    auth ? auth->value.base : NULL, auth ? auth->value.len : 0, &a);
        if (a.status) {
            refuse_late(r, &a);
            req_unref(r);
            return 0;
        }
        r->reserved = r->body_len;
        budget_take(h, r->reserved);
    }
    h->handler(r, h->ud);
    if (r->h2o && !r->responded && r->version < 20) watch_start(r);
    req_unref(r);
    return 0;
}

static void json_error_send(h2o_ostream_t *self_, h2o_req_t *q, h2o_iovec_t *bufs, size_t bufcnt,
                            h2o_send_state_t state)
{
    (void)bufs;
    (void)bufcnt;
    httpd_json_ostream_t *self = (httpd_json_ostream_t *)self_;
    size_t n = 0;
    if (!self->sent) {
        self->sent = 1;
        n = is_head(q) ? 0 : 1;
    }
    h2o_ostream_send_next(&self->super, q, &self->json, n, state);
}

/* Filter on the fallback path, where h2o sends the errors it raises before any handler runs. */
static void on_fallback_setup_ostream(h2o_filter_t *self, h2o_req_t *q, h2o_ostream_t **slot)
{
    (void)self;
    if (q->res.status >= 400) {
        buf_t j;
        buf_init(&j);
        buf_printf(&j, "{\"error\":{\"status\":%d,\"message\":\"", q->res.status);
        for (const char *s = q->res.reason ? q->res.reason : ""; *s; s++)
            if (*s == '"' || *s == '\\' || (unsigned char)*s < 0x20)
                buf_printf(&j, "\\u%04x", (unsigned char)*s);
            else
                buf_putc(&j, *s);
        buf_puts(&j, "\"}}");
        httpd_json_ostream_t *os = (void *)h2o_add_ostream(q, sizeof *os, slot);
        os->super.do_send = json_error_send;
        os->json = h2o_strdup(&q->pool, j.data, j.len);
        os->sent = 0;
        buf_free(&j);
        q->res.content_length = os->json.len;
        h2o_set_header(&q->pool, &q->res.headers, H2O_TOKEN_CONTENT_TYPE,
                       H2O_STRLIT("application/json"), 1);
        slot = &os->super.next;
    }
    h2o_setup_next_ostream(q, slot);
}

/* ---- connections ---- */

static void progress(httpd_t *h);

static void on_h2o_sock_disposed(void *data)
{
    httpd_conn_t *cn = data;
    budget_give(cn->srv, cn->reserved); /* a body that never arrived whole */
    cn->reserved = 0;
    cn->sock = NULL; /* uv_close has been called on cn->tcp; reads stopped with it */
    cn->watching = 0;
    cn->watched = NULL;
}

static void on_uv_conn_closed(uv_handle_t *hd)
{
    httpd_conn_t *cn = HTTPD_CONTAINER_OF(hd, httpd_conn_t, tcp);
    httpd_t *h = cn->srv;
    if (cn->prev)
        cn->prev->next = cn->next;
    else
        h->conns = cn->next;
    if (cn->next) cn->next->prev = cn->prev;
    h->stats.connections_open--;
    buf_free(&cn->stash);
    buf_free(&cn->refusal);
    free(cn);
    progress(h);
}

static void on_uv_conn_rejected(uv_handle_t *hd)
{
    free(HTTPD_CONTAINER_OF(hd, httpd_conn_t, tcp));
}

static void on_uv_accept(uv_stream_t *listener, int status)
{
    httpd_t *h = listener->data;
    if (status < 0) return; /* e.g. EMFILE: the client will retry or time out */
    httpd_conn_t *cn = calloc(1, sizeof *cn);
    if (!cn) abort();
    uv_tcp_init(h->loop, &cn->tcp);
    if (uv_accept(listener, (uv_stream_t *)&cn->tcp) != 0) {
        uv_close((uv_handle_t *)&cn->tcp, on_uv_conn_rejected);
        return;
    }
    uv_tcp_nodelay(&cn->tcp, 1); /* small responses, sent whole: no Nagle delay */
    cn->srv = h;
    buf_init(&cn->stash);
    cn->next = h->conns;
    if (h->conns) h->conns->prev = cn;
    h->conns = cn;
    h->stats.connections_accepted++;
    h->stats.connections_open++;
    cn->sock = h2o_uv_socket_create((uv_stream_t *)&cn->tcp, on_uv_conn_closed);
    cn->sock->on_close.cb = on_h2o_sock_disposed;
    cn->sock->on_close.data = cn;
    h2o_accept(&h->accept_ctx, cn->sock); /* plain TCP: h2o's HTTP/1 reader starts at once */
    gate_arm(cn);
}

/* ---- shutdown and free ---- */

static void routes_free(httpd_route_t *rs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(rs[i].method);
        free(rs[i].path);
    }
    free(rs);
}

static void config_free(httpd_t *h)
{
    free(h->token);
    routes_free(h->routes, h->nroutes);
    routes_free(h->publics, h->npublics);
}

static void on_uv_reaper_closed(uv_handle_t *hd)
{
    httpd_t *h = hd->data;
    uv_loop_close(&h->dispose_loop);
    config_free(h);
    free(h);
}

/* Copies a NULL-terminated list of "METHOD /path"; returns 0 with a message on a bad entry. */
static int routes_copy(const char *const *src, httpd_route_t **out, size_t *n, char *err,
                       size_t errlen)
{
    size_t count = 0;
    while (src[count])
        count++;
    httpd_route_t *rs = calloc(count + 1, sizeof *rs);
    if (!rs) abort();
    for (size_t i = 0; i < count; i++) {
        const char *s = src[i], *sp = strchr(s, ' ');
        size_t ml = sp ? (size_t)(sp - s) : 0;
        int ok = ml > 0 && sp[1] == '/' && !strpbrk(sp + 1, " \t?#\r\n");
        for (size_t k = 0; ok && k < ml; k++)
            ok = s[k] >= 'A' && s[k] <= 'Z';
        if (!ok) {
            set_err(err, errlen, "httpd: route '%s' is not 'METHOD /path'", s);
            routes_free(rs, i);
            return 0;
        }
        rs[i].method = strndup(s, ml);
        rs[i].path = strdup(sp + 1);
        if (!rs[i].method || !rs[i].path) abort();
    }
    *out = rs;
    *n = count;
    return 1;
}

static void on_uv_notify_closed(uv_handle_t *hd)
{
    httpd_t *h = hd->data;
    /* every handle closed together with notify_timer (h2o's timers inside h->ctx) is finished
     * now; the reaper closes in the next pass, after which nothing can touch h */
    uv_close((uv_handle_t *)&h->reaper, on_uv_reaper_closed);
}

static void dispose_h2o(httpd_t *h)
{
    h->disposed = 1;
    /* h2o_context_dispose asserts every timeout list is empty; the HTTP/2 graceful-shutdown
     * entry may still be waiting for its second GOAWAY */
    h2o_timeout_unlink(&h->ctx.http2._graceful_shutdown_timeout);
    h->ctx.loop = &h->dispose_loop; /* see (3) at the top */
    h2o_context_dispose(&h->ctx);
    h2o_config_dispose(&h->config);
    fire_notifications(h); /* the owner learns about every request cut short */
    for (httpd_req_t *r = h->reqs; r; r = r->next)
        r->srv = NULL;
    h->reqs = NULL;
    uv_close((uv_handle_t *)&h->notify_timer, on_uv_notify_closed);
}

static void progress(httpd_t *h)
{
    if (h->listener || h->conns) return;
    if (h->shutting && !h->shutdown_fired) {
        h->shutdown_fired = 1;
        if (h->shutdown_cb) h->shutdown_cb(h, h->shutdown_ud); /* may call httpd_free */
    }
    if (h->freeing && !h->disposed) dispose_h2o(h);
}

static void on_uv_listener_closed(uv_handle_t *hd)
{
    httpd_t *h = hd->data;
    free(hd);
    h->listener = NULL;
    progress(h);
}

static void begin_shutdown(httpd_t *h)
{
    if (h->shutting) return;
    h->shutting = 1;
    if (h->listener) uv_close((uv_handle_t *)h->listener, on_uv_listener_closed);
    h2o_context_request_shutdown(&h->ctx); /* HTTP/1: no more keep-alive; HTTP/2: GOAWAY */
    for (httpd_conn_t *cn = h->conns; cn; cn = cn->next)
        conn_close_if_idle(cn);
}

void httpd_shutdown(httpd_t *h, httpd_shutdown_fn cb, void *ud)
{
    if (!h || h->shutting) return;
    h->shutdown_cb = cb;
    h->shutdown_ud = ud;
    begin_shutdown(h); /* cb runs from a close callback, never from inside this call */
}

void httpd_free(httpd_t *h)
{
    if (!h || h->freeing) return;
    h->freeing = 1;
    begin_shutdown(h);
    /* answer what the owner has not (the owner hears on_gone), so every HTTP/1 connection moves
     * on to closing; then cut every connection */
    for (httpd_req_t *r = h->reqs, *next; r; r = next) {
        r->refs++;
        if (r->h2o && !r->responded) {
            mark_gone(r);
            send_internal(r, 503, "Service Unavailable");
        }
        next = r->next;
        req_unref(r);
    }
    for (httpd_conn_t *cn = h->conns; cn; cn = cn->next) {
        uv_os_fd_t fd;
        if (cn->sock && uv_fileno((uv_handle_t *)&cn->tcp, &fd) == 0) shutdown(fd, SHUT_RDWR);
    }
    progress(h);
}

/* ---- creation ---- */

static void on_uv_listener_abandoned(uv_handle_t *hd)
{
    free(hd);
}

httpd_t *httpd_new(uv_loop_t *loop, const httpd_config_t *cfg, httpd_handler_fn handler, void *ud,
                   char *err, size_t errlen)
{
    httpd_config_t dflt = {.host = NULL};
    if (!cfg) cfg = &dflt;
    const char *host = cfg->host ? cfg->host : "127.0.0.1";
    if (!handler || cfg->port < 0 || cfg->port > 65535) {
        set_err(err, errlen, "httpd: bad arguments (handler %s, port %d)", handler ? "set" : "NULL",
                cfg->port);
        return NULL;
    }
    httpd_route_t *routes = NULL, *publics = NULL;
    size_t nroutes = 0, npublics = 0;
    if ((cfg->routes && !routes_copy(cfg->routes, &routes, &nroutes, err, errlen)) ||
        (cfg->public_routes &&
         !routes_copy(cfg->public_routes, &publics, &npublics, err, errlen))) {
        routes_free(routes, nroutes);
        return NULL;
    }
    struct sockaddr_storage addr;
    int rc = strchr(host, ':') ? uv_ip6_addr(host, cfg->port, (struct sockaddr_in6 *)&addr)
                               : uv_ip4_addr(host, cfg->port, (struct sockaddr_in *)&addr);
    if (rc != 0) {
        set_err(err, errlen, "httpd: host '%s' is not an IP address", host);
        routes_free(routes, nroutes);
        routes_free(publics, npublics);
        return NULL;
    }
    /* libuv writes with write(2): a client hanging up would kill the process with SIGPIPE. Ignore
     * it unless the program installed its own handler. */
#ifdef M_MMAP_THRESHOLD
    /* Request bodies are big and short-lived. glibc raises its mmap threshold after each big
     * free (up to 32 MiB), so later bodies land on the heap and their memory is not given back
     * when they are freed: RSS stayed high long after a burst. A fixed threshold keeps every
     * buffer of 1 MiB or more in its own mapping, returned to the system on free. */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = SIG_IGN;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGPIPE, &sa, NULL);
    }
    uv_tcp_t *lst = malloc(sizeof *lst);
    if (!lst) abort();
    uv_tcp_init(loop, lst);
    rc = uv_tcp_bind(lst, (const struct sockaddr *)&addr, 0);
    if (rc == 0) rc = uv_listen((uv_stream_t *)lst, 1024, on_uv_accept);
    struct sockaddr_storage bound;
    int blen = sizeof bound;
    if (rc == 0) rc = uv_tcp_getsockname(lst, (struct sockaddr *)&bound, &blen);
    if (rc != 0) {
        /* libuv reports EADDRINUSE from bind or from listen, depending */
        set_err(err, errlen, "httpd: cannot listen on %s:%d: %s", host, cfg->port, uv_strerror(rc));
        uv_close((uv_handle_t *)lst, on_uv_listener_abandoned);
        routes_free(routes, nroutes);
        routes_free(publics, npublics);
        return NULL;
    }
    httpd_t *h = calloc(1, sizeof *h);
    if (!h) abort();
    if (uv_loop_init(&h->dispose_loop) != 0) {
        set_err(err, errlen, "httpd: cannot create its disposal loop (out of file descriptors?)");
        uv_close((uv_handle_t *)lst, on_uv_listener_abandoned);
        routes_free(routes, nroutes);
        routes_free(publics, npublics);
        free(h);
        return NULL;
    }
    h->loop = loop;
    h->listener = lst;
    lst->data = h;
    h->handler = handler;
    h->ud = ud;
    h->port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                          : ntohs(((struct sockaddr_in *)&bound)->sin_port);
    uv_timer_init(loop, &h->notify_timer);
    uv_timer_init(loop, &h->reaper);
    h->notify_timer.data = h;
    h->reaper.data = h;

    h->routes = routes;
    h->nroutes = nroutes;
    h->publics = publics;
    h->npublics = npublics;
    if (cfg->token && cfg->token[0]) {
        h->token = strdup(cfg->token);
        if (!h->token) abort();
        h->token_len = strlen(cfg->token);
    }
    h->max_body = cfg->max_body_bytes ? cfg->max_body_bytes : HTTPD_DEFAULT_MAX_BODY;
    h->max_buffered =
        cfg->max_buffered_bytes ? cfg->max_buffered_bytes : HTTPD_DEFAULT_MAX_BUFFERED;
    if (h->max_buffered < h->max_body) h->max_buffered = h->max_body;
    h->max_head = cfg->max_head_bytes ? cfg->max_head_bytes : HTTPD_DEFAULT_MAX_HEAD;
    if (h->max_head > H2O_MAX_REQLEN - 1) h->max_head = H2O_MAX_REQLEN - 1;

    h2o_config_init(&h->config);
    h->config.server_name = h2o_iovec_init(H2O_STRLIT("ratio"));
    h->config.max_request_entity_size = h->max_body;
    if (cfg->http2 < 0) h->config.http1.upgrade_to_http2 = 0;
    if (cfg->request_timeout_ms) h->config.http1.req_timeout = cfg->request_timeout_ms;
    h2o_hostconf_t *hc =
        h2o_config_register_host(&h->config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *pc = h2o_config_register_path(hc, "/", 0); /* "/" matches every path */
    httpd_h2o_handler_t *hd = (void *)h2o_create_handler(pc, sizeof *hd);
    hd->super.on_req = on_h2o_req;
    hd->srv = h;
    h2o_filter_t *f = h2o_create_filter(&hc->fallback_path, sizeof *f); /* runs before chunked */
    f->on_setup_ostream = on_fallback_setup_ostream;
    h2o_context_init(&h->ctx, loop, &h->config);
    h->accept_ctx.ctx = &h->ctx;
    h->accept_ctx.hosts = h->config.hosts;
    return h;
}

int httpd_port(const httpd_t *h)
{
    return h->port;
}

void httpd_get_stats(const httpd_t *h, httpd_stats_t *out)
{
    *out = h->stats;
}

/* ---- requests ---- */

const char *httpd_req_method(const httpd_req_t *r)
{
    return r->method;
}
const char *httpd_req_path(const httpd_req_t *r)
{
    return r->path;
}
const char *httpd_req_query(const httpd_req_t *r)
{
    return r->query;
}
size_t httpd_req_header_count(const httpd_req_t *r)
{
    return r->nhdrs;
}
int httpd_req_http_version(const httpd_req_t *r)
{
    return r->version;
}
int httpd_req_is_gone(const httpd_req_t *r)
{
    return r->gone;
}

const char *httpd_req_header(const httpd_req_t *r, const char *name)
{
    for (size_t i = 0; i < r->nhdrs; i++)
        if (strcasecmp(r->hdrs[i].name, name) == 0) return r->hdrs[i].value;
    return NULL;
}

int httpd_req_header_at(const httpd_req_t *r, size_t i, const char **name, const char **value)
{
    if (i >= r->nhdrs) return 0;
    if (name) *name = r->hdrs[i].name;
    if (value) *value = r->hdrs[i].value;
    return 1;
}

const char *httpd_req_body(const httpd_req_t *r, size_t *len)
{
    if (len) *len = r->body_len;
    return r->body;
}

void httpd_req_on_gone(httpd_req_t *r, httpd_gone_fn cb, void *ud)
{
    r->on_gone = cb;
    r->gone_ud = ud;
    if (r->gone && cb) queue_notify(r);
}

void httpd_respond(httpd_req_t *r, int status, const httpd_header_t *headers, size_t nheaders,
                   const void *body, size_t len)
{
    if (!r || r->finished) return;
    r->finished = 1;
    if (r->h2o && !r->responded) {
        if (status < 200 || status > 599) status = 500;
        r->srv->stats.requests_served++;
        send_response(r, status, reason_phrase(status), headers, nheaders, body, len, len,
                      H2O_SEND_STATE_FINAL);
    }
    req_unref(r);
}

void httpd_abort(httpd_req_t *r, const void *partial_body, size_t len)
{
    if (!r || r->finished) return;
    r->finished = 1;
    if (r->h2o && !r->responded) {
        r->srv->stats.requests_served++;
        /* announce one byte more than we send, so every client sees the body cut short */
        send_response(r, 200, "OK", NULL, 0, partial_body, len, len + 1, H2O_SEND_STATE_ERROR);
    }
    req_unref(r);
}
