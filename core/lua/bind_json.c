/* ratio.core.json: JSON <-> Lua values on top of the C parser/encoder in core/json.
 *
 *   decode(text [, {max_depth=}]) -> value | nil, "line L, column C: message"
 *   fields{path, ...}, pick(text, fields) -> true, value1, ..., valueN | nil, message (below)
 *   encode(value [, {indent=, max_depth=}]) -> text | nil, "message at $.path"
 *   encoded(value) -> a value encode writes as value's JSON, written once here | nil, message
 *   null, array(t), object(t), is_array(t), keys(t)
 *
 * Integers stay integers and floats stay floats both ways. Objects are written with their keys in
 * byte order, so the same value always gives the same text. Decoded arrays and objects carry a
 * marker metatable so empty ones round-trip; an unmarked empty table is written as [] (lists are
 * what ratio's data holds). JSON null is json.null (a light userdata), so keys with null survive.
 * A Lua table has no key order, so the decoder records the key order of a top-level object (one
 * list per decoded text, kept in a weak table): keys(t) returns it, for readers that must follow
 * the order of the line, as the published loader does for model keys that differ only in case. */
#include <lauxlib.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "lua/bindings.h"
#include "lua/host.h"
#include "lua/bind_json.h"

static const char ARRAY_MT = 'A';
static const char OBJECT_MT = 'O';
static const char KEY_ORDER = 'K';  /* registry: weak-keyed {decoded top-level object = key list} */
static const char ENCODED_MT = 'E'; /* json.encoded: a userdata whose user value is its JSON */

#define ENCODE_DEFAULT_MAX_DEPTH 256

/* ---- decode ------------------------------------------------------------------------------- */

typedef struct frame {
    int is_array;
    lua_Integer count;
} frame_t;

#define DEC_FRAMES 32 /* levels kept on the C stack; a deeper document's frames go to the heap */

typedef struct decoder {
    lua_State *L;
    frame_t *frames; /* small, or the heap */
    frame_t small[DEC_FRAMES];
    int depth, cap;
    int oom;
    int want_keys;     /* record a top-level object's key order (json.keys) */
    int keys_idx;      /* stack index of the top-level object's key list, 0 if none */
    lua_Integer nkeys; /* keys in that list */
} decoder_t;

/* Stores the value on top of the stack into the enclosing array/object (or leaves it as root). */
static int dec_add(decoder_t *d)
{
    if (d->depth == 0) return 0;
    frame_t *f = &d->frames[d->depth - 1];
    if (f->is_array)
        lua_rawseti(d->L, -2, ++f->count);
    else
        lua_rawset(d->L, -3); /* table, key, value */
    return 0;
}

static int dec_null(void *ud)
{
    decoder_t *d = ud;
    lua_pushlightuserdata(d->L, NULL);
    return dec_add(d);
}

static int dec_bool(void *ud, int v)
{
    decoder_t *d = ud;
    lua_pushboolean(d->L, v);
    return dec_add(d);
}

static int dec_integer(void *ud, long long v)
{
    decoder_t *d = ud;
    lua_pushinteger(d->L, (lua_Integer)v);
    return dec_add(d);
}

static int dec_double(void *ud, double v)
{
    decoder_t *d = ud;
    lua_pushnumber(d->L, (lua_Number)v);
    return dec_add(d);
}

static int dec_string(void *ud, const char *s, size_t len)
{
    decoder_t *d = ud;
    lua_pushlstring(d->L, s, len);
    return dec_add(d);
}

static int dec_key(void *ud, const char *s, size_t len)
{
    decoder_t *d = ud;
    lua_pushlstring(d->L, s, len);
    if (d->depth == 1 && d->keys_idx) {
        /* A key of the top-level object: list it where it first appears (a duplicate keeps its
         * first place and takes the last value, as Python's json does). */
        lua_pushvalue(d->L, -1);
        if (lua_rawget(d->L, -3) == LUA_TNIL) {
            lua_pushvalue(d->L, -2);
            lua_rawseti(d->L, d->keys_idx, ++d->nkeys);
        }
        lua_pop(d->L, 1);
    }
    return 0;
}

