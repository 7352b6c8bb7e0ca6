-- ratio.reward: the hybrid reward for RL training of a judge (arXiv 2602.04649, DESIGN.md §1.5):
-- a rollout's reasons are matched against the human checklist and its verdict against the human
-- preference, and the two parts are combined by a formula.
--
--   local r = ratio.reward.score(rollout_text, human_checklist, overall_preference,
--                                {formula = "paper", matcher = ratio.metajudge.matcher("lexical")})
--   -- r.reward, r.status ("ok" | "unscored" | "failed"), r.reason, r.error,
--   -- r.parts = {ap, rc, precision, f1, outcome, verdict, n_reasons, n_human, preference}
--
-- Formulas: "paper" R = AP x outcome (the paper's R_rationale x R_outcome, paper-mode AP over the
-- top-5 reasons); "weighted" R = w_rationale * AP + w_outcome * outcome; or any Lua function
-- fn(parts) -> number. A rollout with no readable verdict is `unscored` and gets the fallback
-- (default 0) without a MetaJudge call; so does one whose MetaJudge reply has no score block. A
-- matcher call that fails for good is `failed`, also with the fallback. The reward is always a
-- number, so a trainer never sees a hole; the status says whether it was earned.
--
-- Built for a reward server: everything an options table implies (formula, fallback, matcher,
-- the parser) is resolved once per table (reward.scorer, or cached by reward.score), and
-- outcome, formula and parts are pure functions of their arguments.
local dataset = require "ratio.dataset"
local metrics = require "ratio.core.metrics"

local M = {}

-- What R_rationale is read from: the paper uses AP; RC, precision and F1 are a recipe's choice.
M.RATIONALE = {ap = true, rc = true, precision = true, f1 = true}

-- How a verdict on a human tie (overall_preference 0) counts:
--   exact   (default) only A=B is correct: the judge must see the tie
--   lenient A=B, A>B and B>A are correct; only a strong preference (A>>B, B>>A) contradicts a tie
--   any     every verdict is correct: on ties the outcome gate is open and the rationale decides
M.TIES = {exact = true, lenient = true, any = true}

-- outcome(label, overall_preference [, tie = "exact"]) -> 1.0 | 0.0, or nil when label is not one
-- of the five verdicts. Negative preference = response 1 (A) better; a predicted tie on a
-- non-tie is wrong (ratio.dataset.outcome); a human tie follows `tie` (see M.TIES).
function M.outcome(label, pref, tie)
  if type(pref) ~= "number" then error("ratio.reward.outcome: overall_preference must be a number", 2) end
  if type(label) ~= "string" then return nil end
  local v = dataset.LABELS[label:gsub("%s", "")]
  if v == nil then return nil end
  if pref ~= 0 then return dataset.outcome(label, pref) and 1.0 or 0.0 end
  tie = tie or "exact"
  if tie == "exact" then return v == 0 and 1.0 or 0.0 end
  if tie == "lenient" then return (v >= -1 and v <= 1) and 1.0 or 0.0 end
  if tie == "any" then return 1.0 end
  error("ratio.reward: tie must be exact, lenient or any, got " .. tostring(tie), 2)
end

local function check_weight(v, name)
  if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
    error(("ratio.reward: weights.%s must be a finite number, got %s"):format(name, tostring(v)), 3)
  end
  return v
end

-- formula(spec [, {rationale = "ap", weights = {rationale = 0.5, outcome = 0.5}}]) -> fn(parts) -> number
-- spec: "paper" (rationale x outcome), "weighted" (w_r * rationale + w_o * outcome) or a function
-- fn(parts) -> number, returned wrapped so that a result that is not a finite number raises.
function M.formula(spec, opts)
  opts = opts or {}
  local key = opts.rationale or "ap"
  if not M.RATIONALE[key] then
    error("ratio.reward: rationale must be ap, rc, precision or f1, got " .. tostring(key), 2)
  end
  if spec == nil or spec == "paper" then
    return function(parts) return parts[key] * parts.outcome end
  elseif spec == "weighted" then
    local w = opts.weights or {}
    local wr = check_weight(w.rationale == nil and 0.5 or w.rationale, "rationale")
    local wo = check_weight(w.outcome == nil and 0.5 or w.outcome, "outcome")
    return function(parts) return wr * parts[key] + wo * parts.outcome end
  elseif type(spec) == "function" then
    return function(parts)
      local v = spec(parts)
      if type(v) ~= "number" or v ~= v or v == math.huge or v == -math.huge then
        error("ratio.reward: the formula returned " .. tostring(v) .. ", not a finite number", 0)
      end
      return v
    end
  end
  error("ratio.reward: formula must be \"paper\", \"weighted\" or a function, got " .. tostring(spec), 2)
