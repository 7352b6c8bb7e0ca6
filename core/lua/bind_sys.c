/* ratio.core.sys: the few operating-system facts the Lua library needs and Lua lacks. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <lauxlib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#include "lua/bind_json.h"
#include "lua/bindings.h"
#include "util/sha256.h"

/* Where the real stdout went after redirect_stdout (-1: not redirected). Process-wide by nature. */
static int saved_stdout = -1;

static int push_errno(lua_State *L, const char *what)
{
    int e = errno;
    lua_pushnil(L);
    lua_pushfstring(L, "%s: %s", what, strerror(e));
    lua_pushinteger(L, e);
    return 3;
}

static int l_isatty(lua_State *L)
{
    lua_pushboolean(L, isatty((int)luaL_checkinteger(L, 1)));
    return 1;
}

/* redirect_stdout(): from now on fd 1 (print, io.write, C stdio) goes to stderr; the real stdout
 * is kept for write_stdout. This is how --json keeps stdout for the summary alone. */
static int l_redirect_stdout(lua_State *L)
{
    if (saved_stdout < 0) {
        fflush(stdout);
        saved_stdout = dup(STDOUT_FILENO);
        if (saved_stdout < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
            return push_errno(L, "redirect stdout");
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* write_stdout(s): writes s to the real stdout, whole, retrying short writes. */
static int l_write_stdout(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    fflush(stdout);
    int fd = saved_stdout >= 0 ? saved_stdout : STDOUT_FILENO;
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return push_errno(L, "write stdout");
        }
        s += n;
        len -= (size_t)n;
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* stat(path) -> kind ("file"|"directory"|"other"), size | nil, message, errno */
static int l_stat(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    struct stat st;
    if (stat(path, &st) != 0) return push_errno(L, path);
    lua_pushstring(L, S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "directory" : "other");
    lua_pushinteger(L, (lua_Integer)st.st_size);
    return 2;
}

/* mkdir_p(path) -> true | nil, message: creates path and its missing parents. */
static int l_mkdir_p(lua_State *L)
{
    size_t len;
    const char *path = luaL_checklstring(L, 1, &len);
    if (len == 0 || len >= PATH_MAX) return luaL_argerror(L, 1, "bad path length");
    char tmp[PATH_MAX];
    memcpy(tmp, path, len + 1);
    for (char *p = tmp + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(tmp, 0777) != 0 && errno != EEXIST) return push_errno(L, tmp);
            *p = c;
            if (c == '\0') break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0) return push_errno(L, path);
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return push_errno(L, path);
    }
    lua_pushboolean(L, 1);
    return 1;
}

static int l_realpath(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    char out[PATH_MAX];
    if (!realpath(path, out)) return push_errno(L, path);
    lua_pushstring(L, out);
    return 1;
}

static int l_getpid(lua_State *L)
{
    lua_pushinteger(L, (lua_Integer)getpid());
    return 1;
}

/* wall_ms() -> milliseconds since the Unix epoch (CLOCK_REALTIME), to order runs started within
 * the same second. */
static int l_wall_ms(lua_State *L)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    lua_pushinteger(L, (lua_Integer)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    return 1;
}

/* listdir(path) -> {names...} sorted, without "." and ".." | nil, message, errno */
static int l_listdir(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    DIR *d = opendir(path);
    if (!d) return push_errno(L, path);
    lua_newtable(L);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        lua_pushstring(L, e->d_name);
        lua_rawseti(L, -2, ++n);
    }
    closedir(d);
    /* Sorted in Lua's own order (byte order), so listings are deterministic. */
    lua_getglobal(L, "table");
    lua_getfield(L, -1, "sort");
    lua_pushvalue(L, -3);
    lua_call(L, 1, 0);
    lua_pop(L, 1);
    return 1;
}

/* symlink(target, path) -> true | nil, message: makes path a symlink to target, replacing an
 * existing symlink at path atomically (a reader sees the old link or the new one). */