static int dec_begin(decoder_t *d, int is_array, size_t count)
{
    /* Each open level holds a table and maybe a key on the Lua stack. */
    if (!lua_checkstack(d->L, 6)) {
        d->oom = 1;
        return 1;
    }
    if (d->depth == d->cap) {
        int cap = d->cap * 2;
        frame_t *f = d->frames == d->small ? malloc((size_t)cap * sizeof *f)
                                           : realloc(d->frames, (size_t)cap * sizeof *f);
        if (!f) {
            d->oom = 1;
            return 1;
        }
        if (d->frames == d->small) memcpy(f, d->small, sizeof d->small);
        d->frames = f;
        d->cap = cap;
    }
    d->frames[d->depth].is_array = is_array;
    d->frames[d->depth].count = 0;
    if (d->depth == 0 && !is_array && d->want_keys) { /* the key list sits below the object */
        lua_createtable(d->L, 8, 0);
        d->keys_idx = lua_gettop(d->L);
    }
    d->depth++;
    /* Sized for what it will hold (the parser says), so it never grows. An object's members may
     * repeat a key, so its hash part is sized for at most 65,536 (a million copies of one key
     * must not make a million-node table); beyond that it grows as needed. */
    size_t cap = is_array ? (size_t)INT_MAX : 65536;
    int n = (int)(count < cap ? count : cap);
    lua_createtable(d->L, is_array ? n : 0, is_array ? 0 : n);
    lua_rawgetp(d->L, LUA_REGISTRYINDEX, is_array ? &ARRAY_MT : &OBJECT_MT);
    lua_setmetatable(d->L, -2);
    return 0;
}

static int dec_begin_array(void *ud, size_t count)
{
    return dec_begin(ud, 1, count);
}
static int dec_begin_object(void *ud, size_t members)
{
    return dec_begin(ud, 0, members);
}

static int dec_end(void *ud, size_t n)
{
    (void)n;
    decoder_t *d = ud;
    d->depth--;
    return dec_add(d);
}

static const json_sax_t DECODE_SAX = {
    .on_null = dec_null,
    .on_bool = dec_bool,
    .on_integer = dec_integer,
    .on_double = dec_double,
    .on_string = dec_string,
    .on_begin_object = dec_begin_object,
    .on_key = dec_key,
    .on_end_object = dec_end,
    .on_begin_array = dec_begin_array,
    .on_end_array = dec_end,
};

/* Parses s with sax and ud, whose values decoder d makes (its frames set up here and freed
 * after); an abort is named as d's. */
static int dec_parse(decoder_t *d, json_parser_t *parser, const char *s, size_t len,
                     const json_sax_t *sax, void *ud, int max_depth, json_error_t *err)
{
    d->frames = d->small;
    d->cap = DEC_FRAMES;
    int rc = json_parser_parse(parser, s, len, sax, ud, max_depth, err);
    if (d->frames != d->small) free(d->frames);
    if (rc == JSON_ABORTED) {
        err->offset = err->line = err->column = 0;
        snprintf(err->message, sizeof err->message, "%s", d->oom ? "out of memory" : "aborted");
    }
    return rc;
}

int bind_json_decode(lua_State *L, json_parser_t *parser, const char *s, size_t len, int max_depth,
                     int keys, json_error_t *err)
{
    decoder_t d = {.L = L, .want_keys = keys};
    int top = lua_gettop(L);
    if (dec_parse(&d, parser, s, len, &DECODE_SAX, &d, max_depth, err) != JSON_OK) {
        lua_settop(L, top);
        return -1;
    }
    if (d.keys_idx) { /* [keys, object]: file the list under the object, leave the object */
        lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_ORDER);
        lua_pushvalue(L, -2);
        lua_pushvalue(L, d.keys_idx);
        lua_rawset(L, -3);
        lua_pop(L, 1);
        lua_remove(L, d.keys_idx);
    }
    return 0;
}

/* What json.decode, encode and encoded keep from call to call (their upvalue): the parser's
 * buffers, and the output buffer, so that a warm call allocates nothing in C (the LLM
 * client decodes every reply). A call made while another holds them (from a finalizer the GC
 * runs in its middle) uses its own. */
typedef struct json_scratch {
    json_parser_t parser;
    buf_t out;
    int parser_busy, out_busy;
} json_scratch_t;

#define SCRATCH_OUT_KEEP ((size_t)1 << 20) /* a bigger output buffer is freed after its call */

static json_scratch_t *scratch(lua_State *L)
{
    return lua_touserdata(L, lua_upvalueindex(1));
}

static int scratch_gc(lua_State *L)
{
    json_scratch_t *sc = lua_touserdata(L, 1);
    json_parser_free(&sc->parser);
    buf_free(&sc->out);
    return 0;
}

/* The output buffer for one encode: the kept one when free, else *own. */
static buf_t *out_take(json_scratch_t *sc, buf_t *own)
{
    buf_init(own);
    if (sc->out_busy) return own;
    sc->out_busy = 1;
    buf_reset(&sc->out);
    return &sc->out;
}

static void out_give(json_scratch_t *sc, buf_t *out)
{
    if (out != &sc->out) {
        buf_free(out);
        return;
    }
    if (sc->out.cap > SCRATCH_OUT_KEEP) buf_free(&sc->out);
    sc->out_busy = 0;
}

