# Today's models: judge, metajudge --matcher llm, decompose and audit against a fake answering as
# OpenAI's reasoning models do (400 on max_tokens and on a non-default temperature) and one
# answering as current Anthropic models do (Messages API, 400 on a temperature other than 1), with
# their defaults; the settings flags and the extra body reaching the request; reasoning kept apart
# from the answer; old flag names warning and working. start_fake and check_json come from the
# other test files.

# models_run API: judge, metajudge --matcher llm, decompose and audit, each with its defaults,
# against a fake started with --api API; every item must complete.
models_run() {
  local api=$1 provider=openai
  [ "$api" = anthropic ] && provider=anthropic
  head -n 6 "$ROOT/data/sample.jsonl" > d.jsonl

  start_fake --api "$api" --responder "$ROOT/tests/fake/judge_responder.lua" || return
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-provider "$provider" --judge-model fake-judge \
    --judge-base-url "$FAKE_URL/v1" --out j --no-cache --json
  expect_rc 0
  grep -q '"failed":0' <<<"$OUT" || fail "$api: judge: failed items: $(head -c 400 <<<"$OUT") $(head -c 400 <<<"$ERR")"
  grep -q '"scored":6' <<<"$OUT" || fail "$api: judge: not all scored: $(head -c 400 <<<"$OUT")"
  stop_fake

  start_fake --api "$api" --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --judges careful --matcher llm \
    --metajudge-provider "$provider" --metajudge-model fake-mj --metajudge-base-url "$FAKE_URL/v1" --out m --no-cache --json
  expect_rc 0
  grep -q '"valid":6' <<<"$OUT" || fail "$api: metajudge: $(head -c 400 <<<"$OUT") $(head -c 400 <<<"$ERR")"
  grep -q '"failed":0' <<<"$OUT" || fail "$api: metajudge: failed items: $(head -c 400 <<<"$OUT")"
  stop_fake

  start_fake --api "$api" --responder "$ROOT/tests/fake/decompose_responder.lua" || return
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-provider "$provider" --llm-model fake-dec \
    --llm-base-url "$FAKE_URL/v1" --out dec --no-cache --json
  expect_rc 0
  check_json dec/summary.json '
assert(s.items == 6, "items " .. tostring(s.items))
local u = s.usage["fake-dec"]
assert(u.failed == 0 and u.calls >= 6, "usage " .. ratio.json.encode(u))'
  stop_fake

  start_fake --api "$api" --responder "$ROOT/tests/fake/audit_responder.lua" || return
  ratio run "$ROOT/recipes/audit.lua" --input d.jsonl --classifier llm --llm-provider "$provider" --llm-model fake-audit \
    --llm-base-url "$FAKE_URL/v1" --out au --no-cache --resamples 50 --json
  expect_rc 0
  check_json au/summary.json '
local u = s.usage["fake-audit"]
assert(u.failed == 0 and u.calls == 12, "usage " .. ratio.json.encode(u))'
  stop_fake
}

t_models_openai_reasoning_defaults_complete() { models_run openai-reasoning; }

t_models_anthropic_defaults_complete() { models_run anthropic; }

# Settings the model rejects are adapted to once per client: every item completes, the 400s are
# at most one per call in flight when the first came back, and stderr says what changed.
t_models_openai_reasoning_adapts_to_settings() {
  start_fake --api openai-reasoning --responder "$ROOT/tests/fake/judge_responder.lua" || return
  head -n 12 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model my-reasoner --judge-base-url "$FAKE_URL/v1" \
    --judge-temperature 0 --judge-max-tokens 800 --concurrency 2 --out j --no-cache --json
  expect_rc 0
  grep -q '"scored":12' <<<"$OUT" || fail "not all scored: $(head -c 400 <<<"$OUT")"
  expect_err_has "from now on this client sends max_completion_tokens instead of max_tokens"
  expect_err_has "from now on this client leaves temperature out"
  local stats
  stats=$(fake_stats)
  local mt t
  mt=$(grep -o '"max_tokens":[0-9]*' <<<"$stats" | cut -d: -f2)
  t=$(grep -o '"temperature":[0-9]*' <<<"$stats" | cut -d: -f2)
  [ "${mt:-0}" -ge 1 ] && [ "${mt:-0}" -le 2 ] || fail "max_tokens 400s: $stats"
  [ "${t:-0}" -ge 1 ] && [ "${t:-0}" -le 2 ] || fail "temperature 400s: $stats"
  stop_fake
}

