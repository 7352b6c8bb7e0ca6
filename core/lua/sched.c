/* The coroutine scheduler: see sched.h for the contract. */
#define _GNU_SOURCE
#include "lua/sched.h"

#include <lauxlib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

enum { TASK_QUEUED, TASK_RUNNING, TASK_SUSPENDED };

struct sched_task {
    sched_t *s;
    lua_State *co;
    int ref; /* registry ref: a bare lua_State* does not keep the thread alive */
    int state;
    int nargs;                   /* values waiting on co's stack for the next resume */
    int c_wait;                  /* suspended by a C primitive, which alone may wake it */
    struct sleep_timer *timeout; /* armed by suspend(ms): wakes the task with false */
    sched_task_t *next_ready;
    sched_task_t *prev, *next; /* every live task, so shutdown can free them all */
};

struct sched {
    lua_State *L;
    uv_loop_t *loop;
    uv_idle_t idle;
    int idle_active;
    int stopping;
    int exit_code;
    buf_t message;
    size_t alive;
    sched_task_t *ready_head, *ready_tail;
    size_t ready_count;
    /* The pass now running (see on_uv_idle): the task being resumed, where the tasks it wakes are
     * queued (after the ones it woke before), how many more resumes the pass makes, and how many
     * more tasks it may still queue ahead of the line. */
    sched_task_t *running, *insert_after;
    size_t pass_left, pass_budget;
    sched_task_t *all;
    struct sleep_timer *sleepers; /* armed sleep timers, closed at shutdown */
    struct sig_watch *signals;    /* on_signal watchers, closed at shutdown */
};

/* A signal watcher: on each delivery a new task runs the registered function. */
typedef struct sig_watch {
    uv_signal_t handle;
    sched_t *s;
    int fn_ref;
    struct sig_watch *next;
} sig_watch_t;

/* A sleeping task's timer. It is malloc'd (libuv needs it until close_cb), not owned by Lua. */
typedef struct sleep_timer {
    uv_timer_t timer;
    sched_task_t *task;
    int is_timeout;       /* a suspend(ms) deadline rather than a sleep */
    uint64_t deadline_ns; /* uv_hrtime() at which it ends */
    struct sleep_timer *prev, *next;
} sleep_timer_t;

static const char SCHED_KEY = 'S';

/* The task pointer lives in the thread's extra space: new threads copy the main thread's (NULL),
 * so plain coroutines created by a recipe are never mistaken for tasks. */
static sched_task_t **task_slot(lua_State *L)
{
    return (sched_task_t **)lua_getextraspace(L);
}

sched_t *sched_get(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &SCHED_KEY);
    sched_t *s = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return s;
}

uv_loop_t *sched_loop(sched_t *s)
{
    return s->loop;
}
sched_task_t *sched_current(lua_State *L)
{
    return *task_slot(L);
}
lua_State *sched_task_state(sched_task_t *t)
{
    return t->co;
}
int sched_stopping(sched_t *s)
{
    return s->stopping;
}
int sched_exit_code(sched_t *s)
{
    return s->exit_code;
}
const char *sched_message(sched_t *s)
{
    return s->message.len ? s->message.data : NULL;
}
size_t sched_alive(sched_t *s)
{
    return s->alive;
}

sched_task_t *sched_check_task(lua_State *L, const char *what)
{
    sched_task_t *t = sched_current(L);
    if (!t)
        luaL_error(L,
                   "%s must be called inside a task (the recipe's main chunk, ratio.spawn or "
                   "ratio.map), not from a plain coroutine or at load time",
                   what);
    if (!lua_isyieldable(L))
        luaL_error(L,
                   "%s cannot wait here: the call is inside a metamethod, an iterator or a C "
                   "function that cannot yield (for example a table.sort comparator)",
                   what);
    return t;
}

int sched_suspend(lua_State *L)
{
    sched_current(L)->c_wait = 1;
    return lua_yield(L, 0);
}

static void on_uv_idle(uv_idle_t *h);

/* Tasks one task may queue ahead of the line in one pass, in all: enough for a request's fan-out
 * and its handler's wake, small enough that tasks waking each other in a ring cannot starve I/O. */
enum { PASS_BUDGET = 4096 };

/* Queues t. A task woken (or started) by the running task is queued right after it, behind only
 * the others that task woke, and runs in the same pass: work already under way finishes before
 * new I/O is taken in, so a request's rollouts start, and its handler resumes when they are done,
 * without waiting behind every completion the loop polled meanwhile. Everything else, and a task
 * requeuing itself (ratio.yield), goes to the back. */
