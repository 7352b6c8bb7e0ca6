# The frontier (OA against RC for many judges, deceptive alignment flagged with a p-value) and the
# matcher sweep (a grid of matchers, agreement with a reference cell, cost per cell).

t_frontier_help() {
  ratio run "$ROOT/recipes/frontier.lua" --help
  expect_rc 0
  expect_out_has "Which judges are right for the right reasons"
  for f in --judges --matcher --metajudge-model --metajudge-base-url --embed-model --alpha --rc-threshold --correction --permutations; do
    expect_out_has "  $f "
  done
}

t_sweep_help() {
  ratio run "$ROOT/recipes/sweep.lua" --help
  expect_rc 0
  expect_out_has "How much do the numbers depend on how reasons are matched"
  for f in --matchers --thresholds --prompts --matcher-models --reference --embed-models --kappa-weights; do
    expect_out_has "  $f "
  done
}

# The issue's done-when: two judges that agree on verdicts but differ in reasons are flagged, with a
# p-value, in the summary and in the report.
t_frontier_flags_deceptive_alignment() {
  ratio run "$ROOT/recipes/frontier.lua" --out fr --json
  expect_rc 0
  local out=$OUT err=$ERR
  for f in items.jsonl summary.json summary.csv domains.csv manifest.json report.html; do expect_file "fr/$f"; done
  [ "$(wc -l < fr/items.jsonl)" = 48 ] || fail "items.jsonl lines: $(wc -l < fr/items.jsonl)"
  cat > check.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "summary", type = "file", required = true} }
local f = assert(io.open(p.file))
local s = assert(ratio.json.decode(f:read("a")))
f:close()
assert(#s.judge_order == 2 and s.judge_order[1] == "careful" and s.judge_order[2] == "skimmer", "judges found in the file")
assert(#s.deceptive_alignment == 1, "one flagged pair, got " .. #s.deceptive_alignment)
local d = s.deceptive_alignment[1]
assert(d.a == "careful" and d.b == "skimmer" and d.shallower == "skimmer", "the flagged pair")
assert(d.p_value < 0.05 and d.p_adjusted < 0.05, "p " .. d.p_value)
local pr = s.pairs[1]
assert(pr.oa_ci_overlap == true and pr.deceptive_alignment == true and pr.n_items == 48)
assert(pr.oa_ci_a.lo <= pr.oa_ci_b.hi and pr.oa_ci_b.lo <= pr.oa_ci_a.hi, "OA CIs do overlap")
for _, j in ipairs({"careful", "skimmer"}) do
  local js = s.judges[j]
  assert(js.valid == 48 and js.ci.recall and js.ci.ap and js.ci.precision and js.ci.outcome_accuracy, j .. " CIs")
  for _, dom in ipairs({"general", "code", "stem", "multilingual"}) do
    local ds = js.domains[dom]
    assert(ds and ds.valid == 12 and ds.ci.recall and ds.ci.outcome_accuracy, j .. " " .. dom)
  end
end
-- skimmer gets most items right while missing the humans' reasons; careful almost never does
assert(s.inconsistent.skimmer.count > 20 and s.inconsistent.careful.count < 5,
       s.inconsistent.skimmer.count .. " " .. s.inconsistent.careful.count)
for _, it in ipairs(s.inconsistent.skimmer.items) do assert(it.recall < 0.25 and it.id) end
return {ok = true}
LUA
  ratio run check.lua --file fr/summary.json
  [ "$RC" = 0 ] || fail "summary.json: $ERR"
  grep -q '"deceptive_alignment":\[{' <<<"$out" || fail "--json lacks the flagged pair: $(head -c 300 <<<"$out")"
  grep -q "DECEPTIVE ALIGNMENT: careful vs skimmer" <<<"$err" || fail "the terminal lacks the flagged pair"
  grep -q "DECEPTIVE ALIGNMENT" fr/report.html || fail "report.html lacks the flagged pair"
  grep -q "paired permutation p = 0.0001" fr/report.html || fail "report.html lacks the p-value"
  grep -q "skimmer is right for shallower reasons" fr/report.html || fail "report.html lacks the verdict"
  grep -q "<svg" fr/report.html || fail "report.html has no chart"
  grep -qE '(src|href)="https?:' fr/report.html && fail "report.html loads something from the network"
  return 0
}

# The control: two judges with the same reasons are not flagged.
t_frontier_twin_judges_not_flagged() {
  cat > twin.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ input = {nil, "dataset", type = "file", required = true}, output = {"", "out"} }
local w = assert(ratio.jsonl.writer(p.output))
for item in ratio.jsonl.lines(p.input) do
  item["twin-checklist"], item["twin-label"] = item["careful-checklist"], item["careful-label"]
  assert(w:write(item))
end
assert(w:close())
LUA
  ratio run twin.lua --input "$ROOT/data/sample.jsonl" --output twin.jsonl
  expect_rc 0
  ratio run "$ROOT/recipes/frontier.lua" --input twin.jsonl --judges careful,twin --out tw --json
  expect_rc 0
  grep -q '"deceptive_alignment":\[\]' <<<"$OUT" || fail "identical judges flagged: $(head -c 300 <<<"$OUT")"
  grep -q '"why":"RC difference not significant"' <<<"$OUT" || fail "no reason given"
  grep -q "No pair of judges shows deceptive alignment" tw/report.html || fail "report.html should say nothing was flagged"
  # All three judges found in the file when --judges is not given: three pairs.
  ratio run "$ROOT/recipes/frontier.lua" --input twin.jsonl --out all --json
  expect_rc 0
  [ "$(grep -o '"why":' <<<"$OUT" | wc -l)" = 3 ] || fail "expected three pairs"
  grep -q '"judge_order":\["careful","skimmer","twin"\]' <<<"$OUT" || fail "judges not discovered: $(head -c 300 <<<"$OUT")"
}