end

-- load_formula(path) -> fn(parts) -> number | nil, message: a Lua file (the researcher's own code,
-- read in text mode) whose chunk returns the formula function.
function M.load_formula(path)
  local chunk, err = loadfile(path, "t")
  if not chunk then return nil, err end
  local ok, fn = pcall(chunk)
  if not ok then return nil, ("%s: %s"):format(path, tostring(fn)) end
  if type(fn) ~= "function" then
    return nil, ("%s: must return a function(parts) -> reward, returned %s"):format(path, type(fn))
  end
  return fn
end

-- parts(reply, n_human, n_reasons, label, pref [, {top_k = 5, tie = "exact"}]) -> parts, metric
-- The parts of one scored rollout, from a MetaJudge reply (score lines `- R<i>@S<j>: <score>`) for
-- n_human rationales against the rollout's first n_reasons reasons: paper-mode AP, RC (recall),
-- precision and F1, and the outcome (1/0) of `label` against `pref`. Pure; metric.status tells
-- whether the reply could be read ("valid", "partial" — both scored — or "unscored"/"error").
function M.parts(reply, n_human, n_reasons, label, pref, opts)
  opts = opts or {}
  local m = metrics.score(reply, n_human, n_reasons, {mode = "paper", top_k = opts.top_k or 5})
  local parts = {outcome = M.outcome(label, pref, opts.tie), verdict = label, n_reasons = n_reasons,
                 n_human = n_human, preference = pref}
  if m.status == "valid" or m.status == "partial" then -- an unreadable reply gives no numbers
    parts.ap, parts.rc, parts.precision, parts.f1 = m.ap, m.recall, m.precision, m.f1
  end
  return parts, m
end

local default_matcher -- the lexical matcher, made on first use: no network, deterministic

-- A fallback spec as a function of (parts): a number, "outcome" (the outcome part alone, 0 without
-- a verdict) or a function.
local function fallback_fn(spec)
  if spec == nil then spec = 0.0 end
  if type(spec) == "number" then
    if spec ~= spec or spec == math.huge or spec == -math.huge then
      error("ratio.reward: fallback must be a finite number", 3)
    end
    local v = spec + 0.0
    return function() return v end
  end
  if spec == "outcome" then return function(parts) return parts.outcome or 0.0 end end
  if type(spec) == "function" then return M.formula(spec) end
  error("ratio.reward: fallback must be a number, \"outcome\" or a function, got " .. tostring(spec), 3)
end

local Scorer = {}
Scorer.__index = Scorer

-- scorer{formula=, rationale=, weights=, matcher=, top_k = 5, tie = "exact", fallback = 0,
--        parse = ratio.judge.parse} -> scorer with :score(rollout, checklist, pref)
-- Resolves the options once; a reward server makes one and calls :score for every rollout.
function M.scorer(opts)
  opts = opts or {}
  local top_k = opts.top_k or 5
  if math.type(top_k) ~= "integer" or top_k < 0 then error("ratio.reward: top_k must be an integer >= 0", 2) end
  local tie = opts.tie or "exact"
  if not M.TIES[tie] then error("ratio.reward: tie must be exact, lenient or any, got " .. tostring(tie), 2) end
  local matcher = opts.matcher
  if matcher == nil then
    default_matcher = default_matcher or require("ratio.metajudge").matcher("lexical")
    matcher = default_matcher
  elseif type(matcher) ~= "table" or type(matcher.match) ~= "function" then
    error("ratio.reward: matcher must be a matcher (ratio.metajudge.matcher(...))", 2)
  end
  return setmetatable({
    formula = M.formula(opts.formula, {rationale = opts.rationale, weights = opts.weights}),
    fallback = fallback_fn(opts.fallback),
    matcher = matcher, top_k = top_k, tie = tie,
    parse = opts.parse or require("ratio.judge").parse,
  }, Scorer)