static void ready_push(sched_t *s, sched_task_t *t)
{
    t->state = TASK_QUEUED;
    s->ready_count++;
    if (s->running && t != s->running && s->pass_budget > 0) {
        s->pass_budget--;
        s->pass_left++;
        if (s->insert_after) {
            t->next_ready = s->insert_after->next_ready;
            s->insert_after->next_ready = t;
        } else {
            t->next_ready = s->ready_head;
            s->ready_head = t;
        }
        if (!t->next_ready) s->ready_tail = t;
        s->insert_after = t;
        return;
    }
    t->next_ready = NULL;
    if (s->ready_tail)
        s->ready_tail->next_ready = t;
    else
        s->ready_head = t;
    s->ready_tail = t;
    if (!s->idle_active && !s->stopping) {
        uv_idle_start(&s->idle, on_uv_idle);
        s->idle_active = 1;
    }
}

void sched_wake(sched_task_t *t, int nargs)
{
    t->c_wait = 0;
    t->nargs = nargs;
    ready_push(t->s, t);
}

void sched_stop(sched_t *s, int code, const char *msg)
{
    if (!s->stopping) {
        s->stopping = 1;
        s->exit_code = code;
        if (msg) buf_puts(&s->message, msg);
    }
    if (s->idle_active) {
        uv_idle_stop(&s->idle);
        s->idle_active = 0;
    }
    uv_stop(s->loop);
}

static void task_free(sched_t *s, sched_task_t *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        s->all = t->next;
    if (t->next) t->next->prev = t->prev;
    *task_slot(t->co) = NULL;
    luaL_unref(s->L, LUA_REGISTRYINDEX, t->ref);
    s->alive--;
    free(t);
}

/* Resumes one queued task and handles how it stopped. */
static void task_resume(sched_t *s, sched_task_t *t)
{
    int nres = 0;
    t->state = TASK_RUNNING;
    int status = lua_resume(t->co, s->L, t->nargs, &nres);
    t->nargs = 0;
    if (status == LUA_YIELD) {
        lua_pop(t->co, nres);
        /* A wait primitive may already have queued the task again (a zero-length wait). */
        if (t->state == TASK_RUNNING) t->state = TASK_SUSPENDED;
        return;
    }
    if (status != LUA_OK) {
        /* Tasks made by the Lua library catch their own errors; reaching here means an error
         * escaped (a raw core task, an error in an error handler or out of memory). */
        const char *msg = lua_tostring(t->co, -1);
        luaL_traceback(s->L, t->co, msg ? msg : "(error object is not a string)", 0);
        sched_stop(s, 1, lua_tostring(s->L, -1));
        lua_pop(s->L, 1);
    }
    task_free(s, t);
}

static void on_uv_idle(uv_idle_t *h)
{
    sched_t *s = h->data;
    /* Run what was queued before this pass (plus what its tasks queue ahead of the line), so tasks
     * that keep waking each other cannot starve I/O: the loop polls between passes. */
    s->pass_left = s->ready_count;
    s->pass_budget = PASS_BUDGET;
    while (s->pass_left > 0 && s->ready_head && !s->stopping) {
        s->pass_left--;
        sched_task_t *t = s->ready_head;
        s->ready_head = t->next_ready;
        if (!s->ready_head) s->ready_tail = NULL;
        s->ready_count--;
        s->running = t;
        s->insert_after = NULL;
        task_resume(s, t);
    }
    s->running = s->insert_after = NULL;
    if (!s->ready_head && s->idle_active) {
        uv_idle_stop(&s->idle);
        s->idle_active = 0;
    }
}

sched_task_t *sched_start(lua_State *L, int nargs)
{
    sched_t *s = sched_get(L);
    if (s->stopping) return NULL;
    sched_task_t *t = calloc(1, sizeof *t);
    if (!t) luaL_error(L, "out of memory");
    lua_State *co = lua_newthread(L);
    t->ref = luaL_ref(L, LUA_REGISTRYINDEX); /* pops the thread */
    t->s = s;
    t->co = co;
    *task_slot(co) = t;
    lua_xmove(L, co, nargs + 1); /* fn, args... */
    t->next = s->all;
    if (s->all) s->all->prev = t;
    s->all = t;
    s->alive++;
    sched_wake(t, nargs);
    return t;
}

/* core.sched.start(fn [, ...]) -> thread: a new task that runs fn(...) once the caller yields. */
static int l_start(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TFUNCTION);
    int nargs = lua_gettop(L) - 1;
    sched_task_t *t = sched_start(L, nargs);
    if (!t) return luaL_error(L, "the run is stopping: no new tasks");
    lua_pushthread(t->co);
    lua_xmove(t->co, L, 1);
    return 1;
}

static sleep_timer_t *timer_arm(sched_t *s, sched_task_t *t, uint64_t ms, int is_timeout);
static void timer_cancel(sched_t *s, sleep_timer_t *st);

/* core.sched.suspend([ms]): wait until some Lua code calls core.sched.wake on this task, which
 * then returns wake's values; with ms, a wake that has not come after ms milliseconds makes
 * suspend return false instead. */