/* The parser for one decode or pick: the kept one when free, else *own. */
static json_parser_t *parser_take(json_scratch_t *sc, json_parser_t *own)
{
    if (sc->parser_busy) {
        json_parser_init(own);
        return own;
    }
    sc->parser_busy = 1;
    return &sc->parser;
}

static void parser_give(json_scratch_t *sc, json_parser_t *p)
{
    if (p == &sc->parser)
        sc->parser_busy = 0;
    else
        json_parser_free(p);
}

/* Pushes nil and a decode error's words, as json.decode gives them; returns 2. */
static int push_parse_error(lua_State *L, const json_error_t *err)
{
    lua_pushnil(L);
    if (err->line)
        lua_pushfstring(L, "line %d, column %d: %s", (int)err->line, (int)err->column,
                        err->message);
    else
        lua_pushstring(L, err->message);
    return 2;
}

static int l_decode(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    int max_depth = (int)host_opt_integer(L, 2, "max_depth", JSON_DEFAULT_MAX_DEPTH);
    int keys = host_opt_boolean(L, 2, "keys", 1);
    lua_settop(L, 1);
    json_scratch_t *sc = scratch(L);
    json_parser_t own, *p = parser_take(sc, &own);
    json_error_t err;
    int rc = bind_json_decode(L, p, s, len, max_depth, keys, &err);
    parser_give(sc, p);
    return rc != 0 ? push_parse_error(L, &err) : 1;
}

/* ---- pick: a few values of a document, without the rest ---------------------------------------
 *
 *   fields{path, ...} -> a compiled list of paths; a path is a list of steps: a member's name
 *                        (string) or an element's position (integer, from 1); lists read raw
 *   pick(text, fields [, {max_depth=}]) -> true, value1, ..., valueN | nil, message
 *
 * pick checks the whole text as decode does, and gives each path's value as
 * `decoded[step1][step2]...` would be, or nil where a step is missing or lands on a value of
 * another kind (a name on an array, a position on an object). A value that is an array or an
 * object is decoded as decode would; nothing off the paths becomes a Lua value. A name that comes
 * twice keeps its last value, as in a decoded table: when a member on a path comes again, every
 * value found under its first copy is forgotten. */

#define PICK_MAX_FIELDS 64
#define PICK_MAX_STEPS 16

typedef struct pick_node {
    const char *key; /* a member's name (in the fields' own memory), or NULL: an element */
    size_t klen;
    lua_Integer index;  /* an element's position, from 1 */
    int child, sibling; /* node indices, -1 for none */
    int slot;           /* the field this node ends (0-based), or -1: a step on the way */
    uint64_t under;     /* the fields at or under this node, a bit each */
} pick_node_t;

typedef struct pick_fields {
    int nslots;
    pick_node_t nodes[]; /* node 0: the document; the names' bytes follow the nodes */
} pick_fields_t;

/* The child of `parent` for a member named key[0..klen), or (key NULL) for the element at
 * position `index`; NULL when it has none. */
static const pick_node_t *pick_child(const pick_fields_t *f, const pick_node_t *parent,
                                     const char *key, size_t klen, lua_Integer index)
{
    for (int c = parent->child; c >= 0; c = f->nodes[c].sibling) {
        const pick_node_t *n = &f->nodes[c];
        if (key ? n->key && n->klen == klen && memcmp(n->key, key, klen) == 0
                : !n->key && n->index == index)
            return n;
    }
    return NULL;
}

