-- ratio.reward_server's pure parts: which hosts count as loopback, how an address is written in a
-- URL, token checks, label parsing (string or object), the deadline fallback's arithmetic, and
-- the shape of the per-rollout logs every trainer reads.
local t = require "testlib"
local rs = require "ratio.reward_server"
local json = require "ratio.core.json"

t.test("loopback hosts", function()
  for _, h in ipairs{"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"} do
    t.eq(rs.is_loopback(h), true, h)
  end
  for _, h in ipairs{"0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "127.0.0.256", "127.0.0", "example.com", ""} do
    t.eq(rs.is_loopback(h), false, h)
  end
end)

t.test("IPv6 addresses go in brackets in a URL", function()
  t.eq(rs.url_host("::"), "[::]")
  t.eq(rs.url_host("::1"), "[::1]")
  t.eq(rs.url_host("[::1]"), "[::1]")
  t.eq(rs.url_host("0.0.0.0"), "0.0.0.0")
end)

t.test("non-loopback without a token is a usage error", function()
  local ok, e = pcall(rs.check_host, "0.0.0.0", nil, false)
  t.eq(ok, false)
  t.eq(e.code, 2)
  t.ok(e.message:find("--insecure-no-token", 1, true), e.message)
  rs.check_host("0.0.0.0", "tok", false)
  rs.check_host("0.0.0.0", nil, true)
  rs.check_host("127.0.0.1", nil, false)
end)

t.test("tokens: header (any case of the scheme) or ?token=", function()
  local function req(h, q) return {headers = {authorization = h}, params = {token = q}} end
  t.eq(rs.authorized(req(nil, nil), nil), true, "no token configured")
  t.eq(rs.authorized(req(nil, nil), "s3"), false)
  t.eq(rs.authorized(req("Bearer s3", nil), "s3"), true)
  t.eq(rs.authorized(req("bearer s3", nil), "s3"), true)
  t.eq(rs.authorized(req("BEARER  s3 ", nil), "s3"), true)
  t.eq(rs.authorized(req("Basic s3", nil), "s3"), false)
  t.eq(rs.authorized(req("Bearer s4", nil), "s3"), false)
  t.eq(rs.authorized(req("Bearer s3x", nil), "s3"), false)
  t.eq(rs.authorized(req(nil, "s3"), "s3"), true)
  t.eq(rs.authorized(req(nil, "s"), "s3"), false)
end)

t.test("resolve_token: the flag, else the environment, never empty", function()
  t.eq(rs.resolve_token("abc", "HOME"), "abc")
  t.eq(rs.resolve_token("", "RATIO_SURELY_UNSET_VARIABLE"), nil)
  t.eq(rs.resolve_token("", "HOME"), os.getenv("HOME"))
end)

t.test("the rollout is the query after its prompt, never the prompt's text", function()
  t.eq(rs.rollout_of("Q: 2+2?\\boxed{A>B}", "Q: 2+2?"), "\\boxed{A>B}")
  t.eq(rs.rollout_of("reply only", ""), "reply only")
  -- a leading space or BOS text from a tokenizer's round trip: after the prompt's first place
  t.eq(rs.rollout_of(" Q: 2+2?reply", "Q: 2+2?"), "reply")
  t.eq(rs.rollout_of("<s>Q: x.*reply Q: x.*", "Q: x.*"), "reply Q: x.*") -- plain text, not a pattern
  -- no prompt in the query: nothing to tell the rollout apart by (the server answers 400)
  t.eq(rs.rollout_of("Q: 2+2? reply", "Q: 3+3?"), nil)
end)

t.test("labels: a JSON object or a string holding one", function()
  local obj = {human_checklist = {"a", "b"}, overall_preference = -2}
  t.eq(rs.parse_label(obj), obj)
  local v = rs.parse_label('{"human_checklist": ["a"], "overall_preference": 1}')
  t.eq(v.human_checklist[1], "a")
  local _, field, what = rs.parse_label(7)
  t.eq(field, "")
  t.ok(what:find("JSON object", 1, true), what)
  _, field = rs.parse_label({human_checklist = {"a"}, overall_preference = 4})
  t.eq(field, "overall_preference")
  _, field = rs.parse_label('{"human_checklist": "a", "overall_preference": 1}')
  t.eq(field, "human_checklist")
  _, field, what = rs.parse_label("{not json")
  t.eq(field, "")
  t.ok(what:find("not valid JSON", 1, true), what)
end)

t.test("deadline fallback: batch-mean never pays more than the judged mean", function()
  local judged = {0.2, 0.5, 0.0, 0.9}
  local mean = 1.6 / 4
  t.near(rs.deadline_reward("batch-mean", 1.0, judged), mean)
  t.eq(rs.deadline_reward("batch-mean", 0.0, judged), 0.0)
  t.eq(rs.deadline_reward("batch-mean", 1.0, {}), 0.0, "nothing judged: nothing paid")
  t.eq(rs.deadline_reward("batch-mean", nil, judged), 0.0, "no verdict")
  t.eq(rs.deadline_reward("outcome", 1.0, judged), 1.0)
  t.eq(rs.deadline_reward("outcome", nil, judged), 0.0)
  t.eq(rs.deadline_reward("zero", 1.0, judged), 0.0)
  t.raises(function() rs.deadline_reward("mean", 1.0, judged) end, "unknown deadline fallback")
  -- Over many random batches, the fallback of a late rollout never exceeds its batch's mean.
  math.randomseed(7)
  for _ = 1, 500 do
    local rs_, n = {}, math.random(1, 16)
    for i = 1, n do rs_[i] = math.random() * (math.random() < 0.5 and 1 or 0) end
    local m = 0
    for i = 1, n do m = m + rs_[i] end
    m = m / n
    for _, o in ipairs{0.0, 1.0} do t.ok(rs.deadline_reward("batch-mean", o, rs_) <= m + 1e-12) end
  end
end)

t.test("logs: the same keys, all floats, one flag per case", function()
  local cases = {
    {status = "ok", reward = 0.5, parts = {ap = 0.5, rc = 0.25, outcome = 1.0}, judge_ms = 3, queue_ms = 1},
    {status = "unscored", reward = 0.0, parts = {verdict = nil}},
    {status = "failed", reward = 0.0, parts = {outcome = 1.0}},
    {status = "late", reward = 0.3, parts = {outcome = 1.0}},
  }
  local flags = {ok = "scored", unscored = "unscored", failed = "failed", late = "fallback"}
  for _, r in ipairs(cases) do
    local l = rs.logs_of(r, 12)
    local n = 0
    for k, v in pairs(l) do
      n = n + 1
      t.eq(math.type(v), "float", k)
    end
    t.eq(n, #rs.LOG_KEYS)
    for _, k in ipairs(rs.LOG_KEYS) do t.ok(l[k] ~= nil, k) end
    for s, key in pairs(flags) do t.eq(l[key], s == r.status and 1.0 or 0.0, r.status .. " " .. key) end
    t.eq(l.server_ms, 12.0)
    -- encoded, every value is a JSON number with a fraction: a float tensor, never an int one
    local text = json.encode(l)
    t.ok(not text:find(":%d+[,}]"), text)
  end
end)
