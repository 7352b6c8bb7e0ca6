/* curl_baseline: the plain C libcurl-multi client that bench/client_throughput.sh compares ratio's
 * LLM client against. It does the work recipes/loadtest.lua does, with nothing on top: N distinct
 * POST {base}/chat/completions requests, each with the same ~2 KB JSON body loadtest.lua sends
 * ({"max_tokens":16,"messages":[{"content":"Request <i>. <filler>","role":"user"}],"model":"fake"}),
 * at most C in flight (a finished transfer is replaced at once), request i going to the
 * (i mod K)-th of K comma-separated base URLs, connections kept alive and reused
 * through the multi handle's connection cache, HTTP 200 required. No Lua, no libuv, no retries,
 * no JSON parsing; C easy handles made once and reused. Two event loops:
 *   --loop poll   (default) curl_multi_perform + curl_multi_poll: the textbook loop; every wake-up
 *                 polls all C sockets, so its kernel time grows with C.
 *   --loop epoll  curl_multi_socket_action driven by epoll, only ready sockets touched: what
 *                 ratio's client does on libuv, minus libuv and Lua.
 *
 *   gcc -std=c11 -O2 -Wall -Wextra -Werror bench/curl_baseline.c \
 *       $(pkg-config --cflags --libs libcurl) -o /tmp/curl_baseline
 *   /tmp/curl_baseline --base-url http://127.0.0.1:PORT/v1 --requests 20000 --concurrency 256 \
 *       [--loop poll|epoll]
 *
 * Prints one JSON line: {"requests","ok","failed","seconds","rps","p50_ms","p99_ms"}; the first
 * failure goes to stderr. Exit 0 when every request got a 200, 1 otherwise, 2 on a usage error. */
#define _POSIX_C_SOURCE 200809L

#include <curl/curl.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The prompt filler of recipes/loadtest.lua: this sentence repeated 25 times (2,000 bytes). */
#define FILLER_SENTENCE "The quick brown fox jumps over the lazy dog while the judge weighs each reason. "
#define FILLER_REPS 25

typedef struct slot {
    CURL *easy;
    char *body;    /* the request body; must outlive the transfer (CURLOPT_POSTFIELDS) */
    size_t body_cap;
    size_t got;    /* response bytes received */
    double t0;     /* start time, seconds */
} slot_t;

