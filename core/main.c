/* ratio command line: `ratio run RECIPE [--flag value ...]`, `ratio version`, `ratio --help`. */
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
#include "version.h"

static const char USAGE[] =
    "usage: ratio <command> [arguments]\n"
    "\n"
    "  ratio run RECIPE [--name value ...]   run a recipe (a Lua study file)\n"
    "  ratio run RECIPE --help               what the recipe answers and its parameters\n"
    "  ratio version                         versions of ratio and its libraries\n"
    "  ratio --help                          this text\n"
    "\n"
    "Flags every recipe accepts:\n"
    "  --json         print the recipe's summary as one JSON object; nothing else on stdout\n"
    "  --quiet        no progress output\n"
    "  --offline      use only the call cache; a cache miss is an error, no network\n"
    "  --cache PATH   the call cache (default .ratio/cache.sqlite)\n"
    "  --no-cache     neither read nor write the call cache\n"
    "  --out DIR      the run folder (default runs/<recipe>-<UTC time>)\n"
    "\n"
    "Exit status: 0 success, 1 the run failed, 2 a usage error (bad command or flag).\n"
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
    if (strcmp(cmd, "run") != 0) {
        fprintf(stderr, "ratio: unknown command '%s' (see 'ratio --help')\n", cmd);
        return 2;
    }
    if (argc < 3 || argv[2][0] == '-') {
        fputs("ratio: 'run' needs a recipe file: ratio run RECIPE [--name value ...]\n", stderr);
        return 2;
    }
    char root[PATH_MAX];
    if (find_root(root) != 0) return 1;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("ratio: libcurl failed to initialise\n", stderr);
        return 1;
    }
    int code = host_run(root, argv[2], argc - 3, argv + 3);
    curl_global_cleanup();
    return code;
}