static int l_suspend(lua_State *L)
{
    sched_t *s = lua_touserdata(L, lua_upvalueindex(1));
    sched_task_t *t = sched_check_task(L, "suspend");
    if (!lua_isnoneornil(L, 1)) {
        lua_Number ms = luaL_checknumber(L, 1);
        luaL_argcheck(L, ms >= 0 && ms < 1e12, 1, "expected milliseconds >= 0");
        uint64_t whole = (uint64_t)ms;
        if ((lua_Number)whole < ms) whole++;
        t->timeout = timer_arm(s, t, whole, 1);
    }
    return lua_yield(L, 0);
}

/* core.sched.wake(thread, ...): resume a suspended task with the given values. */
static int l_wake(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTHREAD);
    lua_State *co = lua_tothread(L, 1);
    sched_task_t *t = *task_slot(co);
    if (!t) return luaL_argerror(L, 1, "not a task");
    if (t->state != TASK_SUSPENDED)
        return luaL_error(L, "wake: the task is %s, not waiting",
                          t->state == TASK_QUEUED ? "already woken" : "running");
    if (t->c_wait) return luaL_error(L, "wake: the task is waiting on I/O or a timer");
    int n = lua_gettop(L) - 1;
    if (!lua_checkstack(co, n + LUA_MINSTACK)) return luaL_error(L, "wake: stack overflow");
    if (t->timeout) {
        timer_cancel(t->s, t->timeout);
        t->timeout = NULL;
    }
    lua_xmove(L, co, n);
    sched_wake(t, n);
    return 0;
}

static void on_uv_sleep_closed(uv_handle_t *h)
{
    free(h->data);
}

static void sleeper_unlink(sched_t *s, sleep_timer_t *st)
{
    if (st->prev)
        st->prev->next = st->next;
    else
        s->sleepers = st->next;
    if (st->next) st->next->prev = st->prev;
}

static void on_uv_sleep(uv_timer_t *h)
{
    sleep_timer_t *st = h->data;
    /* libuv's timers run on its loop clock, which reads a coarse monotonic clock (up to a kernel
     * tick, ~4 ms, behind uv_hrtime) in whole milliseconds: the timer can fire before the time
     * asked has passed by ratio.now(). Then wait the rest, rounded up. */
    uint64_t now = uv_hrtime();
    if (now < st->deadline_ns) {
        uv_timer_start(h, on_uv_sleep, (st->deadline_ns - now + 999999) / 1000000, 0);
        return;
    }
    sched_task_t *t = st->task;
    sleeper_unlink(t->s, st);
    if (st->is_timeout) { /* suspend(ms) ran out: resume it with false */
        t->timeout = NULL;
        lua_pushboolean(t->co, 0);
        sched_wake(t, 1);
    } else {
        sched_wake(t, 0);
    }
    uv_close((uv_handle_t *)h, on_uv_sleep_closed);
}

/* Arms a one-shot timer that resumes t (a sleep, or a suspend deadline). */
static sleep_timer_t *timer_arm(sched_t *s, sched_task_t *t, uint64_t ms, int is_timeout)
{
    sleep_timer_t *st = malloc(sizeof *st);
    if (!st) abort(); /* as buf.c: out of memory is fatal */
    st->task = t;
    st->is_timeout = is_timeout;
    st->prev = NULL;
    st->next = s->sleepers;
    if (s->sleepers) s->sleepers->prev = st;
    s->sleepers = st;
    uv_timer_init(s->loop, &st->timer);
    st->timer.data = st;
    /* The loop's clock was read when this iteration began and a pass of tasks may have run since:
     * count from now; on_uv_sleep makes sure the time asked has passed by ratio.now(). */
    st->deadline_ns = uv_hrtime() + ms * 1000000;
    uv_update_time(s->loop);
    uv_timer_start(&st->timer, on_uv_sleep, ms, 0);
    return st;
}

static void timer_cancel(sched_t *s, sleep_timer_t *st)
{
    sleeper_unlink(s, st);
    uv_timer_stop(&st->timer);
    uv_close((uv_handle_t *)&st->timer, on_uv_sleep_closed);
}

/* core.sched.sleep(ms): suspend the task for at least ms milliseconds (0 = yield to others). */
static int l_sleep(lua_State *L)
{
    sched_t *s = lua_touserdata(L, lua_upvalueindex(1));
    lua_Number ms = luaL_checknumber(L, 1);
    luaL_argcheck(L, ms >= 0 && ms < 1e12, 1, "expected milliseconds >= 0");
    sched_task_t *t = sched_check_task(L, "ratio.sleep");
    if (ms == 0) {
        sched_wake(t, 0); /* queued behind everything already ready */
        return lua_yield(L, 0);
    }
    /* Round up so sleep(0.5) still waits; libuv timers count whole milliseconds. */
    uint64_t whole = (uint64_t)ms;
    if ((lua_Number)whole < ms) whole++;
    timer_arm(s, t, whole, 0);
    return sched_suspend(L);
}

