-- ratio.stats: statistics for comparing judges (C kernels: core/metrics/stats.c).
--
--   ratio.stats.mean(x), ratio.stats.std(x [, ddof])
--   ratio.stats.ci(x [, {resamples=1000, level=0.95, seed=1}]) -> {estimate, lo, hi, se}
--   ratio.stats.paired_bootstrap(a, b, opts), ratio.stats.permutation(a, b, opts)
--     -> {diff, lo, hi, p_value, ...}: are two judges different on the same items?
--   ratio.stats.pearson / spearman / kendall(x, y)
--   ratio.stats.kappa(a, b, k [, "unweighted"|"linear"|"quadratic"])
--   ratio.stats.category(score [, k=5]) -> 0..k-1 (0, .25, .5, .75, 1 -> 0..4)
local core = require "ratio.core.stats"

local M = {}
for k, v in pairs(core) do M[k] = v end

-- ci(x, opts): bootstrap percentile interval of the mean; nil for an empty list.
function M.ci(x, opts)
  if #x == 0 then return nil end
  return core.bootstrap_ci(x, opts)
end

return M
