/* httpc: libcurl multi on libuv. Naming follows curl's multi-uv example: libuv callbacks are
 * on_uv_*, libcurl callbacks cb_*, and check_multi_info() runs after every
 * curl_multi_socket_action. Finished requests go on a queue that only check_multi_info drains, so
 * user callbacks never run inside libcurl.
 *
 * A client has one multi handle, plus — with libcurl older than 8.0.0 only — a second one for
 * HTTPC_VERSION_H2C requests, capped at one connection per host. libcurl 7.88 (Debian 12) breaks
 * cleartext HTTP/2 two ways: a reused prior-knowledge connection fails every request after the
 * first (curl issue #10634, fixed in 8.0.0), so h2c goes through "Upgrade: h2c"; and with several
 * upgraded connections to one host under load, it loses streams ("stream was not closed cleanly",
 * "Connection died"), while h2load and nghttp drive the same server on many connections without
 * an error. On ONE connection it is reliable (10,000 requests, 100 streams at a time, the rest
 * queued in curl). A separate multi gives h2c that cap without capping everything else.
 *
 * Every other request goes to a multi handle of its origin (scheme://host:port) holding fewer than
 * HTTPC_SHARD_MAX transfers; a client has as many as its peak in flight needs. libcurl 7.88 does
 * work proportional to the connections of a multi handle for every transfer: each
 * curl_multi_remove_handle walks its whole connection cache (looking for CONNECT_ONLY
 * connections to close), and each new HTTP/1.1 transfer walks every connection to its host
 * looking for an idle one. With one multi handle that is a cost per call growing with the calls
 * in flight (at 4,096 in flight, over half of the client's CPU); with multis of at most
 * HTTPC_SHARD_MAX transfers it is a constant. A multi that just finished a transfer is the next
 * one used, so an HTTP/1.1 request finds the connection that transfer left idle, and HTTP/2
 * still multiplexes: one connection per multi, HTTPC_SHARD_MAX streams at most. Caps set by
 * httpc_set_max_connections put every request on one multi handle instead, as curl counts its
 * caps per multi handle. Easy handles are reused (curl_easy_reset) rather than made per call. */
#define _POSIX_C_SOURCE 200809L

#include "net/httpc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct httpc_req httpc_req_t;
typedef struct httpc_origin httpc_origin_t;

/* Transfers per multi handle at most (see the top): the cost of a call grows with it. */
#define HTTPC_SHARD_MAX 64
/* Idle easy handles kept for reuse at most. The pool grows to the most requests ever in flight at
 * once (below this): with a smaller pool, a burst of completions larger than it cleaned up
 * handles the next burst of requests made again (at 1,024 in flight, 7 in 10 requests paid a
 * curl_easy_init and a curl_easy_cleanup). An idle handle holds no receive buffer: libcurl 7.88
 * allocates that per transfer. */
#define HTTPC_EASY_POOL 65536
/* Buckets of the origin table (chained). */
#define HTTPC_ORIGIN_BUCKETS 64

/* A curl multi handle with its timer; what CURLMOPT_SOCKETDATA/TIMERDATA point at. */
typedef struct httpc_multi {
    CURLM *m;          /* NULL once cleaned up */
    uv_timer_t timer;  /* curl's timeout (CURLMOPT_TIMERFUNCTION) */
    uv_prepare_t asap; /* curl's timeout of 0: run it before this loop iteration polls */
    httpc_t *c;
    httpc_origin_t *origin;                    /* the origin it serves; NULL: h2c or capped */
    uint32_t busy;                             /* easy handles added */
    struct httpc_multi *room_prev, *room_next; /* in origin->room while busy < HTTPC_SHARD_MAX */
    struct httpc_multi *all_next;              /* every multi of the client */
} httpc_multi_t;

/* The multi handles of one scheme://host:port. */
struct httpc_origin {
    char *key;
    httpc_origin_t *next; /* hash chain */
    httpc_multi_t *room;  /* multis with room, the one that freed a slot last first */
};

/* The poll handle of one curl socket, made on its first CURL_POLL_IN/OUT and kept until curl
 * closes the socket (cb_close_socket) or the client closes. A kept-alive connection's socket is
 * removed (CURL_POLL_REMOVE) after every transfer and added again by the next one; a new handle
 * each time cost seven syscalls per request (libuv's check that the fd can be polled, ADD and DEL,
 * FIONBIO, a DEL for the handle's start and another for its close, the ADD; then the DEL of the
 * stop). A stopped handle holds nothing but the fd number, so when curl hands us a number we still
 * hold a handle for (a socket curl closed without cb_close_socket, as it does with one whose
 * connect failed or with a resolver's socketpair), that handle serves the new socket.
 *
 * A socket that has carried a whole transfer (`proven`) is a connection socket: curl closes those
 * only through cb_close_socket. When curl removes one, it stays watched for reading, as the next
 * transfer on it wants, and is stopped only if it becomes readable while curl does not want it
 * (the server closed it, or an HTTP/2 frame came): the usual transfer then costs no epoll_ctl at
 * all, where stopping and starting the handle cost three (a DEL, and the next transfer's ADD with
 * the DEL that libuv's uv_poll_start makes first). Any other socket is stopped on removal: one
 * curl closes without telling us would stay registered with libuv under a number the next file
 * may get. */
typedef struct httpc_sock {
    uv_poll_t poll;
    curl_socket_t fd;
    httpc_multi_t *mu;
    int events; /* what the handle watches now; 0 = stopped */
    int wanted; /* curl watches the socket (not removed since its last IN/OUT) */
    int proven; /* a transfer on it completed: closed only through cb_close_socket */
} httpc_sock_t;

/* Requests are found by id through a slot table: id = generation << 32 | (index + 1), so a stale
 * id (finished request, reused slot) never matches. */
typedef struct httpc_slot {
    httpc_req_t *req; /* NULL when free */
    uint32_t gen;
    uint32_t next_free; /* index + 1 of the next free slot, 0 = end */
} httpc_slot_t;

