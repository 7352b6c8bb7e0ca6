/* httpc: an HTTP client for tens of thousands of concurrent requests: libcurl's multi interface
 * driven by a libuv loop.
 *
 * Requests to one origin (scheme://host:port) share multi handles of up to 64 transfers each (with
 * libcurl < 8, h2c requests one multi of their own: see below), as many as the calls in flight
 * need, so a call costs the same at 4,096 in flight as at 64 (httpc.c says why): HTTP/1.1
 * connections are kept alive and reused, HTTP/2 streams are multiplexed, one connection per multi
 * handle. Every request that httpc_start accepted gets its done callback EXACTLY ONCE — with the
 * response, a transport error, or HTTPC_ECANCELED.
 * Callbacks run from the loop after libcurl has returned, never from inside a libcurl callback, so
 * a callback may start new requests, cancel others or close the client.
 *
 * An HTTP status of 4xx/5xx is not an error here: err is HTTPC_OK whenever a complete response
 * arrived, and the caller reads `status`.
 *
 * The PROGRAM calls curl_global_init(CURL_GLOBAL_DEFAULT) once before the first httpc_new and
 * curl_global_cleanup() once after the last client is closed; httpc never calls them (they are
 * process-wide and not thread-safe). A client is used from its loop's thread only. */
#ifndef RATIO_HTTPC_H
#define RATIO_HTTPC_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#include "util/buf.h"

typedef struct httpc httpc_t;

/* Stable error codes (the numbers never change; httpc_err_name gives "ETIMEDOUT" etc.). */
typedef enum httpc_err {
    HTTPC_OK = 0,
    HTTPC_ETIMEDOUT,    /* connect or total timeout */
    HTTPC_ECONNREFUSED, /* could not connect */
    HTTPC_ECONNRESET,   /* dropped: reset, empty reply, body cut short, h2 stream reset */
    HTTPC_ETOOBIG,      /* response body larger than max_body */
    HTTPC_ECANCELED,    /* httpc_cancel or httpc_close */
    HTTPC_ERESOLVE,     /* host name did not resolve */
    HTTPC_ETLS,         /* TLS handshake or certificate verification failed */
    HTTPC_EOTHER        /* anything else; errmsg says what */
} httpc_err_t;

typedef enum httpc_version {
    HTTPC_VERSION_DEFAULT = 0, /* curl's default: HTTP/2 over TLS when ALPN agrees, else 1.1 */
    HTTPC_VERSION_1_1,         /* HTTP/1.1 only */
    HTTPC_VERSION_H2C          /* cleartext HTTP/2 on http://, multiplexed (see below) */
} httpc_version_t;
/* HTTPC_VERSION_H2C: with libcurl >= 8.0.0, prior knowledge. With older libcurl (Debian 12 ships
 * 7.88.1), whose cleartext HTTP/2 is broken on reused prior-knowledge connections (curl #10634)
 * and loses streams across several upgraded connections to one host, the first request upgrades
 * ("Upgrade: h2c") and h2c requests use a separate connection pool capped at ONE connection per
 * host, on which every request multiplexes (100 streams at a time, the rest queue in curl).
 *
 * To multiplex a burst, h2c and https requests wait (CURLOPT_PIPEWAIT) for a connection still
 * being set up to the same host instead of each opening their own. With libcurl >= 8, h2c and
 * HTTP/1.1 requests to the same host:port share one pool, so do not mix them in one client: h2c
 * requests would wait until an HTTP/1.1 response shows that the host does not multiplex. */

/* A request. Everything is copied by httpc_start; nothing needs to outlive that call. */
typedef struct httpc_request {
    const char *method;         /* NULL: GET, or POST when body is set */
    const char *url;            /* http:// or https:// only */
    const char *const *headers; /* "Name: value" lines */
    size_t nheaders;
    const void *body; /* NULL: no body */
    size_t body_len;
    int body_owned; /* body was malloc'd and is httpc's now (whatever httpc_start returns): sent
                       without a copy and freed when the request is done */
    long connect_timeout_ms; /* 0: curl's default (300 s) */
    long timeout_ms;         /* whole transfer, connect included; 0: no limit */
    size_t max_body;         /* response body limit in bytes; 0: no limit */
    httpc_version_t version;
    const char *ca_file; /* PEM bundle to verify the server with; NULL: the system store */
} httpc_request_t;