static int l_symlink(lua_State *L)
{
    const char *target = luaL_checkstring(L, 1);
    const char *path = luaL_checkstring(L, 2);
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return luaL_argerror(L, 2, "path too long");
    unlink(tmp);
    if (symlink(target, tmp) != 0) return push_errno(L, tmp);
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISLNK(st.st_mode)) {
        unlink(tmp);
        errno = EEXIST;
        return push_errno(L, path); /* never replace a real file or folder */
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return push_errno(L, path);
    }
    lua_pushboolean(L, 1);
    return 1;
}

/* readlink(path) -> target | nil, message, errno */
static int l_readlink(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    char out[PATH_MAX];
    ssize_t n = readlink(path, out, sizeof out - 1);
    if (n < 0) return push_errno(L, path);
    out[n] = '\0';
    lua_pushstring(L, out);
    return 1;
}

/* read_file(path) -> the file's bytes | nil, "path: reason" */
static int l_read_file(lua_State *L)
{
    const char *path = luaL_checkstring(L, 1);
    FILE *f = fopen(path, "rb");
    if (!f) return push_errno(L, path);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    size_t n;
    do {
        char *p = luaL_prepbuffer(&b);
        n = fread(p, 1, LUAL_BUFFERSIZE, f);
        luaL_addsize(&b, n);
    } while (n == LUAL_BUFFERSIZE);
    int failed = ferror(f);
    int saved = errno;
    fclose(f);
    if (failed) {
        errno = saved;
        return push_errno(L, path);
    }
    luaL_pushresult(&b);
    return 1;
}

/* pid_alive(pid) -> true when a process with that id exists (kill(pid, 0) succeeds or EPERM) */
static int l_pid_alive(lua_State *L)
{
    lua_Integer pid = luaL_checkinteger(L, 1);
    lua_pushboolean(L, pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM));
    return 1;
}

/* The digest of the pieces at 1..top, whose concatenation is not made (a cache key hashes a 2 KB
 * request from its parts). A piece is a string, a number, a value with __tostring (a json.encoded
 * value: its JSON), or a table, which counts as its compact JSON (json.encode's text): written into
 * a buffer of this call's, not into a Lua string that would live on until the collector frees it.
 */
#define SHA256_MAX_PIECES 16
typedef int (*hash_parts_fn)(size_t n, const void *const *data, const size_t *len,
                             unsigned char *out);

/* XXH3's 128-bit hash (libxxhash), in its canonical (big-endian) bytes. */
#define XXH128_LEN 16
static int xxh128_fn(size_t n, const void *const *data, const size_t *len, unsigned char *out)
{
    XXH3_state_t st;
    XXH3_INITSTATE(&st);
    if (XXH3_128bits_reset(&st) != XXH_OK) return -1;
    for (size_t i = 0; i < n; i++)
        if (XXH3_128bits_update(&st, data[i], len[i]) != XXH_OK) return -1;
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits_digest(&st));
    memcpy(out, c.digest, XXH128_LEN);
    return 0;
}