/* How an easy handle was last set up, kept with it in the pool. A request of the same shape needs
 * only its URL, its pointers and its body set: no curl_easy_reset, no other option again, and the
 * header list is the one built then. (The reset and the options' string copies were a fifth of
 * httpc's allocations per call at 1,024 in flight, the header list four more.) */
typedef struct easy_shape {
    char *method;   /* the method sent */
    char *ca_file;  /* NULL: the system store */
    char **headers; /* copies of httpc_request_t.headers (NULL entries kept) */
    size_t nheaders;
    long connect_timeout_ms, timeout_ms;
    httpc_version_t version;
    int pipewait, has_body, owned_body;
} easy_shape_t;

/* An easy handle: what the pool keeps, and what a request holds while it runs. */
typedef struct easy_slot {
    CURL *easy;                 /* NULL once removed from the multi */
    struct curl_slist *headers; /* CURLOPT_HTTPHEADER's list */
    easy_shape_t *shape;        /* what easy is set up as; NULL: no option set (fresh or reset) */
} easy_slot_t;

struct httpc_req {
    httpc_t *c;
    httpc_multi_t *mu;
    easy_slot_t es; /* the easy handle, given back to the pool in finish */
    int added;      /* es.easy is in mu's multi */
    uint32_t slot;
    char *body; /* an owned request body (httpc_request_t.body_owned), freed in finish */
    httpc_done_cb cb;
    void *ud;
    size_t max_body;
    int too_big;
    uint64_t start_ns;
    char curl_err[CURL_ERROR_SIZE];
    httpc_response_t res;
    httpc_req_t *next_done;
};

struct httpc {
    uv_loop_t *loop;
    httpc_multi_t *multis;    /* every multi handle (all_next), freed with the client */
    httpc_multi_t *h2c;       /* h2c on libcurl < 8.0.0 (see the top); NULL otherwise */
    httpc_multi_t *single;    /* every other request while caps are set; NULL otherwise */
    long cap_host, cap_total; /* httpc_set_max_connections */
    httpc_origin_t *origins[HTTPC_ORIGIN_BUCKETS];
    easy_slot_t *pool; /* idle easy handles, set up as their shape says */
    uint32_t npool, pool_cap;
    uv_timer_t kick;  /* delivers soon after a cancel or a failed start */
    int open_handles; /* uv handles not yet closed; the client is freed when this hits 0 */
    int closing;
    int delivering;       /* inside the callback loop of check_multi_info */
    int h2c_prior;        /* libcurl reuses prior-knowledge h2c connections correctly (>= 8.0.0) */
    int no_proxy_env;     /* no proxy variable is set (see httpc_new) */
    httpc_sock_t **socks; /* by fd: the poll handle of each curl socket (see httpc_sock_t) */
    size_t nsocks;
    size_t unproven; /* poll handles in socks not yet proven: finish looks for one to prove only
                        while there are any (CURLINFO_ACTIVESOCKET searches curl's connections) */
    httpc_slot_t *slots;
    uint32_t nslots;
    uint32_t free_head; /* index + 1, 0 = none */
    httpc_req_t *done_head, *done_tail;
    httpc_stats_t stats;
};

static void check_multi_info(httpc_t *c, httpc_multi_t *mu);
static void multi_left(httpc_multi_t *mu);
static void easy_put(httpc_t *c, httpc_req_t *req);
static void easy_slot_free(easy_slot_t *e);

/* ---- small helpers ---- */

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

static uint64_t slot_acquire(httpc_t *c, httpc_req_t *req)
{
    if (!c->free_head) {
        uint32_t n = c->nslots ? c->nslots * 2 : 64;
        httpc_slot_t *s = realloc(c->slots, n * sizeof *s);
        if (!s) abort(); /* ratio treats out-of-memory as fatal (see util/buf.h) */
        for (uint32_t i = c->nslots; i < n; i++) {
            s[i].req = NULL;
            s[i].gen = 1;
            s[i].next_free = i + 1 < n ? i + 2 : 0;
        }
        c->slots = s;
        c->free_head = c->nslots + 1;
        c->nslots = n;
    }
    uint32_t idx = c->free_head - 1;
    c->free_head = c->slots[idx].next_free;
    c->slots[idx].req = req;
    req->slot = idx;
    return (uint64_t)c->slots[idx].gen << 32 | (uint64_t)(idx + 1);
}

static void slot_release(httpc_t *c, uint32_t idx)
{
    c->slots[idx].req = NULL;
    if (++c->slots[idx].gen == 0) c->slots[idx].gen = 1;
    c->slots[idx].next_free = c->free_head;
    c->free_head = idx + 1;
}

static httpc_req_t *slot_find(httpc_t *c, uint64_t id)
{
    uint32_t idx = (uint32_t)(id & 0xffffffffu);
    if (idx == 0 || idx > c->nslots) return NULL;
    httpc_slot_t *s = &c->slots[idx - 1];
    return s->req && s->gen == (uint32_t)(id >> 32) ? s->req : NULL;
}

static void maybe_free(httpc_t *c)
{
    if (!c->closing || c->open_handles > 0 || c->delivering) return;
    while (c->multis) {
        httpc_multi_t *mu = c->multis;
        c->multis = mu->all_next;
        free(mu);
    }
    for (int i = 0; i < HTTPC_ORIGIN_BUCKETS; i++)
        while (c->origins[i]) {
            httpc_origin_t *o = c->origins[i];
            c->origins[i] = o->next;
            free(o->key);
            free(o);
        }
    free(c->slots);
    free(c->socks);
    free(c->pool);
    free(c);
}

static void on_uv_handle_closed(uv_handle_t *h)
{
    httpc_t *c = h->data;
    c->open_handles--;
    maybe_free(c);
}

static void on_uv_multi_handle_closed(uv_handle_t *h)
{
    httpc_t *c = ((httpc_multi_t *)h->data)->c;
    c->open_handles--;
    maybe_free(c);
}

