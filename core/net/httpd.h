/* httpd: a small HTTP server on the program's libuv loop, built on libh2o 2.2.5 (libuv flavour).
 *
 * Serves HTTP/1.1 with keep-alive and cleartext HTTP/2 with prior knowledge (h2c; also the
 * "Upgrade: h2c" dance). Every request goes to ONE handler, which answers it at once or later —
 * from any other loop callback — with httpd_respond (or httpd_abort, for fault injection).
 *
 * Request lifetime. The handler's httpd_req_t is a refcounted wrapper that outlives h2o's own
 * request: its method, path, headers and body are copies, valid until the owner finishes it. The
 * owner MUST finish every request exactly once, with httpd_respond or httpd_abort, and must not
 * touch it afterwards. If the client goes away first (closes the connection, resets the HTTP/2
 * stream), the on_gone callback runs (later, from the loop) and finishing becomes a harmless no-op
 * that only releases the wrapper — there is no use-after-free window, even after httpd_free.
 * Like nginx, the server takes an HTTP/1 client that half-closes its side (EOF) while waiting for
 * the response as gone.
 *
 * Checks on the request head, before any body byte is buffered (HTTP/1.x). As soon as the
 * request line and headers have arrived, and before h2o reads the body, the server answers at
 * once — JSON error, "Connection: close", the handler never called — when:
 *   - the head is larger than max_head_bytes (431), or Content-Length headers disagree, or
 *     Content-Length comes with Transfer-Encoding (400);
 *   - a token is set and the request carries neither "Authorization: Bearer <token>" (scheme
 *     case-insensitive) nor a "token=<token>" query parameter (401 with WWW-Authenticate: Bearer),
 *     unless its route is listed in public_routes; tokens are compared in constant time;
 *   - routes are set and the path has no route (404) or not for this method (405, with Allow);
 *   - the declared body is larger than max_body_bytes (413), or holding it would take the bytes
 *     held for all request bodies together above max_buffered_bytes (503 with Retry-After: 1).
 * After such an answer the connection is half-closed and whatever the client still sends is
 * read and thrown away (a "lingering close", so the client reads the answer instead of a reset)
 * until it closes or h2o's request timeout ends it. A body's bytes count against
 * max_buffered_bytes from its head until the owner has finished the request and h2o has let go
 * of it; a chunked body counts as max_body_bytes. Keep-alive requests are checked one by one,
 * pipelined ones included.
 *
 * HTTP/2 (h2c) gets the same answers, but only once the whole body has arrived: h2o 2.2.5 has no
 * hook between a stream's HEADERS and its DATA. Its own per-stream limit still applies: a body
 * above max_body_bytes gets RST_STREAM(REFUSED_STREAM) instead of a 413 (h2o resets the stream
 * while the DATA frames arrive). Servers that must bound memory against HTTP/2 clients set
 * http2 = -1 (then a "PRI *" preface or "Upgrade: h2c" is answered as HTTP/1.1, i.e. 400 / not
 * upgraded).
 *
 * Header limits: besides max_head_bytes, h2o allows at most 100 headers (400 above that).
 *
 * Binds to 127.0.0.1 unless told otherwise. Not thread-safe: one loop, one thread.
 *
 * SIGPIPE: libuv writes with write(2), so a client hanging up mid-response raises SIGPIPE. If its
 * disposition is still the default (terminate), httpd_new sets it to SIG_IGN; a program with its
 * own SIGPIPE handler keeps it. */
#ifndef RATIO_HTTPD_H
#define RATIO_HTTPD_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

typedef struct httpd httpd_t;
typedef struct httpd_req httpd_req_t;

typedef struct httpd_config {
    const char *host;      /* address to bind; NULL: "127.0.0.1" (IPv6 literals work too) */
    int port;              /* 0: an ephemeral port (see httpd_port) */
    size_t max_body_bytes; /* request body limit; 0: 16 MiB */
    /* all request bodies held at once (see above); 0: 64 MiB, and never below max_body_bytes */
    size_t max_buffered_bytes;
    size_t max_head_bytes; /* request line + headers; 0: 16 KiB (at most h2o's ~400 KiB) */
    const char *token;     /* NULL or "": no authentication; else required (copied) */
    /* NULL-terminated lists of "METHOD /path" (copied). routes NULL: any method and path go to
     * the handler. public_routes: answered without the token. */
    const char *const *routes;
    const char *const *public_routes;
    int http2; /* 0 or 1: cleartext HTTP/2 accepted (default); -1: HTTP/1.x only */
    /* time an HTTP/1 request may take to arrive, head and body together (h2o closes the
     * connection, with no answer, when it runs out); 0: h2o's 10 s */
    uint64_t request_timeout_ms;
} httpd_config_t;