# An Anthropic model given a temperature it rejects: the API's words reach the user, no retry.
t_models_anthropic_rejects_temperature_loudly() {
  start_fake --api anthropic --responder "$ROOT/tests/fake/judge_responder.lua" || return
  head -n 2 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-provider anthropic --judge-model claude-x \
    --judge-base-url "$FAKE_URL/v1" --judge-temperature 0 --out j --no-cache --json
  grep -q '"failed":2' <<<"$OUT" || fail "expected both items failed: $(head -c 400 <<<"$OUT")"
  grep -q "only the default temperature of 1.0" j/items.jsonl || fail "the API's message is not in items.jsonl"
  grep -qE '"requests":2[,}]' <<<"$(fake_stats)" || fail "retried a 400: $(fake_stats)"
  stop_fake
}

# The decomposer's and the auditor's reasoning is kept in items.jsonl beside their raw replies,
# and never reaches the parsers.
t_models_reasoning_kept_by_decompose_and_audit() {
  head -n 3 "$ROOT/data/sample.jsonl" > d.jsonl
  start_fake --reasoning think --responder "$ROOT/tests/fake/decompose_responder.lua" || return
  ratio run "$ROOT/recipes/decompose.lua" --input d.jsonl --llm-model qwen3 --llm-base-url "$FAKE_URL/v1" \
    --out dec --no-cache --json
  expect_rc 0
  check_json dec/items.jsonl '
for _, s in ipairs(items) do
  assert(s.status == "valid", "status " .. tostring(s.status))
  assert(s.reasoning and s.reasoning[1]:find("Fake reasoning", 1, true), "no reasoning: " .. ratio.json.encode(s))
  for _, r in ipairs(s.raw) do assert(not r:find("<think>", 1, true), "think block in raw: " .. r) end
end'
  grep -q "Fake reasoning" dec/decomposed.jsonl && fail "the reasoning reached decomposed.jsonl"
  stop_fake
  start_fake --reasoning reasoning_content --responder "$ROOT/tests/fake/audit_responder.lua" || return
  ratio run "$ROOT/recipes/audit.lua" --input d.jsonl --classifier llm --llm-model qwen3 --llm-base-url "$FAKE_URL/v1" \
    --judges careful --out au --no-cache --resamples 20 --json
  expect_rc 0
  grep -q "Fake reasoning: weighing both answers" au/items.jsonl || fail "the auditor's reasoning was not kept"
  stop_fake
}

# vLLM/SGLang serving Qwen3: reasoning inside <think> (or reasoning_content) never reaches the
# verdict parser, and --metajudge-extra-body reaches the request.
t_models_qwen3_thinking_and_extra_body() {
  local how
  for how in think reasoning_content reasoning; do
    start_fake --reasoning "$how" --responder "$ROOT/tests/fake/judge_responder.lua" || return
    head -n 4 "$ROOT/data/sample.jsonl" > d.jsonl
    ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-model qwen3 --judge-base-url "$FAKE_URL/v1" \
      --judge-extra-body '{"chat_template_kwargs": {"enable_thinking": true}}' --out "j-$how" --no-cache --json
    expect_rc 0
    grep -q '"scored":4' <<<"$OUT" || fail "$how: not all scored: $(head -c 400 <<<"$OUT")"
    if grep -q "Fake reasoning: weighing both answers" "j-$how/judged.jsonl"; then fail "$how: the reasoning reached judged.jsonl"; fi
    grep -q "Fake reasoning: weighing both answers" "j-$how/items.jsonl" || fail "$how: the reasoning was not kept in items.jsonl"
    stop_fake
  done
  # The extra body reaches the server: an unknown field makes the fake's echo responder show it.
  cat > echo.lua <<'LUA'
return function(messages, body)
  local ratio = require "ratio"
  return "<RESULT_START>\n- R1@S1: 1\n<RESULT_END>\n" .. ratio.json.encode(body.chat_template_kwargs or {})
end
LUA
  start_fake --responder echo.lua || return
  head -n 1 "$ROOT/data/sample.jsonl" > one.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input one.jsonl --judges careful --matcher llm \
    --metajudge-model qwen3 --metajudge-base-url "$FAKE_URL/v1" \
    --metajudge-extra-body '{"chat_template_kwargs": {"enable_thinking": false}}' --out m --no-cache --json
  expect_rc 0
  grep -q 'enable_thinking' m/metajudge-careful.jsonl || fail "extra body not sent: $(head -c 600 m/metajudge-careful.jsonl)"
  stop_fake
}