static void on_uv_sock_closed(uv_handle_t *h)
{
    httpc_sock_t *s = h->data;
    httpc_t *c = s->mu->c;
    free(s);
    c->open_handles--;
    maybe_free(c);
}

static httpc_err_t classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_OK:
        return HTTPC_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return HTTPC_ETIMEDOUT;
    case CURLE_COULDNT_CONNECT:
        return HTTPC_ECONNREFUSED;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return HTTPC_ERESOLVE;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return HTTPC_ECONNRESET;
    case CURLE_FILESIZE_EXCEEDED:
        return HTTPC_ETOOBIG;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return HTTPC_ETLS;
    default:
        return HTTPC_EOTHER;
    }
}

const char *httpc_err_name(httpc_err_t err)
{
    switch (err) {
    case HTTPC_OK:
        return "OK";
    case HTTPC_ETIMEDOUT:
        return "ETIMEDOUT";
    case HTTPC_ECONNREFUSED:
        return "ECONNREFUSED";
    case HTTPC_ECONNRESET:
        return "ECONNRESET";
    case HTTPC_ETOOBIG:
        return "ETOOBIG";
    case HTTPC_ECANCELED:
        return "ECANCELED";
    case HTTPC_ERESOLVE:
        return "ERESOLVE";
    case HTTPC_ETLS:
        return "ETLS";
    case HTTPC_EOTHER:
        return "EOTHER";
    }
    return "EOTHER";
}

/* ---- response headers: stored as "name\0value\0" pairs in hdr_store ---- */

static const char *hdr_next(const char *p)
{
    return p + strlen(p) + 1;
}

int httpc_response_header_at(const httpc_response_t *res, size_t i, const char **name,
                             const char **value)
{
    if (i >= res->hdr_count) return 0;
    const char *p = res->hdr_store.data;
    for (size_t k = 0; k < i; k++)
        p = hdr_next(hdr_next(p));
    if (name) *name = p;
    if (value) *value = hdr_next(p);
    return 1;
}

const char *httpc_response_header(const httpc_response_t *res, const char *name)
{
    const char *p = res->hdr_store.data;
    for (size_t k = 0; k < res->hdr_count; k++) {
        const char *v = hdr_next(p);
        if (strcasecmp(p, name) == 0) return v;
        p = hdr_next(v);
    }
    return NULL;
}

static int is_ows(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

long httpc_retry_after_parse(const char *value, time_t now)
{
    if (!value) return -1;
    while (is_ows(*value))
        value++;
    size_t n = strlen(value);
    while (n && is_ows(value[n - 1]))
        n--;
    if (n == 0) return -1;
    size_t digits = 0;
    while (digits < n && isdigit((unsigned char)value[digits]))
        digits++;
    if (digits == n) { /* delta-seconds; clamp absurd values instead of overflowing */
        long s = 0;
        for (size_t i = 0; i < n; i++) {
            if (s > (LONG_MAX - 9) / 10) return LONG_MAX / 2;
            s = s * 10 + (value[i] - '0');
        }
        return s;
    }
    char tmp[128];
    if (n >= sizeof tmp) return -1;
    memcpy(tmp, value, n);
    tmp[n] = '\0';
    /* curl_getdate reads all three HTTP-date forms (IMF-fixdate, RFC 850, asctime) */
    time_t t = curl_getdate(tmp, NULL);
    if (t == (time_t)-1) return -1;
    return t > now ? (long)(t - now) : 0;
}

/* ---- curl callbacks: they only fill C buffers ---- */

static size_t cb_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    httpc_req_t *req = userdata;
    size_t n = size * nmemb;
    if (req->max_body && n > req->max_body - req->res.body.len) {
        req->too_big = 1;
        return 0; /* makes curl abort the transfer with CURLE_WRITE_ERROR */
    }
    buf_append(&req->res.body, ptr, n);
    return n;
}

static size_t cb_header(char *ptr, size_t size, size_t nitems, void *userdata)
{
    httpc_req_t *req = userdata;
    size_t n = size * nitems;
    httpc_response_t *res = &req->res;
    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) { /* a new response (after 1xx): start over */
        buf_reset(&res->hdr_store);
        res->hdr_count = 0;
        return n;
    }
    size_t end = n;
    while (end && is_ows(ptr[end - 1]))
        end--;
    if (end == 0) return n; /* the blank line ending the headers */
    if ((ptr[0] == ' ' || ptr[0] == '\t') && res->hdr_count) { /* obs-fold: continue last value */
        size_t start = 0;
        while (start < end && is_ows(ptr[start]))
            start++;
        res->hdr_store.len--; /* drop the last value's NUL, append " more", re-terminate */
        buf_putc(&res->hdr_store, ' ');
        buf_append(&res->hdr_store, ptr + start, end - start);
        buf_putc(&res->hdr_store, '\0');
        return n;
    }
    const char *colon = memchr(ptr, ':', end);
    if (!colon || colon == ptr) return n; /* not a header line; ignore rather than fail */
    size_t nlen = (size_t)(colon - ptr);
    while (nlen && is_ows(ptr[nlen - 1]))
        nlen--;
    size_t vstart = (size_t)(colon - ptr) + 1;
    while (vstart < end && is_ows(ptr[vstart]))
        vstart++;
    buf_append(&res->hdr_store, ptr, nlen);
    buf_putc(&res->hdr_store, '\0');
    buf_append(&res->hdr_store, ptr + vstart, end - vstart);
    buf_putc(&res->hdr_store, '\0');
    res->hdr_count++;
    return n;
}

static void on_uv_poll(uv_poll_t *h, int status, int events);

/* The poll handle kept for fd, if any. */
static httpc_sock_t *sock_of(httpc_t *c, curl_socket_t fd)
{
    return fd >= 0 && (size_t)fd < c->nsocks ? c->socks[fd] : NULL;
}

static void sock_close(httpc_t *c, httpc_sock_t *s)
{
    c->socks[s->fd] = NULL;
    if (!s->proven) c->unproven--;
    uv_close((uv_handle_t *)&s->poll, on_uv_sock_closed); /* stops it first; memory in the cb */
}