static int l_fields(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_Integer npaths = (lua_Integer)lua_rawlen(L, 1);
    luaL_argcheck(L, npaths >= 1 && npaths <= PICK_MAX_FIELDS, 1, "1 to 64 paths expected");
    /* First the room: every step may be a node of its own. (Raw reads: no metamethod runs, so
     * the second reading below sees what this one measured.) */
    size_t nodes = 1, bytes = 0;
    for (lua_Integer i = 1; i <= npaths; i++) {
        if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
            return luaL_error(L, "json.fields: path %d is not a list of steps", (int)i);
        lua_Integer nsteps = (lua_Integer)lua_rawlen(L, -1);
        if (nsteps < 1 || nsteps > PICK_MAX_STEPS)
            return luaL_error(L, "json.fields: path %d has %d steps (1 to %d)", (int)i, (int)nsteps,
                              PICK_MAX_STEPS);
        for (lua_Integer j = 1; j <= nsteps; j++) {
            int t = lua_rawgeti(L, -1, j);
            if (t == LUA_TSTRING)
                bytes += lua_rawlen(L, -1);
            else if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1)
                return luaL_error(L,
                                  "json.fields: path %d, step %d: a name (string) or a position "
                                  "(integer from 1) expected",
                                  (int)i, (int)j);
            lua_pop(L, 1);
        }
        nodes += (size_t)nsteps;
        lua_pop(L, 1);
    }
    pick_fields_t *f = lua_newuserdatauv(L, sizeof *f + nodes * sizeof(pick_node_t) + bytes, 0);
    char *names = (char *)&f->nodes[nodes];
    int nnodes = 1;
    f->nslots = (int)npaths;
    f->nodes[0] = (pick_node_t){.child = -1, .sibling = -1, .slot = -1};
    for (lua_Integer i = 1; i <= npaths; i++) {
        lua_rawgeti(L, 1, i);
        lua_Integer nsteps = (lua_Integer)lua_rawlen(L, -1);
        int at = 0;
        uint64_t bit = (uint64_t)1 << (i - 1);
        f->nodes[0].under |= bit;
        for (lua_Integer j = 1; j <= nsteps; j++) {
            lua_rawgeti(L, -1, j);
            if (f->nodes[at].slot >= 0)
                return luaL_error(L, "json.fields: path %d starts with path %d", (int)i,
                                  f->nodes[at].slot + 1);
            size_t klen = 0;
            const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tolstring(L, -1, &klen) : NULL;
            lua_Integer index = key ? 0 : lua_tointeger(L, -1);
            const pick_node_t *step = pick_child(f, &f->nodes[at], key, klen, index);
            int c = step ? (int)(step - f->nodes) : -1;
            if (c < 0) { /* a new step: the first child from now on */
                c = nnodes++;
                f->nodes[c] = (pick_node_t){.klen = klen,
                                            .index = index,
                                            .child = -1,
                                            .sibling = f->nodes[at].child,
                                            .slot = -1};
                if (key) {
                    memcpy(names, key, klen);
                    f->nodes[c].key = names;
                    names += klen;
                }
                f->nodes[at].child = c;
            }
            at = c;
            f->nodes[at].under |= bit;
            lua_pop(L, 1);
        }
        if (f->nodes[at].slot >= 0)
            return luaL_error(L, "json.fields: path %d repeats path %d", (int)i,
                              f->nodes[at].slot + 1);
        if (f->nodes[at].child >= 0)
            return luaL_error(L, "json.fields: path %d is the start of an earlier path", (int)i);
        f->nodes[at].slot = (int)i - 1;
        lua_pop(L, 1);
    }
    luaL_setmetatable(L, "json.fields");
    return 1;
}

typedef struct picker {
    lua_State *L;
    const pick_fields_t *f;
    int base;                   /* the stack index of field 1's value */
    const pick_node_t *pending; /* the node of the member whose name was just read, or NULL */
    int skip;                   /* how deep inside a container that no path enters */
    int depth;                  /* containers open on the paths */
    struct {
        const pick_node_t *node;
        lua_Integer index; /* elements seen so far, in an array */
        int is_array;
    } open[PICK_MAX_STEPS];
    int capturing; /* decoding the container at a path's end into field `slot` */
    int slot;
    uint64_t found; /* the fields that hold a value, a bit each */
    decoder_t dec;
} picker_t;

/* The value on top of the stack is field `slot`'s. */
static void pick_found(picker_t *p, int slot)
{
    lua_replace(p->L, p->base + slot);
    p->found |= (uint64_t)1 << slot;
}

/* Forgets the values found under node n (a member named again: its last copy counts). */
static void pick_forget(picker_t *p, const pick_node_t *n)
{
    uint64_t lost = p->found & n->under;
    p->found &= ~lost;
    for (int slot = 0; lost; slot++, lost >>= 1) {
        if (lost & 1) {
            lua_pushnil(p->L);
            lua_replace(p->L, p->base + slot);
        }
    }
}

/* The node of the value that starts now, or NULL when no path leads through it. */
static const pick_node_t *pick_at(picker_t *p)
{
    if (p->depth == 0) return &p->f->nodes[0];
    if (!p->open[p->depth - 1].is_array) {
        const pick_node_t *n = p->pending;
        p->pending = NULL;
        return n;
    }
    lua_Integer index = ++p->open[p->depth - 1].index;
    return pick_child(p->f, p->open[p->depth - 1].node, NULL, 0, index);
}

/* Is the scalar value that starts now wanted? Inside a captured container it is (the decoder's
 * callback stores it there); elsewhere when its node ends a path: then *slot is that field, and
 * the decoder's callback, at the decoder's depth 0, leaves the value on the stack for pick_keep. */
static int pick_wants(picker_t *p, int *slot)
{
    *slot = -1;
    if (p->capturing) return 1;
    if (p->skip) return 0;
    const pick_node_t *n = pick_at(p);
    if (!n || n->slot < 0) return 0;
    *slot = n->slot;
    return 1;
}

