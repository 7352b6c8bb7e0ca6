-- ratio.prices: US dollars per million tokens, {input, output}, for the cost line of a run. Prices
-- change: this table is a starting point to edit, and a recipe can pass prices = {input=, output=}
-- to ratio.llm. A model not listed here is shown as unpriced (cost null), never as free.
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

return M