t_frontier_llm_matcher() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  # One item whose MetaJudge replies never hold a block: unscored for both judges, kept and counted.
  head -n 47 "$ROOT/data/sample.jsonl" > d.jsonl
  sed -n 48p "$ROOT/data/sample.jsonl" | sed 's/"human-checklist": \["/"human-checklist": ["NEVERBLOCK /' >> d.jsonl
  ratio run "$ROOT/recipes/frontier.lua" --input d.jsonl --matcher llm --metajudge-base-url "$FAKE_URL/v1" \
    --metajudge-model fake-metajudge --out llm --cache c.sqlite --json
  expect_rc 0
  grep -q '"deceptive_alignment":\[{"a":"careful","b":"skimmer"' <<<"$OUT" || fail "not flagged: $(head -c 400 <<<"$OUT")"
  grep -q '"unscored":1' <<<"$OUT" || fail "the unscored item is not counted"
  grep -q '"n_items":47' <<<"$OUT" || fail "the paired test should use the 47 items scored for both"
  # 96 matches and one re-ask for each judge on the item without a block
  grep -q '"fake-metajudge":{"cached":0,"calls":98' <<<"$OUT" || fail "usage: $(grep -o '"usage":{[^}]*}' <<<"$OUT")"
  grep -q 'I cannot decide' llm/items.jsonl || fail "the unscored reply was not kept"
  [ "$(json_field "$(fake_stats)" ok)" = 98 ] || fail "the fake LLM saw $(json_field "$(fake_stats)" ok) requests"
  grep -q "DECEPTIVE ALIGNMENT" llm/report.html || fail "report.html lacks the flagged pair"
  stop_fake
}

t_frontier_usage_errors() {
  ratio run "$ROOT/recipes/frontier.lua" --matcher llm
  expect_rc 2
  expect_err_first "ratio: --metajudge-model: is required with --matcher llm"
  ratio run "$ROOT/recipes/frontier.lua" --judges careful,nobody
  expect_rc 2
  expect_err_has "unknown judge 'nobody'"
}

t_sweep_grid_with_llm_reference() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  ratio run "$ROOT/recipes/sweep.lua" --matchers lexical,llm --thresholds "0.08,0.15,0.25,0.4;0.1,0.2,0.3,0.5" \
    --prompts "$ROOT/tests/fake/sweep_prompt.lua" --matcher-models fake-metajudge \
    --metajudge-base-url "$FAKE_URL/v1" --reference llm --out sw --cache c.sqlite --json
  expect_rc 0
  local err=$ERR
  for f in items.jsonl summary.json summary.csv manifest.json report.html; do expect_file "sw/$f"; done
  # 3 cells x 2 judges x 48 items
  [ "$(wc -l < sw/items.jsonl)" = 288 ] || fail "items.jsonl lines: $(wc -l < sw/items.jsonl)"
  cat > check.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "summary", type = "file", required = true} }