static int pick_keep(picker_t *p, int slot, int rc)
{
    if (slot >= 0) pick_found(p, slot);
    return rc;
}

static int pick_null(void *ud)
{
    picker_t *p = ud;
    int slot;
    return pick_wants(p, &slot) ? pick_keep(p, slot, dec_null(&p->dec)) : 0;
}
static int pick_bool(void *ud, int v)
{
    picker_t *p = ud;
    int slot;
    return pick_wants(p, &slot) ? pick_keep(p, slot, dec_bool(&p->dec, v)) : 0;
}
static int pick_integer(void *ud, long long v)
{
    picker_t *p = ud;
    int slot;
    return pick_wants(p, &slot) ? pick_keep(p, slot, dec_integer(&p->dec, v)) : 0;
}
static int pick_double(void *ud, double v)
{
    picker_t *p = ud;
    int slot;
    return pick_wants(p, &slot) ? pick_keep(p, slot, dec_double(&p->dec, v)) : 0;
}
static int pick_string(void *ud, const char *s, size_t len)
{
    picker_t *p = ud;
    int slot;
    return pick_wants(p, &slot) ? pick_keep(p, slot, dec_string(&p->dec, s, len)) : 0;
}

static int pick_begin(picker_t *p, int is_array, size_t count)
{
    if (p->capturing) return dec_begin(&p->dec, is_array, count);
    if (p->skip) {
        p->skip++;
        return 0;
    }
    const pick_node_t *n = pick_at(p);
    if (!n) {
        p->skip = 1;
    } else if (n->slot >= 0) {
        p->capturing = 1;
        p->slot = n->slot;
        return dec_begin(&p->dec, is_array, count);
    } else { /* a step on the way (never deeper than a path: only paths' steps open here) */
        p->open[p->depth].node = n;
        p->open[p->depth].index = 0;
        p->open[p->depth].is_array = is_array;
        p->depth++;
    }
    return 0;
}

static int pick_begin_array(void *ud, size_t count)
{
    return pick_begin(ud, 1, count);
}
static int pick_begin_object(void *ud, size_t members)
{
    return pick_begin(ud, 0, members);
}

static int pick_key(void *ud, const char *s, size_t len)
{
    picker_t *p = ud;
    if (p->capturing) return dec_key(&p->dec, s, len);
    if (p->skip) return 0;
    p->pending = pick_child(p->f, p->open[p->depth - 1].node, s, len, 0);
    if (p->pending) pick_forget(p, p->pending);
    return 0;
}

static int pick_end(void *ud, size_t n)
{
    picker_t *p = ud;
    if (p->capturing) {
        dec_end(&p->dec, n);
        if (p->dec.depth == 0) { /* the whole value is decoded: it is the field's */
            pick_found(p, p->slot);
            p->capturing = 0;
        }
    } else if (p->skip) {
        p->skip--;
    } else {
        p->depth--;
    }
    return 0;
}

static const json_sax_t PICK_SAX = {
    .on_null = pick_null,
    .on_bool = pick_bool,
    .on_integer = pick_integer,
    .on_double = pick_double,
    .on_string = pick_string,
    .on_begin_object = pick_begin_object,
    .on_key = pick_key,
    .on_end_object = pick_end,
    .on_begin_array = pick_begin_array,
    .on_end_array = pick_end,
};

static int l_pick(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    const pick_fields_t *f = luaL_checkudata(L, 2, "json.fields");
    int max_depth = (int)host_opt_integer(L, 3, "max_depth", JSON_DEFAULT_MAX_DEPTH);
    lua_settop(L, 2);
    luaL_checkstack(L, f->nslots + 1, "json.pick");
    lua_pushboolean(L, 1);
    picker_t p = {.L = L, .f = f, .base = lua_gettop(L) + 1};
    for (int i = 0; i < f->nslots; i++)
        lua_pushnil(L);
    p.dec = (decoder_t){.L = L};
    json_scratch_t *sc = scratch(L);
    json_parser_t own, *parser = parser_take(sc, &own);
    json_error_t err;
    int rc = dec_parse(&p.dec, parser, s, len, &PICK_SAX, &p, max_depth, &err);
    parser_give(sc, parser);
    if (rc != JSON_OK) {
        lua_settop(L, 2);
        return push_parse_error(L, &err);
    }
    return f->nslots + 1;
}

/* ---- encode ------------------------------------------------------------------------------- */

typedef struct encoder {
    lua_State *L;
    buf_t out;
    int indent;
    int max_depth;
    buf_t err;
    /* Path to the value being written, for error messages: one entry per level, set on the way
     * down before anything below it can fail (so it needs no zeroing). */
    struct {
        const char *key; /* NULL for an array index */
        size_t keylen;
        lua_Integer index;
    } path[64];
} encoder_t;