static int l_current(lua_State *L)
{
    if (sched_current(L))
        lua_pushthread(L);
    else
        lua_pushnil(L);
    return 1;
}

/* core.sched.stop(code [, message]): end the run after this callback. */
static int l_stop(lua_State *L)
{
    sched_t *s = lua_touserdata(L, lua_upvalueindex(1));
    int code = (int)luaL_checkinteger(L, 1);
    sched_stop(s, code, luaL_optstring(L, 2, NULL));
    return 0;
}

/* core.sched.now() -> milliseconds from an arbitrary origin, monotonic, sub-ms resolution. */
static int l_now(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)uv_hrtime() / 1e6);
    return 1;
}

static int l_alive(lua_State *L)
{
    sched_t *s = lua_touserdata(L, lua_upvalueindex(1));
    lua_pushinteger(L, (lua_Integer)s->alive);
    return 1;
}

static void on_uv_signal_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_uv_signal(uv_signal_t *h, int signum)
{
    sig_watch_t *w = h->data;
    lua_State *L = w->s->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, w->fn_ref);
    lua_pushinteger(L, signum);
    if (!sched_start(L, 1)) lua_pop(L, 2);
}

/* core.sched.on_signal("SIGTERM"|"SIGINT"|"SIGHUP", fn): runs fn(signum) as a new task whenever
 * the signal arrives (instead of the default, which ends the process). The watcher does not keep
 * the loop alive by itself. */
static int l_on_signal(lua_State *L)
{
    sched_t *s = lua_touserdata(L, lua_upvalueindex(1));
    static const char *const names[] = {"SIGINT", "SIGTERM", "SIGHUP", NULL};
    static const int nums[] = {SIGINT, SIGTERM, SIGHUP};
    int which = luaL_checkoption(L, 1, NULL, names);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    sig_watch_t *w = calloc(1, sizeof *w);
    if (!w) return luaL_error(L, "out of memory");
    lua_pushvalue(L, 2);
    w->fn_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    w->s = s;
    uv_signal_init(s->loop, &w->handle);
    w->handle.data = w;
    int rc = uv_signal_start(&w->handle, on_uv_signal, nums[which]);
    if (rc != 0) {
        luaL_unref(L, LUA_REGISTRYINDEX, w->fn_ref);
        uv_close((uv_handle_t *)&w->handle, on_uv_signal_closed);
        return luaL_error(L, "on_signal: %s", uv_strerror(rc));
    }
    uv_unref((uv_handle_t *)&w->handle);
    w->next = s->signals;
    s->signals = w;
    return 0;
}

static int luaopen_sched(lua_State *L)
{
    static const luaL_Reg fns[] = {
        {"start", l_start}, {"suspend", l_suspend}, {"wake", l_wake},
        {"sleep", l_sleep}, {"current", l_current}, {"stop", l_stop},
        {"now", l_now},     {"alive", l_alive},     {"on_signal", l_on_signal},
        {NULL, NULL}};
    luaL_newlibtable(L, fns);
    lua_pushlightuserdata(L, sched_get(L));
    luaL_setfuncs(L, fns, 1);
    return 1;
}

sched_t *sched_open(lua_State *L, uv_loop_t *loop)
{
    sched_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->L = L;
    s->loop = loop;
    buf_init(&s->message);
    uv_idle_init(loop, &s->idle);
    s->idle.data = s;
    *task_slot(L) = NULL;
    lua_pushlightuserdata(L, s);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &SCHED_KEY);
    luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
    lua_pushcfunction(L, luaopen_sched);
    lua_setfield(L, -2, "ratio.core.sched");
    lua_pop(L, 1);
    return s;
}

void sched_close_handles(sched_t *s)
{
    s->stopping = 1;
    while (s->signals) {
        sig_watch_t *w = s->signals;
        s->signals = w->next;
        luaL_unref(s->L, LUA_REGISTRYINDEX, w->fn_ref);
        uv_close((uv_handle_t *)&w->handle, on_uv_signal_closed);
    }
    while (s->sleepers) {
        sleep_timer_t *st = s->sleepers;
        sleeper_unlink(s, st);
        uv_close((uv_handle_t *)&st->timer, on_uv_sleep_closed);
    }
    if (!uv_is_closing((uv_handle_t *)&s->idle)) uv_close((uv_handle_t *)&s->idle, NULL);
}

void sched_close(sched_t *s)
{
    while (s->all)
        task_free(s, s->all);
    buf_free(&s->message);
    free(s);
}
