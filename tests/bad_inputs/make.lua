-- Which hostile input files must every data-reading recipe reject cleanly? Writes them into --out
-- (the bad-input campaign of tests/e2e/test_bad_inputs.sh) with cases.tsv listing, per file, the
-- recipes that must reject it and the start of the one-line error each must print. Huge and
-- binary files are made here, at test time, so none is committed.
local ratio = require "ratio"
local p = ratio.params{
  dir = {nil, "folder to write the files into (must exist)", required = true},
  huge = {false, "also write huge.jsonl, one line over the 64 MiB line limit"},
}

-- One valid item that every recipe accepts (judge "m"), as ordered {key, raw JSON} pairs so a
-- case can put any literal text (NaN, bad UTF-8, a duplicate key) in one field.
local BASE = {
  {"id", '"x-1"'}, {"domain", '"general"'},
  {"context", '[{"role": "user", "content": "Name a prime number."}]'},
  {"response1", '"7 is prime."'}, {"response2", '"9 is prime."'},
  {"overall_preference", "-2"},
  {"human-checklist", '["Response 2 calls 9 prime, but 9 = 3 x 3."]'},
  {"m-checklist", '["Response 2 is wrong about 9."]'}, {"m-label", '"A>B"'},
  {"rollout", '"Response 2 is wrong about 9.\\n\\\\boxed{A>B}"'},
  {"individual_preference", '[{"score": -2, "reasoning": "9 is not prime."}]'},
}

