/* Helpers shared by the json tests: an event tracer and a canonical re-encoder built on the SAX
 * callbacks. Header-only (static functions) so each test file stays self-contained. */
#ifndef RATIO_TEST_JSON_UTIL_H
#define RATIO_TEST_JSON_UTIL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"

#define JT_UNUSED __attribute__((unused)) /* not every test file uses every helper */

/* ---- tracer: events as text, e.g. `{ k:"a" i:1 }1` ---------------------------------------- */

typedef struct jt_trace {
    buf_t *out;
    int abort_on_event; /* 1-based event number at which the callback returns non-zero; 0 never */
    int events;
} jt_trace_t;

static JT_UNUSED int jt_event(jt_trace_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static JT_UNUSED int jt_event(jt_trace_t *t, const char *fmt, ...)
{
    va_list ap;
    if (t->out->len) buf_putc(t->out, ' ');
    va_start(ap, fmt);
    buf_vprintf(t->out, fmt, ap);
    va_end(ap);
    return ++t->events == t->abort_on_event;
}

static JT_UNUSED void jt_quote(buf_t *b, const char *s, size_t len)
{
    buf_putc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
            buf_putc(b, (char)c);
        else
            buf_printf(b, "\\x%02X", c);
    }
    buf_putc(b, '"');
}

static JT_UNUSED int jt_null(void *ud)
{
    return jt_event(ud, "n");
}
static JT_UNUSED int jt_bool(void *ud, int v)
{
    return jt_event(ud, v ? "t" : "f");
}
static JT_UNUSED int jt_integer(void *ud, long long v)
{
    return jt_event(ud, "i:%lld", v);
}
static JT_UNUSED int jt_double(void *ud, double v)
{
    return jt_event(ud, "d:%.17g", v);
}
static JT_UNUSED int jt_string_like(void *ud, const char *tag, const char *s, size_t len)
{
    jt_trace_t *t = ud;
    if (s[len] != '\0') jt_event(t, "NOT-NUL-TERMINATED");
    if (t->out->len) buf_putc(t->out, ' ');
    buf_puts(t->out, tag);
    jt_quote(t->out, s, len);
    return ++t->events == t->abort_on_event;
}
static JT_UNUSED int jt_string(void *ud, const char *s, size_t len)
{
    return jt_string_like(ud, "s:", s, len);
}
static JT_UNUSED int jt_key(void *ud, const char *s, size_t len)
{
    return jt_string_like(ud, "k:", s, len);
}
static JT_UNUSED int jt_begin_object(void *ud, size_t n)
{
    (void)n;
    return jt_event(ud, "{");
}
static JT_UNUSED int jt_end_object(void *ud, size_t n)
{
    return jt_event(ud, "}%zu", n);
}
static JT_UNUSED int jt_begin_array(void *ud, size_t n)
{
    (void)n;
    return jt_event(ud, "[");
}
static JT_UNUSED int jt_end_array(void *ud, size_t n)
{
    return jt_event(ud, "]%zu", n);
}

static JT_UNUSED const json_sax_t jt_trace_sax = {
    jt_null,         jt_bool, jt_integer,    jt_double,      jt_string,
    jt_begin_object, jt_key,  jt_end_object, jt_begin_array, jt_end_array};

/* Parse s[0..len) (from an exact-size heap copy, so ASan catches any read past len) and return
 * its event trace, or "E@OFFSET:LINE:COL MESSAGE", or "A@OFFSET ..." when a callback aborted. */
static JT_UNUSED const char *jt_parse_n(buf_t *out, const char *s, size_t len, int max_depth,
                                        int abort_on)
{
    char *copy = malloc(len ? len : 1);
    if (len) memcpy(copy, s, len);
    jt_trace_t t = {out, abort_on, 0};
    json_error_t err;
    memset(&err, 0, sizeof err);
    buf_reset(out);
    int rc = json_parse(copy, len, &jt_trace_sax, &t, max_depth, &err);
    free(copy);
    if (rc != JSON_OK) {
        buf_reset(out);
        buf_printf(out, "%s@%zu:%zu:%zu %s", rc == JSON_ABORTED ? "A" : "E", err.offset, err.line,
                   err.column, err.message);
    }
    return buf_cstr(out);
}