local f = assert(io.open(p.file))
local s = assert(ratio.json.decode(f:read("a")))
f:close()
assert(#s.cells == 3, "cells " .. #s.cells)
local t1, t2, llm = s.cells[1], s.cells[2], s.cells[3]
assert(t1.name == "lexical/T1" and t2.name == "lexical/T2" and llm.name == "llm/fake-metajudge/sweep_prompt", llm.name)
assert(s.reference == llm.name and llm.reference == true and not t1.reference)
for _, c in ipairs(s.cells) do
  assert(type(c.agreement.kappa) == "number" and type(c.agreement.spearman) == "number", c.name .. " agreement")
  assert(c.agreement.judges.careful.kappa and c.agreement.judges.skimmer.spearman, c.name .. " per judge")
  assert(c.judges.careful.recall and c.judges.skimmer.ap, c.name .. " RC/AP")
  assert(c.agreement.rationales > 400 and c.agreement.items == 96, c.name .. " compared")
end
-- The reference agrees with itself; the fake MetaJudge answers as the lexical matcher with its
-- default thresholds (T1), so T1 agrees fully and T2 (other thresholds) less.
assert(llm.agreement.kappa == 1 and llm.agreement.spearman == 1, "reference kappa " .. llm.agreement.kappa)
assert(math.abs(t1.agreement.kappa - 1) < 1e-12, "T1 kappa " .. t1.agreement.kappa)
assert(t2.agreement.kappa < 1 and t2.agreement.kappa > 0.5, "T2 kappa " .. t2.agreement.kappa)
assert(t2.judges.careful.recall < t1.judges.careful.recall, "stricter thresholds, lower RC")
-- Cost: only the llm cell calls anything.
assert(llm.cost.calls == 96 and llm.cost.input_tokens > 0 and llm.cost.output_tokens > 0, "llm cost")
assert(t1.cost.calls == 0 and t2.cost.calls == 0, "lexical cells call nothing")
assert(llm.unscored == 0 and llm.failed == 0 and llm.valid == 96)
assert(llm.settings.prompt:match("sweep_prompt%.lua$") and #llm.settings.prompt_sha256 == 64)
return {ok = true}
LUA
  ratio run check.lua --file sw/summary.json
  [ "$RC" = 0 ] || fail "summary.json: $ERR"
  grep -q "^3  llm/fake-metajudge/sweep_prompt \*" <<<"$err" || fail "no table on the terminal: $(head -c 600 <<<"$err")"
  grep -q "Agreement with the reference" sw/report.html || fail "report.html lacks the agreement chart"
  grep -q '"sweep/sweep_prompt": "' sw/manifest.json || fail "the prompt hash is not in the manifest"
  grep -q '^lexical/T2,lexical,' sw/summary.csv || fail "summary.csv: $(head -n 3 sw/summary.csv)"
  [ "$(json_field "$(fake_stats)" ok)" = 96 ] || fail "the fake LLM should see exactly 96 requests"
  # Run again from the cache: the same numbers, no call paid.
  ratio run "$ROOT/recipes/sweep.lua" --matchers lexical,llm --thresholds "0.08,0.15,0.25,0.4;0.1,0.2,0.3,0.5" \
    --prompts "$ROOT/tests/fake/sweep_prompt.lua" --matcher-models fake-metajudge \
    --metajudge-base-url "$FAKE_URL/v1" --reference 3 --out sw2 --cache c.sqlite --json
  expect_rc 0
  grep -q '"cost":{"cached":96,"calls":96,"cost_usd":0.0,"failed":0,"input_tokens":0,"output_tokens":0' <<<"$OUT" ||
    fail "the cached rerun should cost nothing: $(grep -o '"cost":{[^}]*}' <<<"$OUT" | tail -n 1)"
  [ "$(json_field "$(fake_stats)" ok)" = 96 ] || fail "the rerun reached the fake LLM"
  stop_fake
}

t_sweep_usage_errors() {
  ratio run "$ROOT/recipes/sweep.lua" --thresholds "0.1,0.2,0.3,0.4;0.5,0.4,0.3,0.2"
  expect_rc 2
  expect_err_first "ratio: --thresholds: set 2 ('0.5,0.4,0.3,0.2') must be four ascending numbers"
  ratio run "$ROOT/recipes/sweep.lua" --matchers lexical,llm
  expect_rc 2
  expect_err_first "ratio: --matcher-models: is required with --matchers llm"
  ratio run "$ROOT/recipes/sweep.lua" --reference nope
  expect_rc 2
  expect_err_first "ratio: --reference: no cell 'nope' (cells: 1 lexical/default)"
  printf 'return "no placeholders {{oops}}"\n' > bad_prompt.lua
  ratio run "$ROOT/recipes/sweep.lua" --matchers llm --matcher-models m --prompts bad_prompt.lua
  expect_rc 2
  expect_err_first "ratio: --prompts: bad_prompt.lua: no value for {{oops}}"
}