static int enc_fail(encoder_t *e, int depth, const char *what)
{
    buf_reset(&e->err);
    buf_puts(&e->err, what);
    buf_puts(&e->err, " at $");
    for (int i = 0; i < depth && i < 64; i++) {
        if (e->path[i].key)
            buf_printf(&e->err, ".%.*s", (int)e->path[i].keylen, e->path[i].key);
        else
            buf_printf(&e->err, "[%lld]", (long long)e->path[i].index);
    }
    if (depth > 64) buf_puts(&e->err, "...");
    return -1;
}

static void enc_newline(encoder_t *e, int depth)
{
    if (!e->indent) return;
    buf_putc(&e->out, '\n');
    for (int i = 0; i < depth * e->indent; i++)
        buf_putc(&e->out, ' ');
}

static int enc_value(encoder_t *e, int idx, int depth);

typedef struct keyent {
    const char *s;
    size_t len;
    int at; /* the key's copy on the Lua stack; 0: none (past the first ENC_SMALL_OBJECT) */
} keyent_t;

/* The first this many keys of an object are gathered in an array on the C stack, each with a copy
 * on the Lua stack to look its value up with (no string made again); a bigger object's array
 * moves to the heap and its later keys are made again from their bytes. */
#define ENC_SMALL_OBJECT 32

