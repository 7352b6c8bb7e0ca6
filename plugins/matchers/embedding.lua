-- The embedding matcher: embeds every human rationale and model reason with an
-- OpenAI-compatible /embeddings endpoint (one request per item, cached like any call), maps the
-- cosine similarities to the MetaJudge scale through four thresholds, and pairs them one-to-one
-- (Hungarian). Closer to meaning than word overlap, far cheaper than an LLM MetaJudge.
local match = require "ratio.core.match"

local M = {}

-- new{client = ratio.llm{...}, thresholds = {t1, t2, t3, t4}} -> matcher; :match returns a record
-- {scores = the scaled similarity matrix, pairs = one {r, s, score} per rationale} (lexical.lua)
function M.new(opts)
  if not opts.client then error("embedding matcher: needs client = ratio.llm{...} for /embeddings", 3) end
  local thresholds = opts.thresholds or {0.5, 0.6, 0.7, 0.8}
  match.to_scale(0, thresholds)
  local self = {client = opts.client, thresholds = thresholds}

  function self:match(human, reasons)
    local texts = {}
    for _, h in ipairs(human) do texts[#texts + 1] = h end
    for _, r in ipairs(reasons) do texts[#texts + 1] = r end
    if #reasons == 0 then
      local _, none = match.assign_pairs({}, #human)
      return {scores = {}, pairs = none}
    end
    local vectors, err, code = self.client:embed(texts)
    if not vectors then return nil, err, code end
    local hv, rv = {}, {}
    for i = 1, #human do hv[i] = vectors[i] end
    for j = 1, #reasons do rv[j] = vectors[#human + j] end
    local cos = match.cosine_matrix(hv, rv)
    local w = {}
    for i = 1, #human do
      w[i] = {}
      for j = 1, #reasons do w[i][j] = match.to_scale(cos[i][j], thresholds) end
    end
    local _, pairs = match.assign_pairs(w, #human)
    return {scores = w, pairs = pairs}
  end
  return self
end

return M