end

local function check_checklist(v)
  if type(v) ~= "table" then return false end
  for i = 1, #v do if type(v[i]) ~= "string" then return false end end
  return true
end

-- An unearned result: the fallback reward, the status and why.
function Scorer:unearned(result, status, reason, err)
  result.status, result.reason, result.error = status, reason, err
  result.reward = self.fallback(result.parts)
  result.fallback = true
  return result
end

-- scorer:score(rollout, checklist, pref) -> {reward, status, reason, error, code, fallback, parts,
--   reasons (those matched: the top_k), reply (the MetaJudge reply), match, issues (the parser's),
--   matcher_info (what the matcher reports, if anything: the llm matcher's reasks, queue_ms and
--   endpoint_ms)}
-- Waits when the matcher does (an LLM MetaJudge): call it inside a task.
function Scorer:score(rollout, checklist, pref)
  if type(rollout) ~= "string" then error("ratio.reward.score: the rollout must be a string", 2) end
  if not check_checklist(checklist) then error("ratio.reward.score: the human checklist must be a list of strings", 2) end
  if type(pref) ~= "number" or pref ~= pref or pref < -3 or pref > 3 then
    error("ratio.reward.score: overall_preference must be a number from -3 to 3, got " .. tostring(pref), 2)
  end
  local parsed = self.parse(rollout)
  local all = parsed.reasons or {}
  local reasons = all
  if self.top_k > 0 and #all > self.top_k then
    reasons = table.move(all, 1, self.top_k, 1, {})
  end
  local label = parsed.label
  local result = {reasons = reasons, issues = parsed.issues,
                  parts = {verdict = label, n_reasons = #all, n_human = #checklist, preference = pref,
                           outcome = M.outcome(label, pref, self.tie)}}
  -- No verdict: nothing to gate, and no reason to pay for a MetaJudge call.
  if label == nil then
    return self:unearned(result, "unscored", "no_verdict", "no readable verdict in the rollout")
  end
  if #checklist == 0 then
    return self:unearned(result, "unscored", "empty_checklist", "the human checklist is empty")
  end
  local reply, err, code
  if #reasons == 0 then
    -- A verdict with no reasons earns no rationale credit; the block says so without a call.
    local none = {}
    for i = 1, #checklist do none[i] = {s = 0, score = 0} end
    reply = require("ratio.metrics").block(none)
    result.reason = "no_reasons"
  else
    local info
    reply, err, code, info = self.matcher:match(checklist, reasons)
    result.matcher_info = info
    if reply == nil then
      result.code = code
      return self:unearned(result, "failed", "matcher_failed", tostring(err))
    end
  end
  result.reply = require("ratio.metrics").render(reply) -- a matcher's record, as files carry it
  local parts, m = M.parts(reply, #checklist, #reasons, label, pref, {top_k = self.top_k, tie = self.tie})
  parts.n_reasons = #all
  result.parts, result.match, result.pairs = parts, m.match, m.pairs
  if m.status ~= "valid" and m.status ~= "partial" then
    -- Name the real cause: "error" is not only a score above 1 (a block cut short at the parser's
    -- line limit is one too).
    local why = m.reason == "score_above_one" and "the MetaJudge reply has a score above 1"
                or m.status == "error" and ("the MetaJudge reply is unreadable (" .. tostring(m.reason) .. ")")
                or "the MetaJudge reply has no score block"
    return self:unearned(result, "unscored", "unscored_reply", why)
  end
  result.status = "ok"
  result.reward = self.formula(parts)
  return result
end

-- Scorers made by score(), one per options table (weak keys: a dropped table frees its scorer).
local compiled = setmetatable({}, {__mode = "k"})
local NO_OPTS = {}

-- score(rollout, checklist, pref [, opts]) -> result (see Scorer:score); opts as for scorer().
-- The options table is resolved on its first use and reused after: change a setting by passing a
-- new table, not by editing this one.
function M.score(rollout, checklist, pref, opts)
  opts = opts or NO_OPTS
  local s = compiled[opts]
  if not s then
    s = M.scorer(opts)
    compiled[opts] = s
  end
  return s:score(rollout, checklist, pref)
end

return M
