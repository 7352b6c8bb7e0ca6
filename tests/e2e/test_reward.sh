# recipes/hybrid_reward.lua on tests/fixtures/rollouts.jsonl: the paper's reward, weighted sums and
# a Lua formula, offline (lexical matcher) and with an LLM MetaJudge (the fake LLM), the fallback
# for unscored rollouts, human ties, bad lines and usage errors.

FIXTURE_ROLLOUTS=${ROOT:-.}/tests/fixtures/rollouts.jsonl

# write_reward_check: check.lua asserts what each fixture rollout must get, given the formula.
write_reward_check() {
  cat > check.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{
  dir = {nil, "run folder", required = true},
  formula = {"paper", "paper|weighted|double"},
  w_rationale = {0.5, ""}, w_outcome = {0.5, ""},
  fallback = {0.0, "reward of unscored rollouts"},
  tie = {"exact", ""},
}
local items = {}
for item in ratio.jsonl.lines(p.dir .. "/items.jsonl") do items[#items + 1] = item end
assert(#items == 15, "items: " .. #items)
local function near(a, b, what) assert(math.abs(a - b) < 1e-12, ("%s: %s ~= %s"):format(what, a, b)) end
for i, r in ipairs(items) do
  local what = ("item %d (%s line %d)"):format(i, r.id, r.line)
  if r.status == "ok" then
    local ap, o = r.parts.ap, r.parts.outcome
    local want = p.formula == "paper" and ap * o or p.formula == "double" and 2 * ap * o
                 or p.w_rationale * ap + p.w_outcome * o
    near(r.reward, want, what)
    assert(r.fallback == false, what .. ": fallback")
  else
    near(r.reward, p.fallback, what .. " (fallback)")
    assert(r.fallback == true, what .. ": not flagged")
  end
end
local function case(i, status, reason)
  assert(items[i].status == status, ("item %d: status %s, expected %s"):format(i, items[i].status, status))
  assert(items[i].reason == reason, ("item %d: reason %s, expected %s"):format(i, tostring(items[i].reason), tostring(reason)))
end
-- 1 good reasons, 2 shallow reasons, same item and verdict: the reasons make the difference
case(1, "ok", nil) case(2, "ok", nil)
assert(items[1].parts.ap > 0.3 and items[2].parts.ap < 0.1, "good vs shallow AP")
assert(items[1].parts.outcome == 1 and items[2].parts.outcome == 1)
-- 4: seven reasons, five matched
assert(items[4].parts.n_reasons == 7 and #items[4].reasons == 5, "top-5 cut")
-- 5: wrong verdict with some good reasons: AP is there, the outcome gate is shut
case(5, "ok", nil)
assert(items[5].parts.ap > 0.3 and items[5].parts.outcome == 0, "wrong verdict")
-- 7 no verdict, 8 garbage, 15 cut off before the verdict: unscored, kept with their text
for _, i in ipairs{7, 8, 15} do
  case(i, "unscored", "no_verdict")
  assert(items[i].rollout and #items[i].rollout > 0, "rollout text kept")
  assert(items[i].issues.no_verdict, "issue flag")
end
-- 9, 10: human ties
assert(items[9].parts.verdict == "A=B" and items[9].parts.outcome == 1, "tie judged a tie")
assert(items[10].parts.verdict == "B>A" and items[10].parts.outcome == (p.tie == "exact" and 0 or 1), "tie judged B>A")
-- 11: a verdict without reasons
case(11, "ok", "no_reasons")
assert(items[11].parts.ap == 0 and items[11].parts.outcome == 1)
-- 12-15: one line, a group of four
for k = 1, 4 do assert(items[11 + k].rollout_index == k and items[11 + k].line == 12, "group") end
assert(items[14].parts.outcome == 0 and math.abs(items[14].parts.ap - items[12].parts.ap) < 1e-12, "flipped verdict, same reasons")
return {ok = true}
LUA
}

t_hybrid_reward_paper_offline() {
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input "$FIXTURE_ROLLOUTS" --out hr --json
  expect_rc 0
  for f in items.jsonl summary.json summary.csv manifest.json report.html; do expect_file "hr/$f"; done
  [ "$(json_field "$OUT" rollouts)" = 15 ] || fail "rollouts: $OUT"
  [ "$(json_field "$OUT" ok)" = 12 ] || fail "ok: $OUT"
  [ "$(json_field "$OUT" unscored)" = 3 ] || fail "unscored: $OUT"
  [ "$(json_field "$OUT" failed)" = 0 ] || fail "failed: $OUT"
  [ "$(json_field "$OUT" no_verdict)" = 3 ] || fail "no_verdict count: $OUT"
  grep -q '"histogram":\[{"hi":' <<<"$OUT" || fail "no reward histogram: $OUT"
  write_reward_check
  ratio run check.lua --dir hr
  [ "$RC" = 0 ] || fail "paper rewards: $ERR"
  grep -q "<svg" hr/report.html || fail "report.html has no chart"
  grep -q 'data-judge="rollout 3"' hr/report.html || fail "the viewer lacks the group's rollouts"
  grep -qE '(src|href)="https?:' hr/report.html && fail "report.html loads something from the network"
  return 0
}

t_hybrid_reward_weighted_lua_fallback_tie() {
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input "$FIXTURE_ROLLOUTS" --out w --formula weighted \
    --w-rationale 0.7 --w-outcome 0.3 --fallback 0.25 --tie lenient --json
  expect_rc 0
  grep -q '"weights":{"outcome":0.3,"rationale":0.7}' <<<"$OUT" || fail "weights not in the summary: $OUT"
  write_reward_check
  ratio run check.lua --dir w --formula weighted --w-rationale 0.7 --w-outcome 0.3 --fallback 0.25 --tie lenient
  [ "$RC" = 0 ] || fail "weighted rewards: $ERR"
  printf 'return function(parts) return 2 * parts.ap * parts.outcome end\n' > double.lua
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input "$FIXTURE_ROLLOUTS" --out l --formula lua \
    --formula-file double.lua --json
  expect_rc 0
  ratio run check.lua --dir l --formula double
  [ "$RC" = 0 ] || fail "lua formula rewards: $ERR"
  # 'outcome' fallback: an unscored rollout has no verdict, so its outcome part is 0
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input "$FIXTURE_ROLLOUTS" --out o --fallback outcome --json
  expect_rc 0
  ratio run check.lua --dir o
  [ "$RC" = 0 ] || fail "outcome fallback: $ERR"
}

t_hybrid_reward_llm_matcher() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  # The fixture plus line 1 again with a human rationale the fake MetaJudge never answers.
  cp "$FIXTURE_ROLLOUTS" d.jsonl
  head -n 1 "$FIXTURE_ROLLOUTS" | sed 's/"human-checklist":\["/"human-checklist":["NEVERBLOCK /' >> d.jsonl
  grep -q NEVERBLOCK d.jsonl || { fail "could not build the test input"; stop_fake; return; }
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input d.jsonl --matcher llm --metajudge-base-url "$FAKE_URL/v1" \
    --metajudge-model fake-metajudge --cache c.sqlite --out llm --json
  expect_rc 0
  [ "$(json_field "$OUT" unscored)" = 4 ] || fail "expected 4 unscored: $OUT"
  [ "$(json_field "$OUT" unscored_reply)" = 1 ] || fail "expected one unreadable MetaJudge reply: $OUT"
  # 11 rollouts need a MetaJudge; the NEVERBLOCK one is asked twice (one re-ask). No verdict, no call.
  # Two of them send the same request, in flight together: it is sent once (single flight).
  [ "$(json_field "$(fake_stats)" requests)" = 12 ] || fail "MetaJudge requests: $(fake_stats)"
  [ "$(json_field "$(fake_stats)" duplicates)" = 0 ] || fail "a request was paid twice: $(fake_stats)"
  tail -n 1 llm/items.jsonl | grep -q '"reply":"I cannot decide."' || fail "the unreadable reply was not kept"
  grep -q '"metajudge": "' llm/manifest.json || fail "the MetaJudge prompt hash is not in the manifest"
  # The fake MetaJudge answers with the lexical matcher's scores: the rewards must be the same.
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input d.jsonl --out lex --json
  expect_rc 0
  cat > same.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ a = {nil, "", required = true}, b = {nil, "", required = true} }
local a, b = {}, {}
for item in ratio.jsonl.lines(p.a) do a[#a + 1] = item end
for item in ratio.jsonl.lines(p.b) do b[#b + 1] = item end
assert(#a == 16 and #b == 16)
for i = 1, 15 do
  assert(a[i].reward == b[i].reward and a[i].status == b[i].status, ("item %d: %s/%s vs %s/%s"):format(
    i, a[i].status, a[i].reward, b[i].status, b[i].reward))
end
assert(a[16].status == "unscored" and b[16].status == "ok")
return {}
LUA
  ratio run same.lua --a llm/items.jsonl --b lex/items.jsonl
  [ "$RC" = 0 ] || fail "llm and lexical rewards differ: $ERR"
  stop_fake
}

t_hybrid_reward_scores_a_judge_field() {
  # The sample data's judge replies, read from another field.
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input "$ROOT/data/sample.jsonl" --field careful-generated_text --out s --json
  expect_rc 0
  [ "$(json_field "$OUT" ok)" = 48 ] || fail "expected 48 ok: $OUT"
  [ "$(json_field "$OUT" human_ties)" = 4 ] || fail "expected 4 human ties: $OUT"
}

t_hybrid_reward_bad_lines() {
  head -n 1 "$FIXTURE_ROLLOUTS" > d.jsonl
  sed -n 2p "$FIXTURE_ROLLOUTS" | sed 's/"rollout":/"text":/' >> d.jsonl
  sed -n 3p "$FIXTURE_ROLLOUTS" | sed 's/"overall_preference":[-0-9]*/"overall_preference":null/' >> d.jsonl
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input d.jsonl --out bad
  expect_rc 1
  expect_err_first "ratio: d.jsonl:2: rollout: missing (the rollout text, or a list of them in rollouts)"
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input d.jsonl --out skip --on-bad-item skip --json
  expect_rc 0
  [ "$(json_field "$OUT" skipped)" = 2 ] || fail "expected 2 skipped lines: $OUT"
  [ "$(json_field "$OUT" rollouts)" = 1 ] || fail "expected 1 rollout: $OUT"
  expect_err_has "d.jsonl:3: overall_preference: expected a number from -3 to 3, got null (line skipped)"
  sed -n 12p "$FIXTURE_ROLLOUTS" | sed 's/"rollouts":\["/"rollouts":[7,"/' > e.jsonl
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input e.jsonl --out bad2
  expect_rc 1
  expect_err_first "ratio: e.jsonl:1: rollouts[0]: expected a string"
  # Both rollout and rollouts on one line: refused, not one of them dropped in silence.
  sed -n 12p "$FIXTURE_ROLLOUTS" | sed 's/"rollouts":\[/"rollout":"x","rollouts":[/' > both.jsonl
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input both.jsonl --out bad4
  expect_rc 1
  expect_err_first "ratio: both.jsonl:1: rollout: the line has both rollout and rollouts; keep one"
  # Bounded work per line: a line holding more rollouts than --max-rollouts is a bad line, named,
  # before any of it is scored.
  ratio run "$E2E/recipes/hybrid_big_line.lua" --from "$FIXTURE_ROLLOUTS" --n 5000 --write big.jsonl
  [ "$RC" = 0 ] || fail "making the big line: $ERR"
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input big.jsonl --out bad3
  expect_rc 1
  expect_err_first "ratio: big.jsonl:1: rollout: 5000 rollouts, more than the 1024 a line may hold (--max-rollouts)"
  ratio run "$ROOT/recipes/hybrid_reward.lua" --input big.jsonl --out ok3 --max-rollouts 5000 --json
  expect_rc 0
  [ "$(json_field "$OUT" rollouts)" = 5000 ] || fail "expected 5000 rollouts with --max-rollouts 5000: $(head -c 300 <<<"$OUT")"
}

t_hybrid_reward_usage_errors() {
  ratio run "$ROOT/recipes/hybrid_reward.lua" --formula lua
  expect_rc 2
  expect_err_first "ratio: --formula-file: is required with --formula lua"
  printf 'return 42\n' > notfn.lua
  ratio run "$ROOT/recipes/hybrid_reward.lua" --formula lua --formula-file notfn.lua
  expect_rc 2
  expect_err_first "ratio: --formula-file: notfn.lua: must return a function(parts) -> reward, returned number"
  ratio run "$ROOT/recipes/hybrid_reward.lua" --fallback half
  expect_rc 2
  expect_err_first "ratio: --fallback: expected a number or 'outcome', got 'half'"
  ratio run "$ROOT/recipes/hybrid_reward.lua" --matcher llm
  expect_rc 2
  expect_err_first "ratio: --metajudge-model: is required with --matcher llm"
}

t_hybrid_reward_help() {
  ratio run "$ROOT/recipes/hybrid_reward.lua" --help
  expect_rc 0
  grep -q "What reward would RL training give these judge rollouts" <<<"$OUT$ERR" || fail "no question in --help"
  for flag in --input --formula --w-rationale --w-outcome --formula-file --matcher --metajudge-base-url \
    --metajudge-model --fallback --tie; do
    grep -q -- "$flag" <<<"$OUT$ERR" || fail "--help lacks $flag"
  done
}
