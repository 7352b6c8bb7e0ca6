# Fidelity to the published setup: the MetaJudge prompt read out of a script shaped like the
# published metajudge_infer.py (tests/fixtures/published_shaped_infer.py, our own wording), the
# published preset and output shape; sweep with ratio's and that prompt side by side.

PUBLISHED_SHAPED="$ROOT/tests/fixtures/published_shaped_infer.py"

# mj_data FILE: six sample items; the fifth's first reply has no block, the sixth thinks first.
mj_data() {
  head -n 4 "$ROOT/data/sample.jsonl" > "$1"
  sed -n 5p "$ROOT/data/sample.jsonl" | sed 's/"human-checklist": \["/"human-checklist": ["NOBLOCK /' >> "$1"
  sed -n 6p "$ROOT/data/sample.jsonl" | sed 's/"human-checklist": \["/"human-checklist": ["THINKDRAFT /' >> "$1"
}

t_metajudge_published_prompt_and_preset() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  mj_data d.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --models careful --matcher llm \
    --metajudge-prompt "$PUBLISHED_SHAPED" --metajudge-preset published \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --mode reference --out pub --cache c.sqlite --json
  expect_rc 0
  grep -q '"valid":6' <<<"$OUT" || fail "expected six valid items: $OUT"
  # The published output shape came back and was kept as the published file keeps it.
  [ "$(grep -c 'Scores corresponding to claims:' pub/metajudge-careful.jsonl)" = 6 ] || fail "replies not in the published shape"
  grep -q '"prompt":"You grade how far' pub/metajudge-careful.jsonl || fail "the prompt is not the script's template"
  grep -q 'S1: Response B runs to about 150 words' pub/metajudge-careful.jsonl || fail "lists not rendered as the script does"
  # NOBLOCK: sampled again (the published retry), not re-asked in a conversation.
  grep -q '"reasks":1,.*"samples":2' pub/metajudge-careful.jsonl || fail "no second sample recorded"
  # THINKDRAFT: the draft in <think> is not the answer, and is kept apart.
  grep -q '"reasoning":"A first draft:' pub/metajudge-careful.jsonl || fail "reasoning not kept apart"
  grep -q '"generated_text":"<think>' pub/metajudge-careful.jsonl && fail "the kept reply still holds <think>"
  grep -q '"temperature": 0.6' pub/manifest.json || fail "the published temperature is not in the manifest"
  grep -q '"max_tokens": 8192' pub/manifest.json || fail "the published max tokens are not in the manifest"
  grep -q '"preset": "published"' pub/manifest.json || fail "the preset is not in the manifest"
  # 6 items + 1 extra sample
  [ "$(json_field "$(fake_stats)" ok)" = 7 ] || fail "expected 7 calls: $(fake_stats)"
  # The fake answers with the lexical matcher's scores: the published-shape replies, read by the
  # published analysis rules, give exactly the lexical matcher's numbers.
  ratio run "$ROOT/recipes/analyze.lua" --input pub/metajudge-careful.jsonl --judge careful --json
  expect_rc 0
  local got want
  got=$(grep -o '"recall":[0-9.]*' <<<"$OUT" | tail -n 1)
  grep -q '"valid_samples":6' <<<"$OUT" || fail "analyze: $OUT"
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --models careful --mode reference --out lex --json
  want=$(grep -o '"recall":[0-9.]*' <<<"$OUT" | tail -n 1)
  [ -n "$got" ] && [ "$got" = "$want" ] || fail "published-shape RC $got, lexical $want"
  # An explicit temperature wins over the preset's; ratio's preset re-asks instead.
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --models careful --matcher llm \
    --metajudge-prompt "$PUBLISHED_SHAPED" --metajudge-preset published --metajudge-temperature 0 \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --out pub0 --cache c.sqlite --json
  expect_rc 0
  grep -q '"temperature": 0$' pub0/manifest.json || fail "explicit temperature lost: $(grep -A3 '"params"' pub0/manifest.json)"
  grep -q '"max_tokens": 8192' pub0/manifest.json || fail "the preset's max tokens lost"
  stop_fake
}

t_metajudge_prompt_file_errors() {
  printf 'PROMPT = """{alpha} and {beta}"""\n' > odd.py
  ratio run "$ROOT/recipes/metajudge.lua" --matcher llm --metajudge-model m --metajudge-prompt odd.py
  expect_rc 2
  expect_err_first "ratio: --metajudge-prompt: odd.py:1: PROMPT: cannot tell whether {alpha} is the human or the model list"
  ratio run "$ROOT/recipes/metajudge.lua" --matcher llm --metajudge-model m --metajudge-prompt missing.txt
  expect_rc 2
  expect_err_first "ratio: --metajudge-prompt: missing.txt: No such file or directory"
  # A copy of ratio's own template file works as a prompt.
  cp "$ROOT/plugins/matchers/templates/ratio.txt" mine.txt
  sed -i 's/Be strict:/Be very strict:/' mine.txt
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  head -n 3 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/metajudge.lua" --input d.jsonl --models careful --matcher llm --metajudge-prompt mine.txt \
    --metajudge-base-url "$FAKE_URL/v1" --metajudge-model fake-metajudge --out mine --cache c.sqlite --json
  expect_rc 0
  grep -q '"valid":3' <<<"$OUT" || fail "the copied template: $OUT"
  grep -q 'Be very strict:' mine/metajudge-careful.jsonl || fail "the edited template was not used"
  stop_fake
}

