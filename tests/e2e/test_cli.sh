# The CLI contract: commands, flags, exit codes, --json, --help, errors with file:line.

t_version() {
  ratio version
  expect_rc 0
  grep -qE '^ratio [0-9]+\.[0-9]+\.[0-9]+ \(Lua 5\.4' <<<"$OUT" || fail "version line: $OUT"
}

t_help() {
  ratio --help
  expect_rc 0
  expect_out_has "ratio run RECIPE"
}

t_unknown_command() {
  ratio frobnicate
  expect_rc 2
  expect_err_first "ratio: unknown command 'frobnicate' (see 'ratio --help')"
  expect_err_lines 1
}

t_run_needs_recipe() {
  ratio run
  expect_rc 2
  expect_err_lines 1
}

t_missing_recipe() {
  ratio run nope.lua
  expect_rc 2
  expect_err_first "ratio: cannot open recipe 'nope.lua': No such file or directory"
}

t_runs_from_any_folder() {
  # The library is found next to the binary, not in the current folder.
  ratio run "$E2E/recipes/hello.lua" --name there
  expect_rc 0
  expect_out_has "hello there"
}

t_recipe_help() {
  ratio run "$E2E/recipes/hello.lua" --help
  expect_rc 0
  expect_out_has "Greets, waits on a few tasks"
  expect_out_has "--name TEXT"
  expect_out_has "who to greet (default: world)"
  expect_out_has "--mode CHOICE"
  expect_out_has "one of a|b"
  [ -z "$ERR" ] || fail "stderr not empty: $ERR"
}

t_flags_of_every_type() {
  ratio run "$E2E/recipes/hello.lua" --json --name=x --n 2 --loud --scale 2.5 --mode b
  expect_rc 0
  expect_out '{"greeting":"HELLO X","mode":"b","scale":2.5,"squares":[1,4]}'
}

t_json_keeps_stdout_for_the_summary() {
  ratio run "$E2E/recipes/hello.lua" --json
  expect_rc 0
  [ "$(wc -l <<<"$OUT")" = 1 ] || fail "stdout has more than one line: $OUT"
  expect_out '{"greeting":"hello world","mode":"a","scale":1.5,"squares":[1,4,9]}'
  expect_err_has "hello world"
  expect_err_has "written with io.write"
}

t_unknown_flag() {
  ratio run "$E2E/recipes/hello.lua" --nmae x
  expect_rc 2
  expect_err_lines 1
  expect_err_first "ratio: unknown flag --nmae, did you mean --name? (see 'ratio run $E2E/recipes/hello.lua --help')"
}

t_wrong_type() {
  ratio run "$E2E/recipes/hello.lua" --n three
  expect_rc 2
  expect_err_lines 1
  expect_err_first "ratio: --n: expected an integer, got 'three'"
}

t_bad_choice() {
  ratio run "$E2E/recipes/hello.lua" --mode c
  expect_rc 2
  expect_err_first "ratio: --mode: expected one of a, b, got 'c'"
}

t_flag_without_value() {
  ratio run "$E2E/recipes/hello.lua" --name
  expect_rc 2
  expect_err_first "ratio: --name: needs a value"
}

t_missing_required_flag() {
  ratio run "$E2E/recipes/required.lua"
  expect_rc 2
  expect_err_lines 1
  expect_err_first "ratio: --input: is required"
}

t_file_flag_must_exist() {
  ratio run "$E2E/recipes/required.lua" --input missing.jsonl
  expect_rc 2
  expect_err_first "ratio: --input: cannot open 'missing.jsonl': No such file or directory"
}

t_flag_for_recipe_without_params() {
  ratio run "$E2E/recipes/noparams.lua" --x 1
  expect_rc 2
  expect_err_has "unknown flag --x (this recipe declares no parameters)"
}

t_typo_in_global_name() {
  ratio run "$E2E/recipes/typo.lua"
  expect_rc 1
  expect_err_first "ratio: $E2E/recipes/typo.lua:5: assignment to undeclared global 'totl' (use 'local totl', or rawset(_G, 'totl', value) to really make a global)"
  expect_err_has "stack traceback:"
  [ -z "$OUT" ] || fail "stdout not empty: $OUT"
}

t_error_inside_a_task() {
  ratio run "$E2E/recipes/task_error.lua"
  expect_rc 1
  expect_err_first "ratio: item 2: $E2E/recipes/task_error.lua:5: item two is broken"
  expect_err_has "stack traceback:"
  expect_err_has "task_error.lua:5: in function"
}

