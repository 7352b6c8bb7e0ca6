-- ratio.stats: the one home of the statistics recipes and the library use (C kernels:
-- core/metrics/stats.c, bound as ratio.core.stats; nothing else requires the binding).
--
--   ratio.stats.mean(x), ratio.stats.std(x [, ddof])
--   ratio.stats.quantile(x, q) -> type 7 (numpy's default), x in any order; nil when empty
--   ratio.stats.rank_quantile(sorted, q) -> nearest rank (an observed value: latencies' p50, p99)
--   ratio.stats.ci(x [, {resamples=1000, level=0.95, seed=1}]) -> {estimate, lo, hi, se} | nil
--   ratio.stats.share_ci(hits, totals [, opts]) -> the pooled share with an item bootstrap
--   ratio.stats.paired_bootstrap(a, b, opts), ratio.stats.permutation(a, b, opts)
--     -> {diff, lo, hi, p_value, ...}: are two judges different on the same items?
--   ratio.stats.pearson / spearman / kendall(x, y)
--   ratio.stats.kappa(a, b, k [, "unweighted"|"linear"|"quadratic"])
--   ratio.stats.category(score [, k=5]) -> 0..k-1 (0, .25, .5, .75, 1 -> 0..4)
--   ratio.stats.distribution(x [, {bins = 10}]) -> {n, mean, std, min, p25, median, p75, max,
--     histogram = {{lo, hi, n}, ...}}
local core = require "ratio.core.stats"

local M = {}
for k, v in pairs(core) do M[k] = v end

-- ci(x, opts): bootstrap percentile interval of the mean (1,000 resamples, 95 %, seed 1 unless
-- told); nil for an empty list.
function M.ci(x, opts)
  if #x == 0 then return nil end
  return core.bootstrap_ci(x, opts)
end

-- rank_quantile(sorted, q) -> the value at rank ceil(q n) of a list sorted ascending: the nearest-
-- rank percentile, always an observed value (the convention for latencies: p50, p99, max at q = 1);
-- nil for an empty list. The caller sorts, once for all the quantiles it takes.
function M.rank_quantile(sorted, q)
  if #sorted == 0 then return nil end
  return sorted[math.max(1, math.ceil(q * #sorted))]
end

-- distribution(values [, {bins = 10}]) -> summary of a list of numbers, with a histogram of equal
-- bins over [min(0, min), max(1, max)]: on a 0..1 scale unless the values leave it.
function M.distribution(values, opts)
  if #values == 0 then return {n = 0} end
  local nbins = opts and opts.bins or 10
  local s = table.move(values, 1, #values, 1, {})
  table.sort(s)
  local lo, hi = math.min(0, s[1]), math.max(1, s[#s])
  local width = (hi - lo) / nbins
  local bins = {}
  for b = 1, nbins do bins[b] = {lo = lo + (b - 1) * width, hi = b == nbins and hi or lo + b * width, n = 0} end
  for _, v in ipairs(s) do
    local b = math.min(nbins, math.floor((v - lo) / width) + 1)
    bins[b].n = bins[b].n + 1
  end
  return {n = #s, mean = core.mean(s), std = core.std(s), min = s[1], p25 = core.quantile(s, 0.25),
          median = core.quantile(s, 0.5), p75 = core.quantile(s, 0.75), max = s[#s], histogram = bins}
end

return M