typedef struct httpd_header {
    const char *name;
    const char *value;
} httpd_header_t;

typedef struct httpd_stats {
    uint64_t requests_served;      /* finished by the owner (respond or abort), client present */
    uint64_t requests_in_flight;   /* handed to the handler, h2o not yet done with them */
    uint64_t requests_gone;        /* client went away before the response */
    uint64_t connections_accepted; /* total */
    uint64_t connections_open;     /* now */
    uint64_t requests_refused;     /* answered from the head (401, 404, 405, 413, 431, 503 ...) */
    uint64_t bytes_buffered;       /* request body bytes held (or reserved) now */
    uint64_t bytes_buffered_peak;  /* the most ever held at once */
} httpd_stats_t;

/* Called once per request, from the loop; finish req now or later (see above). */
typedef void (*httpd_handler_fn)(httpd_req_t *req, void *ud);
/* Called (from the loop) when the client of req went away before the response was sent. */
typedef void (*httpd_gone_fn)(httpd_req_t *req, void *ud);
typedef void (*httpd_shutdown_fn)(httpd_t *h, void *ud);

/* Starts listening. cfg may be NULL (all defaults). On failure returns NULL with a message in err
 * (e.g. "cannot listen on 127.0.0.1:8080: address already in use", or a route that is not
 * "METHOD /path"); run the loop afterwards so a half-made listener handle gets closed. */
httpd_t *httpd_new(uv_loop_t *loop, const httpd_config_t *cfg, httpd_handler_fn handler, void *ud,
                   char *err, size_t errlen);

/* The port actually bound (useful with port 0). */
int httpd_port(const httpd_t *h);

/* Graceful shutdown: stops accepting, tells HTTP/2 clients GOAWAY, lets requests in flight be
 * answered, closes idle connections, and calls cb once no connection remains. Once only. */
void httpd_shutdown(httpd_t *h, httpd_shutdown_fn cb, void *ud);

/* Closes everything: requests still unanswered are cut (their on_gone runs), connections are
 * closed, then h2o is disposed and the server frees itself as its handles close — the caller runs
 * the loop until it has no more handles. h must not be used after this call. */
void httpd_free(httpd_t *h);

void httpd_get_stats(const httpd_t *h, httpd_stats_t *out);

/* Request accessors; strings are NUL-terminated and valid until the request is finished. */
const char *httpd_req_method(const httpd_req_t *r);
const char *httpd_req_path(const httpd_req_t *r);  /* without the query, as sent (not decoded) */
const char *httpd_req_query(const httpd_req_t *r); /* after '?'; "" when there is none */
/* First header called name (case-insensitive), or NULL. Host and Content-Length are included. */
const char *httpd_req_header(const httpd_req_t *r, const char *name);
size_t httpd_req_header_count(const httpd_req_t *r);
/* The i-th header; names are lower-case. Returns 0 when i is out of range. */
int httpd_req_header_at(const httpd_req_t *r, size_t i, const char **name, const char **value);
const char *httpd_req_body(const httpd_req_t *r, size_t *len); /* never NULL; "" when empty */
int httpd_req_http_version(const httpd_req_t *r);              /* 10, 11 or 20 */
int httpd_req_is_gone(const httpd_req_t *r);

/* Registers cb to learn that the client went away before the response (it also runs if that has
 * already happened). Replaces an earlier registration. */
void httpd_req_on_gone(httpd_req_t *r, httpd_gone_fn cb, void *ud);

/* Finishes r with a response: status (200..599, else 500), headers (Content-Length and
 * hop-by-hop headers are managed by the server, and invalid names or values with CR/LF are
 * skipped), body copied. No-op once gone. */
void httpd_respond(httpd_req_t *r, int status, const httpd_header_t *headers, size_t nheaders,
                   const void *body, size_t len);

/* Fault injection: finishes r by sending 200 headers announcing more than `len` bytes, then
 * `len` bytes, then dropping the connection (HTTP/2: resetting the stream), so the client sees
 * its connection die mid-body. No-op once gone. */
void httpd_abort(httpd_req_t *r, const void *partial_body, size_t len);

#endif