/* --loop epoll: curl tells us which sockets to watch for what; epoll says which are ready. */
typedef struct ep_ctx {
    int epfd;
    CURLM *multi;
} ep_ctx_t;

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void)easy;
    ep_ctx_t *ep = userp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(ep->epfd, EPOLL_CTL_DEL, fd, NULL);
        curl_multi_assign(ep->multi, fd, NULL);
        return 0;
    }
    struct epoll_event ev;
    memset(&ev, 0, sizeof ev);
    ev.data.fd = fd;
    if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) ev.events |= EPOLLIN;
    if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) ev.events |= EPOLLOUT;
    if (socketp) return epoll_ctl(ep->epfd, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : -1;
    if (epoll_ctl(ep->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return -1;
    curl_multi_assign(ep->multi, fd, ep); /* any non-NULL pointer: "already added" */
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_write(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    slot_t *s = userdata;
    s->got += size * nmemb;
    return size * nmemb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The q-quantile of sorted xs, as loadtest.lua takes it: xs[ceil(q * n)] (1-based). */
static double pct(const double *xs, long n, double q)
{
    if (n == 0) return 0.0;
    long k = (long)(q * (double)n);
    if ((double)k < q * (double)n) k++;
    if (k < 1) k = 1;
    return xs[k - 1];
}

static void usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s --base-url URL [--requests N] [--concurrency C] [--model NAME]"
            " [--loop poll|epoll]\n"
            "  URL is the API base, e.g. http://127.0.0.1:8080/v1 (requests go to URL/chat/completions),\n"
            "  or several, comma-separated: request i goes to the (i mod K)-th of K\n",
            argv0);
}

int main(int argc, char **argv)
{
    const char *base = NULL, *model = "fake", *loop = "poll";
    long n = 1000, conc = 64;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) {
            usage(argv[0]);
            return 2;
        }
        if (!strcmp(a, "--base-url")) base = argv[++i];
        else if (!strcmp(a, "--requests")) n = strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "--concurrency")) conc = strtol(argv[++i], NULL, 10);
        else if (!strcmp(a, "--model")) model = argv[++i];
        else if (!strcmp(a, "--loop")) loop = argv[++i];
        else {
            usage(argv[0]);
            return 2;
        }
    }
    int use_epoll = !strcmp(loop, "epoll");
    if (!base || n < 1 || conc < 1 || (!use_epoll && strcmp(loop, "poll") != 0)) {
        usage(argv[0]);
        return 2;
    }
    if (conc > n) conc = n;

    char filler[sizeof FILLER_SENTENCE * FILLER_REPS];
    filler[0] = '\0';
    for (int i = 0; i < FILLER_REPS; i++) strcat(filler, FILLER_SENTENCE);

    /* one chat/completions URL per comma-separated base */
    enum { MAX_URLS = 64 };
    char *urls[MAX_URLS];
    int nurls = 0;
    for (const char *b = base; *b && nurls < MAX_URLS;) {
        size_t blen = strcspn(b, ",");
        const char *next_b = b[blen] ? b + blen + 1 : b + blen;
        while (blen && b[blen - 1] == '/') blen--;
        if (blen) {
            char *u = malloc(blen + sizeof "/chat/completions");
            if (!u) return 1;
            memcpy(u, b, blen);
            strcpy(u + blen, "/chat/completions");
            urls[nurls++] = u;
        }
        b = next_b;
    }
    if (nurls == 0) {
        usage(argv[0]);
        return 2;
    }

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    CURLM *multi = curl_multi_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    ep_ctx_t ep = {-1, multi};
    struct epoll_event evs[256];
    if (use_epoll) {
        ep.epfd = epoll_create1(0);
        if (ep.epfd < 0) return 1;
        curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
        curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, &ep);
    }

    slot_t *slots = calloc((size_t)conc, sizeof *slots);
    slot_t **idle = malloc((size_t)conc * sizeof *idle); /* stack of free slots */
    double *lat = malloc((size_t)n * sizeof *lat);
    if (!multi || !headers || !slots || !idle || !lat) return 1;
    size_t body_cap = strlen(filler) + strlen(model) + 128;
    for (long i = 0; i < conc; i++) {
        slot_t *s = &slots[i];
        s->body_cap = body_cap;
        s->body = malloc(body_cap);
        s->easy = curl_easy_init();
        if (!s->body || !s->easy) return 1;
        curl_easy_setopt(s->easy, CURLOPT_PRIVATE, (char *)s);
        curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
        curl_easy_setopt(s->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(s->easy, CURLOPT_ACCEPT_ENCODING, ""); /* as ratio's client does */
        curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, 300000L);
        idle[i] = s;
    }
    long nidle = conc;

    long next = 0, done = 0, ok = 0, failed = 0, nlat = 0;
    int first_error = 1;
    double t_start = now_s();
    while (done < n) {
        /* refill: one new request per idle slot while requests remain */
        while (nidle > 0 && next < n) {
            slot_t *s = idle[--nidle];
            int len = snprintf(s->body, s->body_cap,
                               "{\"max_tokens\":16,\"messages\":[{\"content\":\"Request %ld. %s\","
                               "\"role\":\"user\"}],\"model\":\"%s\"}",
                               next + 1, filler, model);
            if (len < 0 || (size_t)len >= s->body_cap) return 1;
            curl_easy_setopt(s->easy, CURLOPT_URL, urls[next % nurls]);
            curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, s->body);
            curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE, (long)len);
            s->got = 0;
            s->t0 = now_s();
            if (curl_multi_add_handle(multi, s->easy) != CURLM_OK) return 1;
            next++;
        }
        int running = 1;
        if (use_epoll) {
            /* curl_multi_timeout instead of a timer callback: 0 right after an add ("kick me") */
            long t = -1;
            curl_multi_timeout(multi, &t);
            int nev = 0;
            if (t != 0) nev = epoll_wait(ep.epfd, evs, (int)(sizeof evs / sizeof evs[0]),
                                         t < 0 || t > 1000 ? 1000 : (int)t);
            for (int k = 0; k < nev; k++) {
                int flags = 0;
                if (evs[k].events & EPOLLIN) flags |= CURL_CSELECT_IN;
                if (evs[k].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
                if (evs[k].events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
                curl_multi_socket_action(multi, evs[k].data.fd, flags, &running);
            }
            if (nev <= 0) curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running);
        } else {
            curl_multi_perform(multi, &running);
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            CURLcode rc = msg->data.result;
            slot_t *s = NULL;
            long status = 0;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&s);
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
            curl_multi_remove_handle(multi, e);
            done++;
            if (rc == CURLE_OK && status == 200 && s->got > 0) {
                ok++;
                lat[nlat++] = (now_s() - s->t0) * 1000.0;
            } else {
                failed++;
                if (first_error) {
                    fprintf(stderr, "first failure: %s, HTTP %ld\n", curl_easy_strerror(rc), status);
                    first_error = 0;
                }
            }
            idle[nidle++] = s;
        }
        if (!use_epoll && done < n && running > 0) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    double seconds = now_s() - t_start;

    qsort(lat, (size_t)nlat, sizeof *lat, cmp_double);
    printf("{\"requests\":%ld,\"ok\":%ld,\"failed\":%ld,\"seconds\":%.6f,\"rps\":%.3f,"
           "\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
           n, ok, failed, seconds, (double)ok / seconds, pct(lat, nlat, 0.50), pct(lat, nlat, 0.99));

    for (long i = 0; i < conc; i++) {
        curl_easy_cleanup(slots[i].easy);
        free(slots[i].body);
    }
    curl_multi_cleanup(multi);
    if (ep.epfd >= 0) close(ep.epfd);
    curl_slist_free_all(headers);
    curl_global_cleanup();
    free(slots);
    free(idle);
    free(lat);
    for (int i = 0; i < nurls; i++) free(urls[i]);
    return failed ? 1 : 0;
}