static int cb_socket(CURL *easy, curl_socket_t fd, int action, void *userp, void *socketp)
{
    (void)easy;
    httpc_multi_t *mu = userp;
    httpc_t *c = mu->c;
    httpc_sock_t *s = socketp;
    if (action == CURL_POLL_REMOVE) {
        if (s) s->wanted = 0;
        if (s && s->events && !(s->proven && s->events == UV_READABLE)) {
            /* stop polling now, while curl has not closed fd yet (libuv unregisters the fd from
             * epoll here; later, the number may already belong to another socket) */
            uv_poll_stop(&s->poll);
            s->events = 0;
        }
        curl_multi_assign(mu->m, fd, NULL);
        return 0;
    }
    if (!s && !(s = sock_of(c, fd))) {
        if ((size_t)fd >= c->nsocks) {
            size_t n = c->nsocks ? c->nsocks : 64;
            while (n <= (size_t)fd)
                n *= 2;
            httpc_sock_t **socks = realloc(c->socks, n * sizeof *socks);
            if (!socks) abort();
            memset(socks + c->nsocks, 0, (n - c->nsocks) * sizeof *socks);
            c->socks = socks;
            c->nsocks = n;
        }
        s = calloc(1, sizeof *s);
        if (!s) abort();
        if (uv_poll_init_socket(c->loop, &s->poll, fd) != 0) {
            free(s);
            return -1;
        }
        s->fd = fd;
        s->poll.data = s;
        c->open_handles++;
        c->socks[fd] = s;
        c->unproven++;
    }
    if (!socketp) curl_multi_assign(mu->m, fd, s);
    s->mu = mu;
    s->wanted = 1;
    int events = 0;
    if (action == CURL_POLL_IN || action == CURL_POLL_INOUT) events |= UV_READABLE;
    if (action == CURL_POLL_OUT || action == CURL_POLL_INOUT) events |= UV_WRITABLE;
    if (events == s->events) return 0;
    if (uv_poll_start(&s->poll, events, on_uv_poll) != 0) return -1;
    s->events = events;
    return 0;
}

/* curl closes one of its sockets (CURLOPT_CLOSESOCKETFUNCTION): its poll handle goes first, so
 * libuv never watches a closed fd whose number the next socket may get. */
static int cb_close_socket(void *clientp, curl_socket_t fd)
{
    httpc_t *c = clientp;
    httpc_sock_t *s = sock_of(c, fd);
    if (s) sock_close(c, s);
    return close(fd);
}

static void on_uv_timeout(uv_timer_t *t);
static void on_uv_asap(uv_prepare_t *p);

static int cb_timer(CURLM *multi, long timeout_ms, void *userp)
{
    (void)multi;
    httpc_multi_t *mu = userp;
    /* Each call replaces curl's one timeout. */
    uv_timer_stop(&mu->timer);
    uv_prepare_stop(&mu->asap);
    if (timeout_ms == 0) {
        /* "As soon as possible" (curl's own immediate work, or a request added where send_now
         * could not run curl): never from inside this callback, but in this loop iteration's
         * prepare phase, so it is done before the loop polls, not one whole iteration later
         * (a 0 ms uv timer fires only after the poll phase has run every I/O callback). The 0 ms
         * timer is armed too, so that the poll does not block when this comes during the prepare
         * phase itself (the prepare handle then runs only in the next iteration); whichever fires
         * first stops the other. */
        uv_prepare_start(&mu->asap, on_uv_asap);
    }
    if (timeout_ms >= 0) uv_timer_start(&mu->timer, on_uv_timeout, (uint64_t)timeout_ms, 0);
    return 0;
}

/* ---- libuv callbacks: drive curl, then collect what finished ---- */

static void on_uv_poll(uv_poll_t *h, int status, int events)
{
    httpc_sock_t *s = h->data;
    httpc_multi_t *mu = s->mu;
    if (!s->wanted) { /* a kept connection socket, idle: its next transfer will find it closed */
        uv_poll_stop(&s->poll);
        s->events = 0;
        return;
    }
    if (!mu->m) return;
    int flags = 0;
    if (status < 0) flags |= CURL_CSELECT_ERR;
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    int running;
    /* s may be closed by cb_socket during this call: do not touch it afterwards */
    curl_multi_socket_action(mu->m, s->fd, flags, &running);
    check_multi_info(mu->c, mu);
}

/* curl's timeout is due (its timer fired, or the prepare kick ran): whichever came first stops
 * the other, then curl does its timed work and what finished is delivered. */
static void run_curl_timeout(httpc_multi_t *mu)
{
    int running;
    uv_timer_stop(&mu->timer);
    uv_prepare_stop(&mu->asap);
    if (mu->m) curl_multi_socket_action(mu->m, CURL_SOCKET_TIMEOUT, 0, &running);
    check_multi_info(mu->c, mu);
}

static void on_uv_timeout(uv_timer_t *t)
{
    run_curl_timeout(t->data);
}
static void on_uv_asap(uv_prepare_t *p)
{
    run_curl_timeout(p->data);
}

static void on_uv_kick(uv_timer_t *t)
{
    check_multi_info(t->data, NULL);
}

/* ---- completion ---- */

static void enqueue_done(httpc_t *c, httpc_req_t *req)
{
    req->next_done = NULL;
    if (c->done_tail)
        c->done_tail->next_done = req;
    else
        c->done_head = req;
    c->done_tail = req;
}