t_models_old_flag_names_warn_and_work() {
  head -n 2 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --models careful --out m --json
  expect_rc 0
  expect_err_first "ratio: --models is an old name of --judges; it still works, but use --judges"
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --matcher llm --judge-model ""
  expect_rc 2
  expect_err_has "ratio: --judge-model is an old name of --metajudge-model"
  expect_err_has "--metajudge-model: is required with --matcher llm"
  ratio run "$ROOT/recipes/metajudge.lua" --judge-extra-body '[1]'
  expect_rc 2
  ratio run "$ROOT/recipes/judge.lua" --judge-model m --judge-extra-body '[1]'
  expect_rc 2
  expect_err_first "ratio: --judge-extra-body: expected a JSON object such as '{\"chat_template_kwargs\": {\"enable_thinking\": false}}', got [1]"
  ratio run "$ROOT/recipes/judge.lua" --judge-model m --judge-base-url localhost:8000/v1
  expect_rc 2
  expect_err_first "ratio: --judge-base-url: 'localhost:8000/v1' has no scheme; write http://localhost:8000/v1 or https://localhost:8000/v1"
}

# Every recipe's --help runs, shows required parameters first and uses the one vocabulary.
t_models_help_vocabulary() {
  local r
  for r in "$ROOT"/recipes/*.lua; do
    ratio run "$r" --help
    [ "$RC" = 0 ] || { fail "$(basename "$r") --help: exit $RC: $ERR"; continue; }
    if grep -qE '^  --(models|model|base-url|provider|temperature|max-tokens) ' <<<"$OUT"; then
      fail "$(basename "$r") --help declares an old flag name: $(grep -E '^  --(models|model|base-url|provider) ' <<<"$OUT")"
    fi
    if grep -q '^Required:' <<<"$OUT"; then
      [ "$(grep -m1 -E '^(Required|Parameters|[A-Z].*):$' <<<"$OUT")" = "Required:" ] || fail "$(basename "$r"): required not first"
    fi
  done
  ratio run "$ROOT/recipes/analyze.lua" --help
  expect_out_has "--mode CHOICE"
  expect_out_has "default: paper"
  ratio run "$ROOT/recipes/sweep.lua" --help
  expect_out_has "--matchers CHOICE,..."
}

# A refusal fails its item with the refusal's text and is never asked again; the others complete.
t_models_refusals_are_terminal() {
  local api provider
  for api in compatible anthropic; do
    provider=openai
    [ "$api" = anthropic ] && provider=anthropic
    start_fake --api "$api" --responder "$ROOT/tests/fake/judge_responder.lua" || return
    head -n 3 "$ROOT/data/sample.jsonl" > d.jsonl
    sed -n 4p "$ROOT/data/sample.jsonl" | sed 's/"response1": "/"response1": "REFUSEME /' >> d.jsonl
    ratio run "$ROOT/recipes/judge.lua" --input d.jsonl --judge-provider "$provider" --judge-model m \
      --judge-base-url "$FAKE_URL/v1" --out "j-$api" --no-cache --json
    grep -q '"scored":3' <<<"$OUT" || fail "$api: $(head -c 400 <<<"$OUT") $(head -c 400 <<<"$ERR")"
    grep -q '"failed":1' <<<"$OUT" || fail "$api: the refused item did not fail: $(head -c 400 <<<"$OUT")"
    grep -q 'EREFUSED' "j-$api/items.jsonl" || fail "$api: no EREFUSED in items.jsonl"
    grep -qE "refused: (I'm sorry, but I can't help with that|Declined by the fake's policy)" "j-$api/items.jsonl" \
      || fail "$api: the refusal's text was lost"
    grep -qE '"refused":1[,}]' <<<"$(fake_stats)" || fail "$api: the refusal was asked again: $(fake_stats)"
    stop_fake
  done
}
