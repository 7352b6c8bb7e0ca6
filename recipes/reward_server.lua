-- How do we give an RL trainer the hybrid reward (rationale AP gated by a correct verdict) without
-- slowing it down or falling over? Serves rewards over HTTP: the OpenRLHF protocol
-- (POST /get_reward), a single-rollout endpoint (POST /score, used by docs/verl_reward.py),
-- GET /health and GET /metrics. The reward is below; ratio.reward_server carries the serving: a
-- bounded queue that makes requests wait for room (then 429), per-request deadlines whose
-- fallback never pays more than judging, 503 when the MetaJudge fails every call, a token for
-- anything beyond 127.0.0.1, and a graceful SIGTERM. docs/reward_server.md has the details.
local ratio = require "ratio"
local server = require "ratio.reward_server"
local p = ratio.params{
  host = {"127.0.0.1", "address to bind (127.0.0.1 keeps it off the network; any other needs a token or --insecure-no-token)"},
  port = {8000, "port (0 = any free port)", min = 0, max = 65535},
  port_file = {"", "write the bound port here once listening (for scripts and tests)"},
  max_inflight = {64, "MetaJudge calls in flight at most, across all requests", min = 1},
  max_queue = {2048, "rollouts queued or being judged at most; a request waits for room (a larger batch goes in by parts)", min = 1},
  queue_wait_ms = {60000, "how long a request waits for room in the queue before a 429", min = 0},
  retry_after = {1, "seconds a 429 tells the client to wait", min = 0},
  deadline_ms = {0, "per-request deadline (0 = none); rollouts not judged by then get the deadline fallback", min = 0},
  deadline_fallback = {"batch-mean", "reward of a rollout not judged by the deadline: batch-mean (its outcome x the mean judged reward of its request), outcome, or zero",
                       choices = {"batch-mean", "outcome", "zero"}},
  fallback = {"", "deprecated: use --deadline-fallback", choices = {"outcome", "zero", "batch-mean"}},
  formula = {"paper", "reward formula: paper (AP x outcome) or weighted", choices = {"paper", "weighted"}},
  w_rationale = {0.5, "weighted formula: weight of AP"},
  w_outcome = {0.5, "weighted formula: weight of the outcome"},
  token_env = {"RATIO_REWARD_TOKEN", "environment variable holding the token clients must send (unset = no auth)"},
  token = {"", "the token itself (visible to anyone who can list processes: prefer --token-env)"},
  insecure_no_token = {false, "serve a non-loopback --host without a token"},
  unhealthy_after = {5, "MetaJudge calls failed in a row after which /health answers 503", min = 1},
  cache_calls = {false, "keep MetaJudge replies in the call cache (--cache PATH) so a repeated rollout is not judged twice; off by default: RL rollouts rarely repeat, so the cache would only grow"},
  max_body = {16 * 1024 * 1024, "largest request body in bytes", min = 1024},
  max_buffered = {64 * 1024 * 1024, "request bytes held at once across all clients; a body beyond it is answered 503 with Retry-After before it is read", min = 1024 * 1024},
  max_depth = {32, "deepest JSON nesting accepted in a request", min = 2},
  request_timeout_ms = {60000, "time a request may take to arrive, head and body (a slower one is dropped unanswered)", min = 1000},
  ratio.flags.matcher{choices = {"llm", "lexical"}, help = "how rollout reasons are matched to the human checklist", legacy = "judge", aliases = {judge_max_tries = "metajudge_max_tries"}},
}

-- The reward of a judged rollout, from its parts (ratio.reward.parts: ap, rc, precision, f1,
-- outcome). The paper's R = R_rationale x R_outcome: rationale AP over the top-5 reasons, paid
-- only when the verdict agrees with the human preference.
local formulas = {
  paper = function(parts) return parts.ap * parts.outcome end,
  weighted = function(parts) return p.w_rationale * parts.ap + p.w_outcome * parts.outcome end,
}

local matcher
if p.matcher == "llm" then
  if p.metajudge_model == "" then ratio.exit(2, "--metajudge-model: is required with --matcher llm") end
  local client = ratio.llm.from_params(p, "metajudge", {concurrency = p.max_inflight,
    cache = p.cache_calls, cache_wait = false}) -- a reward never waits for a cache row to reach the disk
  matcher = ratio.metajudge.matcher("llm", {client = client})
else
  matcher = ratio.metajudge.matcher("lexical")
end

local deadline_fallback = p.deadline_fallback
if p.fallback ~= "" then
  if deadline_fallback ~= "batch-mean" and deadline_fallback ~= p.fallback then
    ratio.exit(2, "--fallback: deprecated alias of --deadline-fallback, and the two disagree")
  end
  io.stderr:write("ratio: warning: --fallback is deprecated; use --deadline-fallback ", p.fallback, "\n")
  deadline_fallback = p.fallback
end

local counts = server.run{
  formula = formulas[p.formula], matcher = matcher, uses_metajudge = p.matcher == "llm",
  token = server.resolve_token(p.token, p.token_env), insecure_no_token = p.insecure_no_token,
  host = p.host, port = p.port, port_file = p.port_file,
  max_inflight = p.max_inflight, max_queue = p.max_queue, queue_wait_ms = p.queue_wait_ms,
  retry_after = p.retry_after, deadline_ms = p.deadline_ms, deadline_fallback = deadline_fallback,
  unhealthy_after = p.unhealthy_after, max_body = p.max_body, max_buffered = p.max_buffered, max_depth = p.max_depth,
  request_timeout_ms = p.request_timeout_ms,
  describe = ("%s matcher, %s formula, %s deadline fallback"):format(p.matcher, p.formula, deadline_fallback),
}
ratio.log("reward server stopped: %d rollouts answered", counts.rollouts)
return counts