static void digest_args(lua_State *L, const char *what, hash_parts_fn hash, unsigned char *md)
{
    int n = lua_gettop(L);
    luaL_argcheck(L, n >= 1, 1, "string expected, got no value");
    luaL_argcheck(L, n <= SHA256_MAX_PIECES, SHA256_MAX_PIECES + 1, "too many pieces");
    const void *data[SHA256_MAX_PIECES];
    size_t len[SHA256_MAX_PIECES], at[SHA256_MAX_PIECES];
    /* every table piece's JSON, one after the other; sized for what the last call's took (a
     * client's requests are much alike) */
    static _Thread_local size_t last_len = 0;
    buf_t json, err;
    buf_init_like(&json, last_len);
    buf_init(&err);
    int bad = 0;
    for (int i = 1; i <= n && !bad; i++) {
        int t = lua_type(L, i);
        data[i - 1] = NULL;
        if (t == LUA_TSTRING || t == LUA_TNUMBER) {
            data[i - 1] = lua_tolstring(L, i, &len[i - 1]);
        } else if (t == LUA_TTABLE) {
            at[i - 1] = json.len; /* (data is set once the buffer stops moving) */
            if (bind_json_encode(L, i, 0, &json, &err) != 0) bad = i;
            len[i - 1] = json.len - at[i - 1];
        } else if (luaL_getmetafield(L, i, "__tostring") != LUA_TNIL) {
            lua_pop(L, 1);
            data[i - 1] = luaL_tolstring(L, i, &len[i - 1]); /* stays on the stack */
        } else {
            bad = -i;
        }
    }
    for (int i = 1; i <= n && !bad; i++)
        if (lua_type(L, i) == LUA_TTABLE) data[i - 1] = json.data + at[i - 1];
    int failed = !bad && hash((size_t)n, data, len, md) != 0;
    last_len = json.len;
    buf_free(&json);
    if (bad > 0) {
        lua_pushfstring(L, "%s: piece %d: cannot write %s", what, bad, buf_cstr(&err));
        buf_free(&err);
        lua_error(L);
    }
    buf_free(&err);
    if (bad < 0) luaL_typeerror(L, -bad, "string");
    if (failed) luaL_error(L, "%s: the hash failed", what);
}

/* sha256(s, ...) -> 64 lowercase hex digits: the digest of the pieces' concatenation. */
static int l_sha256(lua_State *L)
{
    unsigned char md[SHA256_LEN];
    char hex[SHA256_HEX_LEN + 1];
    digest_args(L, "sha256", sha256_parts, md);
    sha256_to_hex(md, SHA256_LEN, hex);
    lua_pushlstring(L, hex, SHA256_HEX_LEN);
    return 1;
}

/* sha256_raw(s, ...) -> the same digest as 32 bytes: a short string, so a table keyed by digests
 * compares keys by identity rather than byte by byte. */
static int l_sha256_raw(lua_State *L)
{
    unsigned char md[SHA256_LEN];
    digest_args(L, "sha256", sha256_parts, md);
    lua_pushlstring(L, (const char *)md, SHA256_LEN);
    return 1;
}

/* xxh128(s, ...) -> XXH3's 128-bit hash of the pieces' concatenation (pieces as sha256 takes
 * them), 16 bytes: some twenty times cheaper than SHA-256 on a 2 KB request, and no defence
 * against collisions made on purpose, so only for keys whose matches are checked (the LLM
 * client's single flight when no cache needs the SHA-256). */
static int l_xxh128(lua_State *L)
{
    unsigned char md[XXH128_LEN];
    digest_args(L, "xxh128", xxh128_fn, md);
    lua_pushlstring(L, (const char *)md, XXH128_LEN);
    return 1;
}

/* hex(s) -> s's bytes as lowercase hex digits (hex(sha256_raw(...)) == sha256(...)). */
static int l_hex(lua_State *L)
{
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    luaL_Buffer b;
    char *out = luaL_buffinitsize(L, &b, 2 * len + 1);
    sha256_to_hex((const unsigned char *)s, len, out);
    luaL_pushresultsize(&b, 2 * len);
    return 1;
}

int luaopen_ratio_core_sys(lua_State *L)
{
    static const luaL_Reg fns[] = {{"isatty", l_isatty},
                                   {"redirect_stdout", l_redirect_stdout},
                                   {"write_stdout", l_write_stdout},
                                   {"stat", l_stat},
                                   {"mkdir_p", l_mkdir_p},
                                   {"realpath", l_realpath},
                                   {"getpid", l_getpid},
                                   {"wall_ms", l_wall_ms},
                                   {"listdir", l_listdir},
                                   {"symlink", l_symlink},
                                   {"readlink", l_readlink},
                                   {"read_file", l_read_file},
                                   {"pid_alive", l_pid_alive},
                                   {"sha256", l_sha256},
                                   {"sha256_raw", l_sha256_raw},
                                   {"xxh128", l_xxh128},
                                   {"hex", l_hex},
                                   {NULL, NULL}};
    luaL_newlib(L, fns);
    return 1;
}