/* What the done callback receives. Valid only during the callback, except that the callback may
 * take the body with buf_detach(&res->body). */
typedef struct httpc_response {
    uint64_t id;      /* as returned by httpc_start */
    httpc_err_t err;  /* HTTPC_OK when a complete response arrived (whatever its status) */
    char errmsg[256]; /* libcurl's message (or ours); "" when err == HTTPC_OK */
    long status;      /* HTTP status of the final response; 0 when none arrived */
    int http_version; /* 10, 11, 20; 0 when no response */
    long retry_after; /* Retry-After in seconds (delta or HTTP-date); -1 when absent or invalid */
    double total_ms;  /* start to finish */
    buf_t body;       /* decoded body (gzip/br/zstd undone) */
    buf_t hdr_store;  /* private: use httpc_response_header / httpc_response_header_at */
    size_t hdr_count; /* private */
} httpc_response_t;

typedef void (*httpc_done_cb)(httpc_response_t *res, void *ud);

typedef struct httpc_stats {
    uint64_t started;     /* requests accepted by httpc_start */
    uint64_t completed;   /* done callbacks delivered (any outcome) */
    uint64_t in_flight;   /* started - completed */
    uint64_t connections; /* new connections opened (CURLINFO_NUM_CONNECTS summed) */
} httpc_stats_t;

/* Creates a client on loop. NULL with a message in err on failure. */
httpc_t *httpc_new(uv_loop_t *loop, char *err, size_t errlen);

/* Caps connections per host and in total (0 = no cap, curl's default); excess requests queue
 * inside curl. While a cap is set, every request (but h2c on old libcurl, whose pool keeps its
 * one connection per host) goes to one multi handle, whose caps curl enforces; setting both to 0
 * goes back to multi handles per origin. Returns 0, or -1 when curl rejects a value. */
int httpc_set_max_connections(httpc_t *c, long per_host, long total);

/* Starts a request; cb(res, ud) will run exactly once. Returns its id (never 0), or 0 on misuse
 * only (no url, no cb, client closing): every other failure arrives through cb. */
uint64_t httpc_start(httpc_t *c, const httpc_request_t *req, httpc_done_cb cb, void *ud);

/* Cancels a request: its callback runs later, from the loop, with HTTPC_ECANCELED. Returns 1, or
 * 0 when id is unknown or already finished (its callback then reports the real outcome). */
int httpc_cancel(httpc_t *c, uint64_t id);

/* Cancels every in-flight request (each callback runs once with HTTPC_ECANCELED, before this
 * returns unless called from inside a callback, then right after it), cleans up the multi handles
 * and starts closing the uv handles. The client frees itself once they are closed: the caller
 * just runs the loop until it has no more handles. c must not be used after this call. */
void httpc_close(httpc_t *c);

void httpc_get_stats(const httpc_t *c, httpc_stats_t *out);

/* Value of the first response header called name (case-insensitive), or NULL. */
const char *httpc_response_header(const httpc_response_t *res, const char *name);
/* The i-th response header (in arrival order); returns 0 when i is out of range. */
int httpc_response_header_at(const httpc_response_t *res, size_t i, const char **name,
                             const char **value);

/* Parses a Retry-After value: delta-seconds, or an HTTP-date taken relative to `now`.
 * Returns seconds (>= 0; a date in the past gives 0), or -1 when the value is invalid. */
long httpc_retry_after_parse(const char *value, time_t now);

/* "OK", "ETIMEDOUT", ... for err. */
const char *httpc_err_name(httpc_err_t err);

#endif
