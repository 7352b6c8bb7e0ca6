/* ratio command line: `ratio run RECIPE [--flag value ...]`, `ratio list`, `ratio runs [DIR]`,
 * `ratio view [DIR]`, `ratio version`, `ratio --help`. */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <limits.h>
#include <lua.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "lua/host.h"
#include "util/lua_alloc.h"
#include "version.h"

static const char USAGE[] =
    "usage: ratio <command> [arguments]\n"
    "\n"
    "  ratio run RECIPE [--name value ...]   run a recipe: a file, or a name from 'ratio list'\n"
    "  ratio run RECIPE --help               what the recipe answers and its parameters\n"
    "  ratio list                            the recipes found, each with its question\n"
    "  ratio runs [DIR]                      the runs in DIR (default runs/): status, numbers\n"
    "  ratio view [DIR] [--port N]           browse and compare the runs in DIR on 127.0.0.1\n"
    "  ratio version                         versions of ratio and its libraries\n"
    "  ratio --help                          this text\n"
    "\n"
    "Flags every recipe accepts:\n"
    "  --json         print the recipe's summary as one JSON object; nothing else on stdout\n"
    "  --quiet        no progress output\n"
    "  --offline      use only the call cache; a cache miss is an error, no network\n"
    "  --cache PATH   the call cache (default .ratio/cache.sqlite)\n"
    "  --no-cache     neither read nor write the call cache\n"
    "  --out DIR      the run folder (default runs/<recipe>-<UTC time>): new, empty, or holding\n"
    "                 an unfinished run of the same recipe (resumed)\n"
    "  --overwrite    let --out write into a folder that holds anything else\n"
    "  --max-failures N|P%  failed items (or share) tolerated before exit status 1 (default 0)\n"
    "\n"
    "Exit status: 0 success, 1 the run failed (or calls or items failed: grouped on stderr;\n"
    "rerunning the same command retries only those), 2 a usage error (bad command or flag).\n"
    "A recipe NAME is looked up as NAME.lua in ./recipes/, then each folder of $RATIO_RECIPES\n"
    "(colon-separated), then the recipes shipped with ratio.\n"
    "The library is found next to the binary (or in $RATIO_HOME).\n";

static int is_root(const char *dir)
{
    char probe[PATH_MAX];
    struct stat st;
    if (snprintf(probe, sizeof probe, "%s/scripts/ratio/boot.lua", dir) >= (int)sizeof probe)
        return 0;
    return stat(probe, &st) == 0 && S_ISREG(st.st_mode);
}

/* The folder holding scripts/ and plugins/: $RATIO_HOME, else found from the binary's own path
 * (bin/ratio, bin/<config>/ratio, or an install's bin/ + share/ratio), never from the cwd. */
static int find_root(char out[PATH_MAX])
{
    const char *home = getenv("RATIO_HOME");
    if (home && *home) {
        if (!realpath(home, out) || !is_root(out)) {
            fprintf(stderr, "ratio: RATIO_HOME=%s does not hold scripts/ratio/boot.lua\n", home);
            return -1;
        }
        return 0;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        fputs("ratio: cannot find my own executable (/proc/self/exe); set RATIO_HOME\n", stderr);
        return -1;
    }
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    static const char *const ups[] = {"/..", "/../..", "/../share/ratio"};
    for (size_t i = 0; i < sizeof ups / sizeof ups[0]; i++) {
        char cand[PATH_MAX];
        if (snprintf(cand, sizeof cand, "%s%s", exe, ups[i]) >= (int)sizeof cand) continue;
        if (realpath(cand, out) && is_root(out)) return 0;
    }
    fprintf(stderr,
            "ratio: cannot find the ratio library (scripts/ratio/boot.lua) near %s; set "
            "RATIO_HOME\n",
            exe);
    return -1;
}

static void print_version(void)
{
    printf("ratio %s (%s, libuv %s, libcurl %s, SQLite %s)\n", RATIO_VERSION, LUA_RELEASE,
           uv_version_string(), curl_version_info(CURLVERSION_NOW)->version, sqlite3_libversion());
}

int main(int argc, char **argv)
{
    lua_alloc_setup_process();
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        print_version();
        return 0;
    }
    int builtin = !strcmp(cmd, "list") || !strcmp(cmd, "runs") || !strcmp(cmd, "view");
    if (!builtin && strcmp(cmd, "run") != 0) {
        fprintf(stderr, "ratio: unknown command '%s' (see 'ratio --help')\n", cmd);
        return 2;
    }
    if (!builtin && (argc < 3 || argv[2][0] == '-')) {
        fputs(
            "ratio: 'run' needs a recipe: ratio run RECIPE [--name value ...] (see 'ratio list')\n",
            stderr);
        return 2;
    }
    char root[PATH_MAX];
    if (find_root(root) != 0) return 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("ratio: libcurl failed to initialise\n", stderr);
        return 1;
    }
    int code;
    if (builtin) {
        /* list/runs/view are Lua scripts shipped in scripts/ratio/cli/; a first argument that is
         * not a flag is the runs folder (`ratio runs DIR` = `ratio runs --dir DIR`). */
        char script[PATH_MAX];
        if (snprintf(script, sizeof script, "%s/scripts/ratio/cli/%s.lua", root, cmd) >=
            (int)sizeof script) {
            fputs("ratio: the library path is too long\n", stderr);
            curl_global_cleanup();
            return 1;
        }
        char **args = calloc((size_t)argc + 1, sizeof *args);
        if (!args) {
            curl_global_cleanup();
            return 1;
        }
        int n = 0;
        for (int i = 2; i < argc; i++) {
            if (i == 2 && argv[i][0] != '-' && strcmp(cmd, "list") != 0) args[n++] = "--dir";
            args[n++] = argv[i];
        }
        code = host_run(root, script, n, args);
        free(args);
    } else {
        code = host_run(root, argv[2], argc - 3, argv + 3);
    }
    curl_global_cleanup();
    return code;
}