static JT_UNUSED const char *jt_parse(buf_t *out, const char *s)
{
    return jt_parse_n(out, s, strlen(s), 0, 0);
}

/* ---- canonical re-encoder: compact JSON written with the json_write_* helpers --------------- */

#define JT_MAX_DEPTH 256

typedef struct jt_canon {
    buf_t *out;
    int depth;
    int after_key;
    int failed;
    unsigned char need_comma[JT_MAX_DEPTH + 1];
} jt_canon_t;

static JT_UNUSED void jt_sep(jt_canon_t *c)
{
    if (c->after_key) {
        c->after_key = 0;
        return;
    }
    if (c->need_comma[c->depth]) buf_putc(c->out, ',');
    c->need_comma[c->depth] = 1;
}
static JT_UNUSED int jt_c_null(void *ud)
{
    jt_sep(ud);
    buf_puts(((jt_canon_t *)ud)->out, "null");
    return 0;
}
static JT_UNUSED int jt_c_bool(void *ud, int v)
{
    jt_sep(ud);
    buf_puts(((jt_canon_t *)ud)->out, v ? "true" : "false");
    return 0;
}
static JT_UNUSED int jt_c_integer(void *ud, long long v)
{
    jt_sep(ud);
    json_write_integer(((jt_canon_t *)ud)->out, v);
    return 0;
}
static JT_UNUSED int jt_c_double(void *ud, double v)
{
    jt_canon_t *c = ud;
    jt_sep(c);
    if (json_write_double(c->out, v)) c->failed = 1;
    return 0;
}
static JT_UNUSED int jt_c_string(void *ud, const char *s, size_t len)
{
    jt_canon_t *c = ud;
    jt_sep(c);
    if (json_write_string(c->out, s, len)) c->failed = 1;
    return 0;
}
static JT_UNUSED int jt_c_key(void *ud, const char *s, size_t len)
{
    jt_canon_t *c = ud;
    jt_sep(c);
    if (json_write_string(c->out, s, len)) c->failed = 1;
    buf_putc(c->out, ':');
    c->after_key = 1;
    return 0;
}
static JT_UNUSED int jt_c_begin(jt_canon_t *c, char open)
{
    jt_sep(c);
    buf_putc(c->out, open);
    if (c->depth == JT_MAX_DEPTH) return 1;
    c->need_comma[++c->depth] = 0;
    return 0;
}
static JT_UNUSED int jt_c_begin_object(void *ud, size_t n)
{
    (void)n;
    return jt_c_begin(ud, '{');
}
static JT_UNUSED int jt_c_begin_array(void *ud, size_t n)
{
    (void)n;
    return jt_c_begin(ud, '[');
}
static JT_UNUSED int jt_c_end_object(void *ud, size_t n)
{
    jt_canon_t *c = ud;
    (void)n;
    buf_putc(c->out, '}');
    c->depth--;
    return 0;
}
static JT_UNUSED int jt_c_end_array(void *ud, size_t n)
{
    jt_canon_t *c = ud;
    (void)n;
    buf_putc(c->out, ']');
    c->depth--;
    return 0;
}

static JT_UNUSED const json_sax_t jt_canon_sax = {
    jt_c_null,         jt_c_bool, jt_c_integer,    jt_c_double,      jt_c_string,
    jt_c_begin_object, jt_c_key,  jt_c_end_object, jt_c_begin_array, jt_c_end_array};

/* Re-encode s[0..len) canonically into out. Returns the json_parse result (or -3 if an encoder
 * helper refused a value the parser had accepted, which would be a bug). */
static JT_UNUSED int jt_canon_n(buf_t *out, const char *s, size_t len, int max_depth)
{
    jt_canon_t c;
    memset(&c, 0, sizeof c);
    c.out = out;
    buf_reset(out);
    if (max_depth <= 0 || max_depth > JT_MAX_DEPTH) max_depth = JT_MAX_DEPTH;
    int rc = json_parse(s, len, &jt_canon_sax, &c, max_depth, NULL);
    if (rc == JSON_OK && c.failed) return -3;
    return rc;
}

static JT_UNUSED const char *jt_canon(buf_t *out, const char *s)
{
    if (jt_canon_n(out, s, strlen(s), 0) != JSON_OK) return "(invalid)";
    return buf_cstr(out);
}

#endif