t_error_in_spawned_task() {
  ratio run "$E2E/recipes/spawn_error.lua"
  expect_rc 1
  expect_err_first "ratio: $E2E/recipes/spawn_error.lua:5: attempt to index a nil value (local 't')"
  grep -q "not reached" <<<"$OUT" && fail "the run went on after the error"
}

t_syntax_error() {
  ratio run "$E2E/recipes/syntax.lua"
  expect_rc 1
  expect_err_first "ratio: $E2E/recipes/syntax.lua:3: unexpected symbol near '='"
}

t_deadlock_is_reported() {
  ratio run "$E2E/recipes/deadlock.lua"
  expect_rc 1
  expect_err_has "ratio: deadlock: the recipe waits for something that can never happen"
}

t_exit_status_from_recipe() {
  ratio run "$E2E/recipes/exit3.lua"
  expect_rc 3
  expect_err_first "ratio: stopping on purpose"
}

t_malformed_jsonl_line() {
  printf '{"a": 1}\n\n{"a": 2}\r\n{"a": \n{"a": 4}\n' > bad.jsonl
  ratio run "$E2E/recipes/required.lua" --input bad.jsonl
  expect_rc 1
  expect_err_first "ratio: bad.jsonl:4: invalid JSON at column 7: unexpected end of input"
  expect_err_lines 1
}

t_invalid_utf8_jsonl_line() {
  printf '{"a": 1}\n{"a": "\xc3\x28"}\n' > bad.jsonl
  ratio run "$E2E/recipes/required.lua" --input bad.jsonl
  expect_rc 1
  expect_err_has "ratio: bad.jsonl:2: invalid JSON at column"
  expect_err_has "UTF-8"
}

t_run_folder_and_manifest() {
  ratio run "$E2E/recipes/rundir.lua" --out myrun --n 7 --json
  expect_rc 0
  expect_out '{"dir":"myrun","items":7}'
  expect_file myrun/items.jsonl
  expect_file myrun/manifest.json
  [ "$(wc -l < myrun/items.jsonl)" = 7 ] || fail "items.jsonl lines: $(wc -l < myrun/items.jsonl)"
  [ "$(head -n 1 myrun/items.jsonl)" = '{"i":1,"sq":1}' ] || fail "first line $(head -n 1 myrun/items.jsonl)"
  grep -q '"n": 7' myrun/manifest.json || fail "manifest lacks the parameter: $(cat myrun/manifest.json)"
  grep -q '"models": \[' myrun/manifest.json || fail "manifest lacks models"
}

t_default_run_folder() {
  ratio run "$E2E/recipes/rundir.lua" --n 1
  expect_rc 0
  ls -d runs/rundir-*Z >/dev/null 2>&1 || fail "no runs/rundir-<time> folder: $(ls -R)"
}

# ---- Misconfiguration stops before the first call (issue 12): exit 2, one line naming the flag ----

t_cli_llm_config_errors_name_the_flag() {
  head -n 2 "$ROOT/data/sample.jsonl" > d.jsonl
  # No key for a remote endpoint (the provider's default here).
  OPENAI_API_KEY= OPENAI_BASE_URL= ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model gpt-4o --out j
  expect_rc 2
  expect_err_first "ratio: --judge-base-url (empty, so the openai default): https://api.openai.com/v1 needs an API key and OPENAI_API_KEY is not set (set it, or point --judge-base-url at a local server; a remote server that takes no key accepts any value, e.g. OPENAI_API_KEY=none)"
  expect_err_lines 1
  # A base URL without a scheme: a usage error, not a traceback.
  OPENAI_API_KEY=k ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --metajudge-model m \
    --metajudge-base-url localhost:8000/v1 --out m
  expect_rc 2
  expect_err_first "ratio: --metajudge-base-url: 'localhost:8000/v1' has no scheme; write http://localhost:8000/v1 or https://localhost:8000/v1"
  expect_err_lines 1
  # ... also when it comes from the environment.
  OPENAI_API_KEY=k OPENAI_BASE_URL=example.com/v1 ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl \
    --matcher llm --metajudge-model m --out m
  expect_rc 2
  expect_err_first "ratio: \$OPENAI_BASE_URL (--metajudge-base-url is empty): 'example.com/v1' has no scheme; write http://example.com/v1 or https://example.com/v1"
  # An empty model name.
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model "" --llm-base-url http://127.0.0.1:1/v1 --out dd
  expect_rc 2
  expect_err_first "ratio: --llm-model: is required"
  # A local server needs no key: this run gets as far as calling (and is refused).
  OPENAI_API_KEY= ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model m \
    --judge-base-url http://localhost:1/v1 --out j2 --no-cache
  expect_rc 1
  expect_err_has "Couldn't connect to server"
}
