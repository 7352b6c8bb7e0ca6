/* sched: runs Lua coroutines ("tasks") on a libuv loop.
 *
 * A task that waits calls a C function that arms some event and returns sched_suspend(L). When the
 * event fires, its callback pushes the results onto the task's stack (sched_wake_push) and calls
 * sched_wake; the task is queued and resumed later from an idle callback, never from inside the
 * event's own callback (so libcurl/h2o callbacks never re-enter Lua). A task woken by another task
 * runs right after that one, in the same pass. A wait that can finish at once simply returns its
 * results without yielding. */
#ifndef RATIO_SCHED_H
#define RATIO_SCHED_H

#include <lua.h>
#include <uv.h>

typedef struct sched sched_t;
typedef struct sched_task sched_task_t;

/* Creates the scheduler for L on loop and registers the `ratio.core.sched` module loader. */
sched_t *sched_open(lua_State *L, uv_loop_t *loop);
/* Frees every task and the scheduler; call after the loop has stopped and been drained. */
void sched_close(sched_t *s);
/* Asks the idle handle to close (part of shutdown; the loop must run afterwards). */
void sched_close_handles(sched_t *s);

sched_t *sched_get(lua_State *L);
uv_loop_t *sched_loop(sched_t *s);

/* The task running on L, or NULL when L is not a task (the main thread or a plain coroutine). */
sched_task_t *sched_current(lua_State *L);
/* Raises a clear error unless L is a task that may yield here; `what` names the caller. */
sched_task_t *sched_check_task(lua_State *L, const char *what);
/* Yields the running task; use as `return sched_suspend(L);` after arming the event. */
int sched_suspend(lua_State *L);
/* The suspended task's own stack, to push the values its wait will return. */
lua_State *sched_task_state(sched_task_t *t);
/* Queues a suspended task to resume with the `nargs` values pushed on its stack. */
void sched_wake(sched_task_t *t, int nargs);

/* Starts a task running the function below nargs arguments on top of L's stack (both are popped);
 * it first runs once the caller yields (right after it, when the caller is a task: see ready_push)
 * or on the next loop pass. Returns NULL (and pops nothing) when the run is stopping. */
sched_task_t *sched_start(lua_State *L, int nargs);

/* Ends the run: the loop stops after the current callback; code becomes the exit status. A
 * message (may be NULL) is kept for the host to print; the first fatal message wins. */
void sched_stop(sched_t *s, int code, const char *msg);
int sched_stopping(sched_t *s);
int sched_exit_code(sched_t *s);
const char *sched_message(sched_t *s);
/* Tasks that exist (running, queued or suspended). */
size_t sched_alive(sched_t *s);

#endif
