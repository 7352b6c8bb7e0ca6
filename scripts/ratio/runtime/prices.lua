-- ratio.prices: US dollars per million tokens, {input, output}, for the cost line of a run and the
-- estimate made before it (estimate, tokens). Prices change: this table is a starting point to
-- edit, and a recipe can pass prices = {input=, output=} to ratio.llm. A model not listed here is
-- shown as unpriced (cost null), never as free.
local M = {}

M.table = {
  ["gpt-4o"] = {input = 2.50, output = 10.00},
  ["gpt-4o-mini"] = {input = 0.15, output = 0.60},
  ["gpt-4.1"] = {input = 2.00, output = 8.00},
  ["gpt-4.1-mini"] = {input = 0.40, output = 1.60},
  ["gpt-5"] = {input = 1.25, output = 10.00},
  ["gpt-5-mini"] = {input = 0.25, output = 2.00},
  ["o3"] = {input = 2.00, output = 8.00},
  ["o3-mini"] = {input = 1.10, output = 4.40},
  ["claude-sonnet-4"] = {input = 3.00, output = 15.00}, -- also claude-sonnet-4-5 by prefix
  ["claude-3-5-sonnet"] = {input = 3.00, output = 15.00},
  ["deepseek-reasoner"] = {input = 0.55, output = 2.19},
  ["claude-3-5-haiku"] = {input = 0.80, output = 4.00},
  ["deepseek-chat"] = {input = 0.27, output = 1.10},
  ["qwen-plus"] = {input = 0.40, output = 1.20},
  ["qwen-max"] = {input = 1.60, output = 6.40},
  ["fake"] = {input = 0.0, output = 0.0}, -- the test suite's fake LLM
}

-- lookup(model) -> {input, output} or nil. Matches the longest listed prefix, so dated model names
-- ("gpt-4o-2024-08-06") find their family.
function M.lookup(model)
  local best, best_len = nil, 0
  for name, p in pairs(M.table) do
    if model:sub(1, #name) == name and #name > best_len then best, best_len = p, #name end
  end
  return best
end

-- tokens(text) -> a rough count of a text's tokens before it is sent: characters / 4, plus one.
function M.tokens(text) return #text // 4 + 1 end

-- estimate() -> a cost estimate built up before any call: est:add(model, calls, input_tokens,
-- output_tokens) adds to the model's line (lines in order of first use); est:totals() -> {usd,
-- unpriced = {models with no price}, models = {{model, calls, input_tokens, output_tokens,
-- cost_usd}}, rows = the same lines as text ("no price" for an unpriced model's USD)}.
local Estimate = {}
Estimate.__index = Estimate

function M.estimate() return setmetatable({lines = {}, by_model = {}}, Estimate) end

function Estimate:add(model, calls, input, output)
  local e = self.by_model[model]
  if not e then
    e = {model = model, calls = 0, input_tokens = 0, output_tokens = 0, price = M.lookup(model)}
    self.by_model[model], self.lines[#self.lines + 1] = e, e
  end
  e.calls, e.input_tokens, e.output_tokens = e.calls + calls, e.input_tokens + input, e.output_tokens + output
end

function Estimate:totals()
  local out = {usd = 0.0, unpriced = {}, models = {}, rows = {}}
  for i, e in ipairs(self.lines) do
    local price = e.price
    local cost = price and (e.input_tokens * price.input + e.output_tokens * price.output) / 1e6 or nil
    if cost then out.usd = out.usd + cost else out.unpriced[#out.unpriced + 1] = e.model end
    out.models[i] = {model = e.model, calls = e.calls, input_tokens = e.input_tokens,
                     output_tokens = e.output_tokens, cost_usd = cost}
    out.rows[i] = {e.model, tostring(e.calls), tostring(e.input_tokens), tostring(e.output_tokens),
                   cost and ("%.2f"):format(cost) or "no price"}
  end
  return out
end

return M
