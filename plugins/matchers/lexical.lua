-- The lexical matcher: no LLM, no network. Each human rationale is compared with each model reason
-- by word overlap (token Jaccard after dropping common English words, with "Response 1/2" read as
-- "Response A/B"), or by character 3-gram cosine or BM25; similarities are mapped to the MetaJudge
-- scale 0/0.25/0.5/0.75/1 through four thresholds; a maximum-weight one-to-one assignment
-- (Hungarian) pairs rationales with reasons, as the MetaJudge is told to. A cheap, deterministic
-- stand-in for the LLM MetaJudge: it rewards shared evidence words, so it can be fooled by
-- paraphrase — use it to teach and to sanity-check, and the llm matcher for numbers you publish.
local match = require "ratio.core.match"

local M = {}

local STOP = {}
for w in ([[a an the and or but if then than that this these those it its is are was were be been
  being of to in on at by for with from as into about over under not no so too very can could
  should would will does do did has have had response responses more less most also just only
  which who what when where while there their them they he she his her we our you your i me my
  all any each both some such other same one two]]):gmatch("%S+") do STOP[w] = true end

local function normalise(text)
  text = text:lower()
  text = text:gsub("@?response%s*1", "response a"):gsub("@?response%s*2", "response b")
  return text
end

local function content_words(norm) -- norm: already normalise()d
  local set, n = {}, 0
  for _, w in ipairs(match.tokens(norm)) do
    if not STOP[w] and #w > 1 and not set[w] then
      set[w] = true
      n = n + 1
    end
  end
  return set, n
end

local function jaccard(a, na, b, nb)
  if na == 0 or nb == 0 then return 0.0 end
  local inter = 0
  for w in pairs(a) do if b[w] then inter = inter + 1 end end
  return inter / (na + nb - inter)
end

-- new{similarity = "jaccard"|"char3"|"bm25", thresholds = {t1, t2, t3, t4}} -> matcher;
-- matcher:match(human, reasons) -> {scores = w (w[i][j]: rationale i against reason j, on the
-- scale), pairs = {{r = i, s = j, score = w[i][j]} or {r = i, s = 0, score = 0}, ...}}
function M.new(opts)
  local sim = opts.similarity or "jaccard"
  local defaults = {jaccard = {0.08, 0.15, 0.25, 0.4}, char3 = {0.3, 0.4, 0.5, 0.65},
                    bm25 = {0.15, 0.25, 0.4, 0.6}}
  if not defaults[sim] then error("lexical matcher: similarity must be jaccard, char3 or bm25", 3) end
  local thresholds = opts.thresholds or defaults[sim]
  match.to_scale(0, thresholds) -- validates them
  local self = {similarity = sim, thresholds = thresholds, corpus = opts.corpus}

  -- Each text is prepared once per item (normalised, and for jaccard reduced to its content
  -- words), not once per pair: an item of n rationales and m reasons has n + m texts, n * m pairs.
  local function prepare(text)
    local norm = normalise(text)
    if sim == "jaccard" then
      local set, n = content_words(norm)
      return {norm = norm, set = set, n = n}
    end
    return {norm = norm}
  end

  local function similarity(h, r)
    if sim == "char3" then return match.char3(h.norm, r.norm) end
    if sim == "bm25" then
      -- BM25 is unbounded: divide by the query's score against itself to land in [0, 1].
      local self_score = self.corpus:bm25(h.norm, h.norm)
      if self_score <= 0 then return 0.0 end
      return math.min(1.0, self.corpus:bm25(h.norm, r.norm) / self_score)
    end
    return jaccard(h.set, h.n, r.set, r.n)
  end

  function self:match(human, reasons)
    if sim == "bm25" and not self.corpus then
      return nil, "lexical matcher: bm25 needs a corpus (opts.corpus = ratio.core.match.corpus(docs))", "EUSAGE"
    end
    local rs = {}
    for j, r in ipairs(reasons) do rs[j] = prepare(r) end
    local w = {}
    for i, h in ipairs(human) do
      local hp = prepare(h)
      w[i] = {}
      for j = 1, #rs do w[i][j] = match.to_scale(similarity(hp, rs[j]), thresholds) end
    end
    local _, pairs = match.assign_pairs(w, #human)
    return {scores = w, pairs = pairs}
  end
  return self
end

return M