-- line(changes) -> one JSON object line: BASE with changes[key] = raw text (false drops the key)
local function line(changes)
  changes = changes or {}
  local parts = {}
  for _, kv in ipairs(BASE) do
    local v = changes[kv[1]]
    if v == nil then v = kv[2] end
    if v ~= false then parts[#parts + 1] = ('"%s": %s'):format(kv[1], v) end
  end
  for k, v in pairs(changes) do -- extra raw text appended verbatim (duplicate keys)
    if type(k) == "number" then parts[#parts + 1] = v end
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

local cases = {} -- {name, content, {recipe = expected first stderr line prefix}}
local function case(name, content, expect) cases[#cases + 1] = {name, content, expect} end

-- The recipes (keys used by the test): qs quickstart, mj metajudge, au audit, jd judge,
-- hr hybrid_reward, dc decompose, an analyze.
local DATASET = {"qs", "mj", "jd", "hr"}        -- read through ratio.dataset (human-checklist, overall_preference)
local JUDGES = {"qs", "mj", "au"}               -- read m-checklist / m-label
local function all_of(lists, msg)
  local t = {}
  for _, list in ipairs(lists) do for _, r in ipairs(list) do t[r] = msg end end
  return t
end
local function with(t, more) for k, v in pairs(more) do t[k] = v end return t end

local good = line()
-- analyze leaves unparsable lines out (counted, warned: the published script does the same), so
-- a file with no JSON line at all is its error, printed last, after the warnings.
local NOJSON = {an = " no line is JSON"}
local NOITEMS = all_of({DATASET, JUDGES, {"dc", "an"}}, " no items (the file is empty or has only blank lines)")
-- Wrong types in every field, on line 2 after a good line (so the line number is checked).
local WRONG = {{"number", "42"}, {"string", '"text"'}, {"object", '{"a": 1}'}, {"bool", "true"}, {"null", "null"}}
for _, w in ipairs(WRONG) do
  local kind, raw = w[1], w[2]
  if kind ~= "null" then -- null human-checklist / m-checklist are covered as missing-ish below
    case("hc_" .. kind, good .. "\n" .. line{["human-checklist"] = raw} .. "\n",
         all_of({DATASET}, "2: human-checklist"))
    case("mck_" .. kind, good .. "\n" .. line{["m-checklist"] = raw} .. "\n",
         all_of({JUDGES}, "2: m-checklist"))
  end
  if kind ~= "string" and kind ~= "null" then
    case("mlabel_" .. kind, good .. "\n" .. line{["m-label"] = raw} .. "\n",
         all_of({JUDGES}, "2: m-label"))
    case("resp1_" .. kind, good .. "\n" .. line{response1 = raw} .. "\n",
         {jd = "2: response1", dc = "2: response1"})
    case("resp2_" .. kind, good .. "\n" .. line{response2 = raw} .. "\n",
         {jd = "2: response2", dc = "2: response2"})
    case("rollout_" .. kind, good .. "\n" .. line{rollout = raw} .. "\n", {hr = "2: rollout"})
  end
  if kind ~= "null" then
    case("pref_" .. kind, good .. "\n" .. line{overall_preference = raw} .. "\n",
         all_of({DATASET}, "2: overall_preference"))
  end
  if kind ~= "object" and kind ~= "null" then
    case("ip_" .. kind, good .. "\n" .. line{individual_preference = raw} .. "\n",
         {dc = "2: individual_preference"})
  end
  if kind ~= "string" and kind ~= "null" then
    case("context_" .. kind, good .. "\n" .. line{context = raw} .. "\n", {jd = "2: context"})
  end
end
case("mlabel_bad_verdict", good .. "\n" .. line{["m-label"] = '"A>>>B"'} .. "\n",
     {qs = "2: m-label", mj = "2: m-label"})
case("hc_list_of_numbers", line{["human-checklist"] = "[1, 2]"} .. "\n", all_of({DATASET}, "1: human-checklist"))
case("hc_nested_lists", line{["human-checklist"] = '[["a"]]'} .. "\n", all_of({DATASET}, "1: human-checklist"))
case("mck_list_with_null", line{["m-checklist"] = '["a", null]'} .. "\n", all_of({JUDGES}, "1: m-checklist"))
case("context_turn_number", line{context = "[1]"} .. "\n", {jd = "1: context[1]"})
case("context_empty_list", line{context = "[]"} .. "\n", {jd = "1: context"})
case("ip_empty_list", line{individual_preference = "[]"} .. "\n", {dc = "1: individual_preference"})
case("ip_annotator_number", line{individual_preference = "[1]"} .. "\n", {dc = "1: individual_preference[1]"})
case("ip_reasoning_number", line{individual_preference = '[{"reasoning": 5}]'} .. "\n", {dc = "1: individual_preference[1]"})

-- Checklists longer than a MetaJudge score block holds (1024 lines).
local long = {}
for i = 1, 1025 do long[i] = ('"reason %d"'):format(i) end
long = "[" .. table.concat(long, ", ") .. "]"
case("hc_too_long", good .. "\n" .. line{["human-checklist"] = long} .. "\n",
     all_of({DATASET}, "2: human-checklist: 1025 items, more than the 1024 allowed"))
case("mck_too_long", good .. "\n" .. line{["m-checklist"] = long} .. "\n",
     {qs = "2: m-checklist: 1025 items", mj = "2: m-checklist: 1025 items"})

-- Missing fields.
case("missing_hc", line{["human-checklist"] = false} .. "\n", all_of({DATASET}, "1: human-checklist: missing"))
case("missing_mck", line{["m-checklist"] = false} .. "\n", all_of({JUDGES}, "1: m-checklist: missing"))
case("missing_response1", line{response1 = false} .. "\n", {jd = "1: response1", dc = "1: response1"})
case("missing_response2", line{response2 = false} .. "\n", {jd = "1: response2", dc = "1: response2"})
case("missing_context", line{context = false} .. "\n", {jd = "1: context"})
case("missing_ip", line{individual_preference = false} .. "\n", {dc = "1: individual_preference: missing"})
case("missing_rollout", line{rollout = false} .. "\n", {hr = "1: rollout: missing"})
case("missing_pref", line{overall_preference = false} .. "\n", {hr = "1: overall_preference"})

-- Numbers out of range and non-finite literals.
case("pref_too_big", line{overall_preference = "4"} .. "\n", all_of({DATASET}, "1: overall_preference"))
case("pref_too_small", line{overall_preference = "-3.5"} .. "\n", all_of({DATASET}, "1: overall_preference"))
case("pref_1e999", line{overall_preference = "1e999"} .. "\n", all_of({DATASET}, "1:"))
case("pref_huge_int", line{overall_preference = "123456789012345678901234567890"} .. "\n", all_of({DATASET}, "1: overall_preference"))
case("pref_nan", line{overall_preference = "NaN"} .. "\n", with(all_of({DATASET, JUDGES, {"dc"}}, "1:"), NOJSON))
case("pref_infinity", line{overall_preference = "Infinity"} .. "\n", with(all_of({DATASET, JUDGES, {"dc"}}, "1:"), NOJSON))
case("pref_neg_infinity", line{overall_preference = "-Infinity"} .. "\n", with(all_of({DATASET, JUDGES, {"dc"}}, "1:"), NOJSON))

-- Syntax and encoding.
local PARSE = all_of({DATASET, JUDGES, {"dc"}}, "2:")
case("invalid_utf8", good .. "\n" .. line{response1 = '"bad \xff\xfe bytes"'} .. "\n", PARSE)
case("invalid_utf8_key", good .. "\n" .. line{[1] = '"k\xc3": 1'} .. "\n", PARSE)
case("overlong_utf8", good .. "\n" .. line{response1 = '"\xc0\xaf"'} .. "\n", PARSE)
case("lone_surrogate_escape", good .. "\n" .. line{response1 = '"\\ud800"'} .. "\n", PARSE)
case("truncated_line", good .. "\n" .. line():sub(1, 40) .. "\n", PARSE)
case("trailing_garbage", good .. "\n" .. line() .. " x\n", PARSE)
case("two_objects_one_line", good .. "\n" .. line() .. line() .. "\n", PARSE)
case("nul_byte", good .. "\n" .. line{response1 = '"a\0b"'} .. "\n", PARSE)
case("json_array", "[" .. good .. ",\n" .. good .. "]\n", with(all_of({DATASET, JUDGES, {"dc"}}, "1:"), NOJSON))
case("array_line", good .. "\n[1, 2, 3]\n", all_of({DATASET, JUDGES, {"dc"}}, "2:"))
case("scalar_line", good .. "\n42\n", all_of({DATASET, JUDGES, {"dc"}}, "2:"))
case("string_line", good .. "\n\"hello\"\n", all_of({DATASET, JUDGES, {"dc"}}, "2:"))
case("null_line", good .. "\nnull\n", all_of({DATASET, JUDGES, {"dc"}}, "2:"))

-- Deep nesting: in a field (over the reader's depth limit) and as the whole line.
case("deep_nesting_field", good .. "\n" .. line{context = ("["):rep(100000) .. ("]"):rep(100000)} .. "\n", PARSE)
case("deep_nesting_line", good .. "\n" .. ("["):rep(200000) .. "\n", PARSE)
case("deep_objects", good .. "\n" .. ('{"a":'):rep(50000) .. "1" .. ("}"):rep(50000) .. "\n", PARSE)

-- Duplicate keys: the later value must be the one checked (or the line refused), never a crash.
case("duplicate_key_bad_last", good .. "\n" .. line{[1] = '"human-checklist": 7'} .. "\n",
     all_of({DATASET}, "2:"))

-- Whole-file problems.
case("empty", "", NOITEMS)
case("blank_lines_only", "\n\n   \n\t\n\r\n", NOITEMS)
case("bom_crlf", "\xef\xbb\xbf" .. good .. "\r\n" .. good .. "\r\n", {}) -- fine: must be accepted
case("bom_twice", "\xef\xbb\xbf\xef\xbb\xbf" .. good .. "\n", with(all_of({DATASET, JUDGES, {"dc"}}, "1:"), NOJSON))
case("bom_mid_file", good .. "\n\xef\xbb\xbf" .. good .. "\n", all_of({DATASET, JUDGES, {"dc"}}, "2:"))
case("nul_bytes_only", "\0\0", with(all_of({DATASET, JUDGES, {"dc"}}, "1:"), NOJSON))
case("utf16_bom", "\xff\xfe{\0}\0\n\0", with(all_of({DATASET, JUDGES, {"dc"}}, "1:"), NOJSON))
local bin = {}
local seed = 7
for i = 1, 4096 do seed = (seed * 1103515245 + 12345) % 2147483648; bin[i] = string.char(seed % 256) end
case("binary", table.concat(bin), with(all_of({DATASET, JUDGES, {"dc"}}, ""), NOJSON))
case("gzip_magic", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" .. table.concat(bin, "", 1, 200), with(all_of({DATASET, JUDGES, {"dc"}}, ""), NOJSON))

local tsv = assert(io.open(p.dir .. "/cases.tsv", "wb"))
for _, c in ipairs(cases) do
  local f = assert(io.open(p.dir .. "/" .. c[1] .. ".jsonl", "wb"))
  f:write(c[2])
  f:close()
  local keys = {}
  for r in pairs(c[3]) do keys[#keys + 1] = r end
  table.sort(keys)
  for _, r in ipairs(keys) do tsv:write(c[1], "\t", r, "\t", c[3][r], "\n") end
  if #keys == 0 then tsv:write(c[1], "\t-\t\n") end
end
tsv:close()

if p.huge then -- one line of 64 MiB + 1 KiB inside a string field, after a good line
  local f = assert(io.open(p.dir .. "/huge.jsonl", "wb"))
  f:write(good, "\n", '{"id": "big", "response1": "')
  local chunk = ("x"):rep(1024 * 1024)
  for _ = 1, 64 do f:write(chunk) end
  f:write(("y"):rep(1024), '"}\n')
  f:close()
end
return {cases = #cases}