/* Byte order, shorter first on a common prefix (Lua strings may hold NULs). */
static int cmp_keys(const void *a, const void *b)
{
    const keyent_t *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Keys in byte order: insertion sort for the few keys of most objects (no call per comparison),
 * qsort beyond. Keys are distinct, so both give the one order. */
static void sort_keys(keyent_t *keys, size_t n)
{
    if (n > 16) {
        qsort(keys, n, sizeof *keys, cmp_keys);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        keyent_t k = keys[i];
        size_t j = i;
        while (j > 0 && cmp_keys(&keys[j - 1], &k) > 0) {
            keys[j] = keys[j - 1];
            j--;
        }
        keys[j] = k;
    }
}

/* Is the table at idx marked a JSON object (json.object, or decoded from one)? */
static int marked_object(lua_State *L, int idx)
{
    if (!lua_getmetatable(L, idx)) return 0;
    lua_rawgetp(L, LUA_REGISTRYINDEX, &OBJECT_MT);
    int is_obj = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return is_obj;
}

static int enc_array(encoder_t *e, int idx, int depth, lua_Integer n)
{
    lua_State *L = e->L;
    buf_putc(&e->out, '[');
    for (lua_Integer i = 1; i <= n; i++) {
        if (i > 1) buf_putc(&e->out, ',');
        enc_newline(e, depth + 1);
        if (depth < 64) {
            e->path[depth].key = NULL;
            e->path[depth].index = i - 1;
        }
        lua_rawgeti(L, idx, i);
        int rc = enc_value(e, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
        if (rc) return rc;
    }
    if (n) enc_newline(e, depth);
    buf_putc(&e->out, ']');
    return 0;
}

static int enc_object(encoder_t *e, int idx, int depth, keyent_t *keys, size_t count)
{
    lua_State *L = e->L;
    sort_keys(keys, count);
    buf_putc(&e->out, '{');
    for (size_t i = 0; i < count; i++) {
        if (i) buf_putc(&e->out, ',');
        enc_newline(e, depth + 1);
        if (depth < 64) {
            e->path[depth].key = keys[i].s;
            e->path[depth].keylen = keys[i].len;
        }
        if (json_write_string(&e->out, keys[i].s, keys[i].len) != 0)
            return enc_fail(e, depth + 1, "a key that is not valid UTF-8");
        buf_puts(&e->out, e->indent ? ": " : ":");
        if (keys[i].at)
            lua_pushvalue(L, keys[i].at);
        else
            lua_pushlstring(L, keys[i].s, keys[i].len);
        lua_rawget(L, idx);
        int rc = enc_value(e, lua_gettop(L), depth + 1);
        lua_pop(L, 1);
        if (rc) return rc;
    }
    if (count) enc_newline(e, depth);
    buf_putc(&e->out, '}');
    return 0;
}

/* A table is an array (keys 1..n, no holes), an object (string keys; an empty one only when
 * marked), or an error (mixed or sparse keys, or a marked object with a non-string key). One walk
 * over its keys tells which and gathers an object's keys; the keys stay alive because the table
 * holds them. */
static int enc_table(encoder_t *e, int idx, int depth)
{
    lua_State *L = e->L;
    if (depth >= e->max_depth) return enc_fail(e, depth, "a table nested too deep (a cycle?)");
    if (!lua_checkstack(L, ENC_SMALL_OBJECT + 8)) return enc_fail(e, depth, "out of Lua stack");
    int is_obj = marked_object(L, idx);
    keyent_t small[ENC_SMALL_OBJECT], *keys = small;
    size_t cap = ENC_SMALL_OBJECT, count = 0;
    lua_Integer ints = 0, max = 0;
    const char *bad = NULL;
    int base = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        lua_pop(L, 1);
        if (lua_type(L, -1) == LUA_TSTRING) {
            if (count == cap) { /* as dec_begin grows its frames */
                keyent_t *grown = keys == small ? malloc(2 * cap * sizeof *keys)
                                                : realloc(keys, 2 * cap * sizeof *keys);
                if (!grown) {
                    bad = "out of memory";
                    break;
                }
                if (keys == small) memcpy(grown, small, sizeof small);
                keys = grown;
                cap *= 2;
            }
            keys[count].s = lua_tolstring(L, -1, &keys[count].len);
            keys[count].at = 0;
            /* the first keys stay below, kept for the look-up; lua_next goes on from a copy */
            if (count < ENC_SMALL_OBJECT) {
                keys[count].at = lua_gettop(L);
                lua_pushvalue(L, -1);
            }
            count++;
        } else if (!is_obj && lua_isinteger(L, -1) && lua_tointeger(L, -1) >= 1) {
            ints++;
            if (lua_tointeger(L, -1) > max) max = lua_tointeger(L, -1);
        } else {
            bad = is_obj ? "an object with a non-string key"
                         : "a table key that is neither a string nor a positive integer";
            break;
        }
    }
    int rc;
    if (bad)
        rc = enc_fail(e, depth, bad);
    else if (count && ints)
        rc = enc_fail(e, depth, "a table with both string and integer keys");
    else if (ints && max != ints)
        rc = enc_fail(e, depth, "a sparse array (it has holes)");
    else if (count || is_obj)
        rc = enc_object(e, idx, depth, keys, count);
    else
        rc = enc_array(e, idx, depth, ints);
    lua_settop(L, base);
    if (keys != small) free(keys);
    return rc;
}

static int enc_value(encoder_t *e, int idx, int depth)
{
    lua_State *L = e->L;
    switch (lua_type(L, idx)) {
    case LUA_TNIL:
        buf_puts(&e->out, "null");
        return 0;
    case LUA_TBOOLEAN:
        buf_puts(&e->out, lua_toboolean(L, idx) ? "true" : "false");
        return 0;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx)) {
            json_write_integer(&e->out, (long long)lua_tointeger(L, idx));
            return 0;
        }
        if (json_write_double(&e->out, (double)lua_tonumber(L, idx)) != 0)
            return enc_fail(e, depth, "NaN or infinity (JSON has no such number)");
        return 0;
    case LUA_TSTRING: {
        size_t len;
        const char *s = lua_tolstring(L, idx, &len);
        if (json_write_string(&e->out, s, len) != 0)
            return enc_fail(e, depth, "a string that is not valid UTF-8");
        return 0;
    }
    case LUA_TLIGHTUSERDATA:
        if (lua_touserdata(L, idx) == NULL) {
            buf_puts(&e->out, "null");
            return 0;
        }
        break;
    case LUA_TUSERDATA:
        if (lua_getmetatable(L, idx)) {
            lua_rawgetp(L, LUA_REGISTRYINDEX, &ENCODED_MT);
            int is_encoded = lua_rawequal(L, -1, -2);
            lua_pop(L, 2);
            if (is_encoded) {
                size_t len;
                lua_getiuservalue(L, idx, 1);
                const char *s = lua_tolstring(L, -1, &len);
                buf_append(&e->out, s, len);
                lua_pop(L, 1);
                return 0;
            }
        }
        break;
    case LUA_TTABLE:
        return enc_table(e, idx, depth);
    default:
        break;
    }
    buf_t what;
    buf_init(&what);
    buf_printf(&what, "a %s (JSON cannot hold it)", luaL_typename(L, idx));
    enc_fail(e, depth, buf_cstr(&what));
    buf_free(&what);
    return -1;
}

int bind_json_encode(lua_State *L, int idx, int indent, buf_t *out, buf_t *err)
{
    encoder_t e;
    e.L = L;
    e.indent = indent;
    e.max_depth = ENCODE_DEFAULT_MAX_DEPTH;
    e.out = *out;
    e.err = *err;
    int rc = enc_value(&e, lua_absindex(L, idx), 0);
    *out = e.out;
    *err = e.err;
    return rc;
}