t_sweep_ratio_and_published_prompts_side_by_side() {
  start_fake --responder "$ROOT/tests/fake/metajudge_responder.lua" || return
  head -n 8 "$ROOT/data/sample.jsonl" > d.jsonl
  ratio run "$ROOT/recipes/sweep.lua" --input d.jsonl --matchers llm --prompts "ratio,$PUBLISHED_SHAPED" \
    --matcher-models fake-metajudge --metajudge-base-url "$FAKE_URL/v1" --out sw --cache c.sqlite --json
  expect_rc 0
  cat > check.lua <<'LUA'
local ratio = require "ratio"
local p = ratio.params{ file = {nil, "summary", type = "file", required = true} }
local f = assert(io.open(p.file))
local s = assert(ratio.json.decode(f:read("a")))
f:close()
assert(#s.cells == 2, "cells " .. #s.cells)
local a, b = s.cells[1], s.cells[2]
assert(a.name == "llm/fake-metajudge/ratio" and b.name == "llm/fake-metajudge/published_shaped_infer", b.name)
assert(a.reference and s.kappa_weights == "linear")
-- the fake scores both prompts alike, so the published prompt's cell agrees fully
assert(b.agreement.kappa == 1 and b.agreement.rationales > 20, "kappa " .. tostring(b.agreement.kappa))
assert(b.valid == 16 and b.unscored == 0, "valid " .. b.valid)
assert(a.judges.careful.recall == b.judges.careful.recall)
return {ok = true}
LUA
  ratio run check.lua --file sw/summary.json
  [ "$RC" = 0 ] || fail "summary.json: $ERR"
  stop_fake
}

# The paper's decomposition by default: 3-7 atomic rationales about problems, items outside 3-7
# left out, the count distribution beside the paper's (mean 4.37 over 1,000 items).
t_decompose_paper_defaults_filter_and_distribution() {
  start_fake --responder "$ROOT/tests/fake/decompose_responder.lua" || return
  ratio run "$ROOT/recipes/decompose.lua" --model fake-decomposer --base-url "$FAKE_URL/v1" --out dec --cache c.sqlite
  expect_rc 0
  expect_out_has "rationales per item (items): 0: 3, 1: 5, 2: 10, 3: 17, 4: 7, 5: 1, 6: 3, 7: 2."
  expect_out_has "the paper's: 4.37 over 1000 items (3-7)"
  expect_out_has "18 items outside 3-7 left out of decomposed.jsonl (18 with fewer, 0 with more)"
  check_json dec/summary.json '
local a = s.prompts.a
assert(s.keep_range == "3-7" and s.strengths == false, "defaults")
assert(s.paper.mean_rationales == 4.37 and s.paper.items == 1000 and s.paper.range[1] == 3 and s.paper.range[2] == 7)
assert(a.valid == 48 and a.range.kept == 30 and a.range.below == 18 and a.range.above == 0, ratio.json.encode(a.range))
assert(a.counts.n == 48 and #a.counts.histogram == 8 and a.counts.share_in_range == 30 / 48)
assert(a.kept_counts.n == 30 and math.abs(a.kept_counts.mean - 116 / 30) < 1e-12, a.kept_counts.mean)
assert(a.kept_counts.ci.lo < a.kept_counts.mean and a.kept_counts.ci.hi > a.kept_counts.mean)
assert(a.dropped_by_kind.strength > 0, "strengths dropped with their reason")'
  check_json dec/decomposed.jsonl '
assert(#items == 30)
for _, it in ipairs(items) do
  local n = #it["human-checklist"]
  assert(n >= 3 and n <= 7, it.id .. " has " .. n)
end'
  grep -q '"reason":"a strength, not a problem"' dec/items.jsonl || fail "no strength was left out"
  grep -q "Rationales per item" dec/report.html || fail "report.html lacks the distribution"
  # Strengths allowed and every item kept: the same items, more rationales, none left out.
  ratio run "$ROOT/recipes/decompose.lua" --model fake-decomposer --base-url "$FAKE_URL/v1" --out all \
    --cache c.sqlite --strengths --keep-range all
  expect_rc 0
  check_json all/summary.json '
local a = s.prompts.a
assert(s.keep_range == "all" and a.range == nil and a.written == 48, "all kept")
assert(a.kept_counts.mean > 5 and a.counts.histogram[#a.counts.histogram][1] == 7, "at most 7, as the prompt asks")'
  grep -q '"reason":"a strength, not a problem"' all/items.jsonl && fail "--strengths still dropped strengths"
  stop_fake
}