/* Detaches a request from curl and the slot table and fills in its outcome. */
static void finish(httpc_req_t *req, CURLcode rc, int canceled)
{
    httpc_t *c = req->c;
    httpc_response_t *res = &req->res;
    res->total_ms = (double)(uv_hrtime() - req->start_ns) / 1e6; /* unless curl knows better */
    if (req->es.easy) {
        long status = 0, conns = 0, ver = 0;
        curl_off_t us = 0;
        curl_easy_getinfo(req->es.easy, CURLINFO_NUM_CONNECTS, &conns);
        c->stats.connections += (uint64_t)(conns > 0 ? conns : 0);
        if (!canceled) {
            curl_socket_t fd = CURL_SOCKET_BAD;
            httpc_sock_t *s;
            if (rc == CURLE_OK && c->unproven &&
                curl_easy_getinfo(req->es.easy, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK &&
                (s = sock_of(c, fd)) != NULL && !s->proven) {
                s->proven = 1;
                c->unproven--;
            }
            curl_easy_getinfo(req->es.easy, CURLINFO_RESPONSE_CODE, &status);
            curl_easy_getinfo(req->es.easy, CURLINFO_HTTP_VERSION, &ver);
            if (curl_easy_getinfo(req->es.easy, CURLINFO_TOTAL_TIME_T, &us) == CURLE_OK && us > 0)
                res->total_ms = (double)us / 1000.0;
            res->status = status;
            res->http_version = ver == CURL_HTTP_VERSION_1_0   ? 10
                                : ver == CURL_HTTP_VERSION_1_1 ? 11
                                : ver == CURL_HTTP_VERSION_2_0 ? 20
                                                               : 0;
        }
        if (req->added) {
            if (req->mu->m) curl_multi_remove_handle(req->mu->m, req->es.easy);
            multi_left(req->mu);
            req->added = 0;
        }
        easy_put(c, req);
    }
    free(req->body); /* after the easy handle let go of it */
    req->body = NULL;
    slot_release(c, req->slot);

    if (canceled) {
        res->err = HTTPC_ECANCELED;
        snprintf(res->errmsg, sizeof res->errmsg, "request canceled");
    } else if (rc == CURLE_WRITE_ERROR && req->too_big) {
        res->err = HTTPC_ETOOBIG;
        snprintf(res->errmsg, sizeof res->errmsg, "response body exceeds max_body (%zu bytes)",
                 req->max_body);
    } else {
        res->err = classify(rc);
        if (rc != CURLE_OK)
            snprintf(res->errmsg, sizeof res->errmsg, "%s",
                     req->curl_err[0] ? req->curl_err : curl_easy_strerror(rc));
    }
    if (res->err == HTTPC_OK) {
        const char *ra = httpc_response_header(res, "retry-after");
        if (ra) {
            /* an HTTP-date is taken relative to the server's own Date, so clock skew between us
             * and the server does not matter; without Date, our clock */
            const char *date = httpc_response_header(res, "date");
            time_t now = date ? curl_getdate(date, NULL) : (time_t)-1;
            if (now == (time_t)-1) now = time(NULL);
            res->retry_after = httpc_retry_after_parse(ra, now);
        }
    }
    enqueue_done(c, req);
}

static void free_req(httpc_req_t *req)
{
    buf_free(&req->res.body);
    buf_free(&req->res.hdr_store);
    free(req);
}

/* Collects the transfers a multi handle has finished. */
static void collect(httpc_multi_t *mu)
{
    CURLMsg *msg;
    int left;
    while (mu->m && (msg = curl_multi_info_read(mu->m, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL *easy = msg->easy_handle;
        CURLcode rc = msg->data.result; /* msg dies with the handle removal below */
        char *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        finish((httpc_req_t *)(void *)priv, rc, 0);
    }
}

/* Collects what mu (NULL: none) finished, then runs the done callbacks of everything finished
 * (including canceled requests). The single place user callbacks are called from. Only the
 * multi handle that had activity is looked at: the others' finished transfers were collected
 * right after the curl call that finished them. */
static void check_multi_info(httpc_t *c, httpc_multi_t *mu)
{
    if (mu) collect(mu);
    if (c->delivering) return; /* an outer check_multi_info is draining the queue */
    c->delivering = 1;
    while (c->done_head) {
        httpc_req_t *req = c->done_head;
        c->done_head = req->next_done;
        if (!c->done_head) c->done_tail = NULL;
        c->stats.completed++;
        req->cb(&req->res, req->ud);
        free_req(req);
    }
    c->delivering = 0;
    maybe_free(c);
}

/* ---- public API ---- */

/* A new multi handle for origin (NULL: h2c or capped), or NULL when curl cannot make one. */
static httpc_multi_t *multi_new(httpc_t *c, httpc_origin_t *origin)
{
    httpc_multi_t *mu = calloc(1, sizeof *mu);
    if (!mu) abort();
    mu->m = curl_multi_init();
    if (!mu->m) {
        free(mu);
        return NULL;
    }
    mu->c = c;
    mu->origin = origin;
    mu->all_next = c->multis;
    c->multis = mu;
    uv_timer_init(c->loop, &mu->timer);
    mu->timer.data = mu; /* the multi-uv example once forgot this and its timeouts never fired */
    uv_prepare_init(c->loop, &mu->asap);
    mu->asap.data = mu;
    c->open_handles += 2;
    curl_multi_setopt(mu->m, CURLMOPT_SOCKETFUNCTION, cb_socket);
    curl_multi_setopt(mu->m, CURLMOPT_SOCKETDATA, mu);
    curl_multi_setopt(mu->m, CURLMOPT_TIMERFUNCTION, cb_timer);
    curl_multi_setopt(mu->m, CURLMOPT_TIMERDATA, mu);
    curl_multi_setopt(mu->m, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    /* curl's default keeps 4 idle connections per transfer it holds: one of an origin's multis
     * holding few transfers for a moment would close connections the next burst needs */
    if (origin) curl_multi_setopt(mu->m, CURLMOPT_MAXCONNECTS, (long)(2 * HTTPC_SHARD_MAX));
    return mu;
}

/* Cleans up a multi whose easy handles are all removed: cached connections close, and
 * cb_socket closes their poll handles (CURL_POLL_REMOVE); then its timer closes. The memory
 * goes with the client (maybe_free). */
static void multi_close(httpc_multi_t *mu)
{
    if (mu->m) curl_multi_cleanup(mu->m);
    mu->m = NULL;
    uv_timer_stop(&mu->timer);
    uv_close((uv_handle_t *)&mu->timer, on_uv_multi_handle_closed);
    uv_prepare_stop(&mu->asap);
    uv_close((uv_handle_t *)&mu->asap, on_uv_multi_handle_closed);
}

httpc_t *httpc_new(uv_loop_t *loop, char *err, size_t errlen)
{
    httpc_t *c = calloc(1, sizeof *c);
    if (!c) {
        set_err(err, errlen, "httpc: out of memory");
        return NULL;
    }
    c->loop = loop;
    c->h2c_prior = curl_version_info(CURLVERSION_NOW)->version_num >= 0x080000;
    /* Without a proxy option, libcurl looks up five proxy variables in the environment for every
     * transfer. When none is set (the environment does not change during a run), an empty proxy
     * and no-proxy list say the same thing without the lookups; when one is, libcurl reads them
     * as it always did. */
    static const char *const proxy_vars[] = {"http_proxy",  "HTTP_PROXY", "https_proxy",
                                             "HTTPS_PROXY", "all_proxy",  "ALL_PROXY",
                                             "no_proxy",    "NO_PROXY"};
    c->no_proxy_env = 1;
    for (size_t i = 0; i < sizeof proxy_vars / sizeof proxy_vars[0]; i++) {
        const char *v = getenv(proxy_vars[i]);
        if (v && *v) c->no_proxy_env = 0;
    }
    /* a multi handle now tells a broken libcurl (no curl_global_init) before the first request */
    CURLM *probe = curl_multi_init();
    if (!probe) {
        set_err(err, errlen, "httpc: curl_multi_init failed (was curl_global_init called?)");
        free(c);
        return NULL;
    }
    curl_multi_cleanup(probe);
    uv_timer_init(loop, &c->kick);
    c->kick.data = c;
    c->open_handles++;
    return c;
}

int httpc_set_max_connections(httpc_t *c, long per_host, long total)
{
    if (c->closing || per_host < 0 || total < 0) return -1;
    c->cap_host = per_host;
    c->cap_total = total;
    if (per_host == 0 && total == 0) {
        c->single = NULL; /* back to a multi per origin; the single one finishes what it has */
    } else {
        if (!c->single && !(c->single = multi_new(c, NULL))) return -1;
        if (curl_multi_setopt(c->single->m, CURLMOPT_MAX_HOST_CONNECTIONS, per_host) != CURLM_OK ||
            curl_multi_setopt(c->single->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, total) != CURLM_OK)
            return -1;
    }
    if (c->h2c) curl_multi_setopt(c->h2c->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, total);
    return 0;
}

/* ---- which multi handle a request goes to (see the top) ---- */

static void room_push(httpc_origin_t *o, httpc_multi_t *mu)
{
    mu->room_prev = NULL;
    mu->room_next = o->room;
    if (o->room) o->room->room_prev = mu;
    o->room = mu;
}

static void room_unlink(httpc_origin_t *o, httpc_multi_t *mu)
{
    if (mu->room_prev)
        mu->room_prev->room_next = mu->room_next;
    else
        o->room = mu->room_next;
    if (mu->room_next) mu->room_next->room_prev = mu->room_prev;
    mu->room_prev = mu->room_next = NULL;
}

/* A transfer was added to mu / removed from it. */
static void multi_joined(httpc_multi_t *mu)
{
    if (++mu->busy == HTTPC_SHARD_MAX && mu->origin) room_unlink(mu->origin, mu);
}

static void multi_left(httpc_multi_t *mu)
{
    if (!mu->origin) {
        mu->busy--;
    } else if (mu->busy-- == HTTPC_SHARD_MAX) {
        room_push(mu->origin, mu); /* full until now: not in the list */
    } else if (mu->origin->room != mu) {
        room_unlink(mu->origin, mu); /* to the front: it has an idle connection now */
        room_push(mu->origin, mu);
    }
}

/* The origin of url ("scheme://authority"), created on first use. */
static httpc_origin_t *origin_of(httpc_t *c, const char *url)
{
    const char *p = strstr(url, "://");
    size_t n = p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : strlen(url);
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)tolower((unsigned char)url[i])) * 16777619u;
    httpc_origin_t **b = &c->origins[h % HTTPC_ORIGIN_BUCKETS];
    for (httpc_origin_t *o = *b; o; o = o->next)
        if (strlen(o->key) == n && strncasecmp(o->key, url, n) == 0) return o;
    httpc_origin_t *o = calloc(1, sizeof *o);
    if (!o || !(o->key = strndup(url, n))) abort();
    o->next = *b;
    *b = o;
    return o;
}

/* The multi handle for r, or NULL when curl cannot make one. */
static httpc_multi_t *multi_for(httpc_t *c, const httpc_request_t *r)
{
    if (r->version == HTTPC_VERSION_H2C && !c->h2c_prior) {
        if (!c->h2c && (c->h2c = multi_new(c, NULL))) {
            curl_multi_setopt(c->h2c->m, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
            curl_multi_setopt(c->h2c->m, CURLMOPT_MAX_TOTAL_CONNECTIONS, c->cap_total);
        }
        return c->h2c;
    }
    if (c->single) return c->single;
    httpc_origin_t *o = origin_of(c, r->url);
    if (!o->room) {
        httpc_multi_t *mu = multi_new(c, o);
        if (!mu) return NULL;
        room_push(o, mu);
    }
    return o->room;
}

/* ---- easy handles, reused ---- */

static void shape_free(easy_shape_t *sh)
{
    if (!sh) return;
    free(sh->method);
    free(sh->ca_file);
    for (size_t i = 0; i < sh->nheaders; i++)
        free(sh->headers[i]);
    free(sh->headers);
    free(sh);
}

static void easy_slot_free(easy_slot_t *e)
{
    curl_easy_cleanup(e->easy);
    curl_slist_free_all(e->headers);
    shape_free(e->shape);
}

/* Gives req an idle easy handle (with its header list and shape), or a new one; 0 when curl could
 * not make one. */
static int easy_get(httpc_t *c, httpc_req_t *req)
{
    req->es = c->npool ? c->pool[--c->npool] : (easy_slot_t){curl_easy_init(), NULL, NULL};
    return req->es.easy != NULL;
}

/* Takes req's easy handle back for the next request, set up as it is, or cleans it up when the
 * pool is full. */
static void easy_put(httpc_t *c, httpc_req_t *req)
{
    easy_slot_t e = req->es;
    req->es = (easy_slot_t){NULL, NULL, NULL};
    if (c->npool == c->pool_cap && c->pool_cap < HTTPC_EASY_POOL && !c->closing) {
        uint32_t cap = c->pool_cap ? c->pool_cap * 2 : 64;
        easy_slot_t *pool = realloc(c->pool, cap * sizeof *pool);
        if (!pool) abort(); /* ratio treats out-of-memory as fatal (see util/buf.h) */
        c->pool = pool;
        c->pool_cap = cap;
    }
    if (c->npool < c->pool_cap && !c->closing)
        c->pool[c->npool++] = e;
    else
        easy_slot_free(&e);
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Does a handle set up as sh need nothing but r's URL, pointers and body? */
static int shape_fits(const easy_shape_t *sh, const httpc_request_t *r, const char *method,
                      int pipewait, int owned_body)
{
    if (!sh || sh->version != r->version || sh->pipewait != pipewait ||
        sh->has_body != (r->body != NULL) || sh->owned_body != owned_body ||
        sh->connect_timeout_ms != r->connect_timeout_ms || sh->timeout_ms != r->timeout_ms ||
        sh->nheaders != r->nheaders || strcmp(sh->method, method) != 0 ||
        !same_str(sh->ca_file, r->ca_file))
        return 0;
    for (size_t i = 0; i < r->nheaders; i++)
        if (!same_str(sh->headers[i], r->headers[i])) return 0;
    return 1;
}

static char *dup_or_null(const char *s)
{
    if (!s) return NULL;
    char *d = strdup(s);
    if (!d) abort();
    return d;
}

static easy_shape_t *shape_of(const httpc_request_t *r, const char *method, int pipewait,
                              int owned_body)
{
    easy_shape_t *sh = calloc(1, sizeof *sh);
    if (!sh || (r->nheaders && !(sh->headers = calloc(r->nheaders, sizeof *sh->headers)))) abort();
    sh->method = dup_or_null(method);
    sh->ca_file = dup_or_null(r->ca_file);
    sh->nheaders = r->nheaders;
    for (size_t i = 0; i < r->nheaders; i++)
        sh->headers[i] = dup_or_null(r->headers[i]);
    sh->connect_timeout_ms = r->connect_timeout_ms;
    sh->timeout_ms = r->timeout_ms;
    sh->version = r->version;
    sh->pipewait = pipewait;
    sh->has_body = r->body != NULL;
    sh->owned_body = owned_body;
    return sh;
}

static int has_header(const httpc_request_t *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nheaders; i++)
        if (r->headers[i] && strncasecmp(r->headers[i], name, n) == 0 &&
            (r->headers[i][n] == ':' || r->headers[i][n] == ';'))
            return 1;
    return 0;
}

/* Applies every option; returns the first failure (the request then completes with it). A handle
 * whose shape fits r gets only what differs from request to request. */
static CURLcode setup_easy(httpc_req_t *req, const httpc_request_t *r)
{
    CURL *e = req->es.easy;
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                                              \
    do {                                                                                           \
        if (rc == CURLE_OK) rc = curl_easy_setopt(e, opt, val);                                    \
    } while (0)
    const char *method = r->method ? r->method : (r->body ? "POST" : "GET");
    /* wait for a connection being set up that may multiplex, instead of opening one connection
     * per concurrent request; only where HTTP/2 is possible (TLS+ALPN or prior knowledge) */
    int pipewait = r->version == HTTPC_VERSION_H2C ||
                   (r->version == HTTPC_VERSION_DEFAULT && strncasecmp(r->url, "https:", 6) == 0);
    int owned_body = req->body != NULL;
    int fits = shape_fits(req->es.shape, r, method, pipewait, owned_body);
    if (!fits && req->es.shape) { /* back to a fresh handle's state */
        curl_easy_reset(e);
        shape_free(req->es.shape);
        req->es.shape = NULL;
        curl_slist_free_all(req->es.headers);
        req->es.headers = NULL;
    }

    /* what every request sets */
    SET(CURLOPT_URL, r->url);
    SET(CURLOPT_PRIVATE, (char *)req);
    SET(CURLOPT_ERRORBUFFER, req->curl_err);
    SET(CURLOPT_WRITEDATA, req);
    SET(CURLOPT_HEADERDATA, req);
    SET(CURLOPT_CLOSESOCKETDATA, req->c);
    if (r->body) {
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
        if (req->body) /* ours until finish: curl reads it in place */
            SET(CURLOPT_POSTFIELDS, req->body);
        else
            SET(CURLOPT_COPYPOSTFIELDS, r->body_len ? (const char *)r->body : "");
    }
    if (fits) return rc;

    /* what the shape holds */
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_WRITEFUNCTION, cb_write);
    SET(CURLOPT_HEADERFUNCTION, cb_header);
    SET(CURLOPT_CLOSESOCKETFUNCTION, cb_close_socket);
    SET(CURLOPT_ACCEPT_ENCODING, ""); /* every encoding this libcurl can decode */
    SET(CURLOPT_TCP_KEEPALIVE, 1L);   /* judge calls can sit silent for minutes */
    SET(CURLOPT_TCP_KEEPIDLE, 30L);
    SET(CURLOPT_TCP_KEEPINTVL, 15L);
    if (req->c->no_proxy_env) {
        SET(CURLOPT_PROXY, "");
        SET(CURLOPT_NOPROXY, "");
    }
    if (r->connect_timeout_ms > 0) SET(CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms);
    if (r->timeout_ms > 0) SET(CURLOPT_TIMEOUT_MS, r->timeout_ms);
    if (r->ca_file) SET(CURLOPT_CAINFO, r->ca_file);
    switch (r->version) {
    case HTTPC_VERSION_1_1:
        SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
        break;
    case HTTPC_VERSION_H2C:
        /* before libcurl 8.0.0, upgrade instead (see the top of the file) */
        SET(CURLOPT_HTTP_VERSION, req->c->h2c_prior ? (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                                                    : (long)CURL_HTTP_VERSION_2_0);
        break;
    case HTTPC_VERSION_DEFAULT:
        break;
    }
    if (pipewait) SET(CURLOPT_PIPEWAIT, 1L);
    if (r->body) {
        if (strcmp(method, "POST") != 0) SET(CURLOPT_CUSTOMREQUEST, method);
    } else if (strcmp(method, "GET") == 0) {
        SET(CURLOPT_HTTPGET, 1L);
    } else if (strcmp(method, "HEAD") == 0) {
        SET(CURLOPT_NOBODY, 1L);
    } else {
        SET(CURLOPT_CUSTOMREQUEST, method);
    }

    for (size_t i = 0; i < r->nheaders; i++) {
        if (!r->headers[i]) continue;
        struct curl_slist *l = curl_slist_append(req->es.headers, r->headers[i]);
        if (!l) abort();
        req->es.headers = l;
    }
    /* no 100-continue round trip before large bodies, and no made-up form content type */
    if (!has_header(r, "expect")) req->es.headers = curl_slist_append(req->es.headers, "Expect:");
    if (r->body && !has_header(r, "content-type"))
        req->es.headers = curl_slist_append(req->es.headers, "Content-Type:");
    if (!req->es.headers) abort();
    SET(CURLOPT_HTTPHEADER, req->es.headers);
#undef SET
    if (rc == CURLE_OK) {
        req->es.shape = shape_of(r, method, pipewait, owned_body);
    } else { /* half set up: a fresh handle's state again, for the next request */
        curl_easy_reset(e);
        curl_slist_free_all(req->es.headers);
        req->es.headers = NULL;
    }
    return rc;
}

/* Puts a just-added request on the wire now, from the caller, instead of in the prepare phase
 * after every task of this pass has run: a pass that starts many requests (a burst of
 * completions, each starting the next call) then spreads them over its length instead of sending
 * them in one instant, and their answers, coming back just as spread, are not handled in one
 * long pass either. What this finishes at once (a refused connection) is only collected here and
 * delivered from the loop: a done callback never runs inside httpc_start. Inside the delivery
 * loop (a done callback starting a request) the prepare kick armed by cb_timer sends it. */
static void send_now(httpc_t *c, httpc_multi_t *mu)
{
    if (c->delivering) return;
    int running;
    curl_multi_socket_action(mu->m, CURL_SOCKET_TIMEOUT, 0, &running);
    collect(mu);
    if (c->done_head) uv_timer_start(&c->kick, on_uv_kick, 0, 0);
}

uint64_t httpc_start(httpc_t *c, const httpc_request_t *r, httpc_done_cb cb, void *ud)
{
    if (!c || c->closing || !r || !r->url || !cb) {
        if (r && r->body_owned) free((void *)r->body);
        return 0;
    }
    httpc_req_t *req = calloc(1, sizeof *req);
    if (!req) abort();
    if (r->body_owned) req->body = (char *)r->body;
    req->c = c;
    req->mu = multi_for(c, r);
    req->cb = cb;
    req->ud = ud;
    req->max_body = r->max_body;
    req->start_ns = uv_hrtime();
    req->res.retry_after = -1;
    buf_init(&req->res.body);
    buf_init(&req->res.hdr_store);
    req->res.id = slot_acquire(c, req);
    c->stats.started++;

    CURLcode rc = CURLE_OUT_OF_MEMORY;
    if (!req->mu)
        snprintf(req->curl_err, sizeof req->curl_err, "curl_multi_init failed");
    else if (easy_get(c, req))
        rc = setup_easy(req, r);
    if (rc == CURLE_OK) {
        CURLMcode mrc = curl_multi_add_handle(req->mu->m, req->es.easy);
        if (mrc == CURLM_OK) {
            req->added = 1;
            multi_joined(req->mu);
            send_now(c, req->mu);
            return req->res.id;
        }
        snprintf(req->curl_err, sizeof req->curl_err, "%s", curl_multi_strerror(mrc));
        rc = CURLE_FAILED_INIT;
    }
    /* never added to the multi: report through the callback, from the loop */
    if (req->es.easy) easy_put(c, req);
    finish(req, rc, 0);
    if (!c->delivering) uv_timer_start(&c->kick, on_uv_kick, 0, 0);
    return req->res.id;
}

int httpc_cancel(httpc_t *c, uint64_t id)
{
    if (!c || c->closing) return 0;
    httpc_req_t *req = slot_find(c, id);
    if (!req) return 0;
    finish(req, CURLE_OK, 1);
    if (!c->delivering) uv_timer_start(&c->kick, on_uv_kick, 0, 0);
    return 1;
}

void httpc_close(httpc_t *c)
{
    if (!c || c->closing) return;
    c->closing = 1; /* from here finished easy handles are cleaned up, not pooled */
    for (uint32_t i = 0; i < c->nslots; i++)
        if (c->slots[i].req) finish(c->slots[i].req, CURLE_OK, 1);
    for (httpc_multi_t *mu = c->multis; mu; mu = mu->all_next)
        multi_close(mu);
    while (c->npool)
        easy_slot_free(&c->pool[--c->npool]);
    for (size_t fd = 0; fd < c->nsocks; fd++) /* stopped handles of sockets closed without us */
        if (c->socks[fd]) sock_close(c, c->socks[fd]);
    uv_timer_stop(&c->kick);
    uv_close((uv_handle_t *)&c->kick, on_uv_handle_closed);
    check_multi_info(c, NULL); /* delivers the cancellations (or the outer delivery loop will) */
}

void httpc_get_stats(const httpc_t *c, httpc_stats_t *out)
{
    *out = c->stats;
    out->in_flight = c->stats.started - c->stats.completed;
}