static int l_encode(lua_State *L)
{
    luaL_checkany(L, 1);
    int indent = (int)host_opt_integer(L, 2, "indent", 0);
    luaL_argcheck(L, indent >= 0 && indent <= 16, 2, "indent must be 0..16");
    json_scratch_t *sc = scratch(L);
    buf_t own, err, *out = out_take(sc, &own);
    buf_init(&err);
    int rc = bind_json_encode(L, 1, indent, out, &err);
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "json.encode: cannot write %s", buf_cstr(&err));
    } else {
        lua_pushlstring(L, buf_cstr(out), out->len);
    }
    out_give(sc, out);
    buf_free(&err);
    return rc ? 2 : 1;
}

/* encoded(value) -> a json.encoded value holding value's JSON (compact): json.encode and the JSONL
 * writers copy that text where the value stands, so a big value that goes into several documents
 * (a request's messages: into its cache key and into its body) is encoded once. The text comes
 * from encode, so it is always valid JSON. */
static int l_encoded(lua_State *L)
{
    luaL_checkany(L, 1);
    json_scratch_t *sc = scratch(L);
    buf_t own, err, *out = out_take(sc, &own);
    buf_init(&err);
    int rc = bind_json_encode(L, 1, 0, out, &err);
    if (rc != 0) {
        lua_pushnil(L);
        lua_pushfstring(L, "json.encoded: cannot write %s", buf_cstr(&err));
    } else {
        lua_newuserdatauv(L, 0, 1);
        lua_pushlstring(L, buf_cstr(out), out->len);
        lua_setiuservalue(L, -2, 1);
        lua_rawgetp(L, LUA_REGISTRYINDEX, &ENCODED_MT);
        lua_setmetatable(L, -2);
    }
    out_give(sc, out);
    buf_free(&err);
    return rc ? 2 : 1;
}

/* tostring(encoded value) -> its JSON */
static int l_encoded_tostring(lua_State *L)
{
    lua_getiuservalue(L, 1, 1);
    return 1;
}

static int mark(lua_State *L, const void *key)
{
    if (lua_isnoneornil(L, 1)) {
        lua_settop(L, 0);
        lua_newtable(L);
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_rawgetp(L, LUA_REGISTRYINDEX, key);
    lua_setmetatable(L, 1);
    return 1;
}

static int l_array(lua_State *L)
{
    return mark(L, &ARRAY_MT);
}
static int l_object(lua_State *L)
{
    return mark(L, &OBJECT_MT);
}

/* keys(t) -> the keys of a decoded top-level object in the order of the text (each once), or nil
 * for any other table (nested objects, tables built in Lua). */
static int l_keys(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &KEY_ORDER);
    lua_pushvalue(L, 1);
    lua_rawget(L, -2);
    return 1;
}

static int l_is_array(lua_State *L)
{
    int yes = 0;
    if (lua_getmetatable(L, 1)) {
        lua_rawgetp(L, LUA_REGISTRYINDEX, &ARRAY_MT);
        yes = lua_rawequal(L, -1, -2);
    }
    lua_pushboolean(L, yes);
    return 1;
}

void bind_json_init_marks(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &ARRAY_MT);
    int have = !lua_isnil(L, -1);
    lua_pop(L, 1);
    if (have) return;
    lua_newtable(L);
    lua_pushliteral(L, "json.array");
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ARRAY_MT);
    lua_newtable(L);
    lua_pushliteral(L, "json.object");
    lua_setfield(L, -2, "__name");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &OBJECT_MT);
    lua_newtable(L); /* weak keys: a list lives as long as its object */
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &KEY_ORDER);
    lua_createtable(L, 0, 2);
    lua_pushliteral(L, "json.encoded");
    lua_setfield(L, -2, "__name");
    lua_pushcfunction(L, l_encoded_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_rawsetp(L, LUA_REGISTRYINDEX, &ENCODED_MT);
    luaL_newmetatable(L, "json.fields"); /* json.fields' compiled paths (json.pick) */
    lua_pop(L, 1);
}

int luaopen_ratio_core_json(lua_State *L)
{
    static const luaL_Reg with_scratch[] = {{"decode", l_decode},
                                            {"pick", l_pick},
                                            {"encode", l_encode},
                                            {"encoded", l_encoded},
                                            {NULL, NULL}};
    static const luaL_Reg fns[] = {{"array", l_array},   {"fields", l_fields},
                                   {"object", l_object}, {"is_array", l_is_array},
                                   {"keys", l_keys},     {NULL, NULL}};
    bind_json_init_marks(L);
    luaL_newlib(L, fns);
    json_scratch_t *sc = lua_newuserdatauv(L, sizeof *sc, 0);
    memset(sc, 0, sizeof *sc);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, scratch_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
    luaL_setfuncs(L, with_scratch, 1);
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    return 1;
}
