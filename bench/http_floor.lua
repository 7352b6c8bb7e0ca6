-- http_floor: the floor under ratio's LLM client. The same requests as recipes/loadtest.lua (a
-- ~2 KB prompt each, max_tokens 16, spread over the base URLs in turn), sent with ratio.core.http
-- and decoded with json.decode, one task per call, but without the client's own work: no cache
-- key or single flight, no endpoint choice or rests, no provider mapping, retries or accounting.
-- The difference between the two is what that work costs per call.
--
--   bin/ratio run bench/http_floor.lua --llm-base-url URL[,URL...] --requests N --concurrency C --json
--
-- Prints load_test's summary (requests, ok, failed, seconds, rps, p50_ms, p99_ms); time the process
-- with /usr/bin/time for its CPU, as bench/client_ab.sh does for the client.
local ratio = require "ratio"
local http = require "ratio.core.http"
local json = require "ratio.core.json"
local p = ratio.params{
  requests = {1000, "how many requests", min = 1},
  concurrency = {64, "requests in flight at most", min = 1},
  ratio.flags.llm{what = "the endpoint (several base URLs, comma-separated, taken in turn)",
                  default_model = "fake", base_url_required = true, legacy = ""},
}
local urls = {}
for u in p.llm_base_url:gmatch("[^,%s]+") do urls[#urls + 1] = u:gsub("/+$", "") .. "/chat/completions" end
local filler = ("The quick brown fox jumps over the lazy dog while the judge weighs each reason. "):rep(25)
local req = {method = "POST", headers = {["content-type"] = "application/json"}, reply_headers = false}
local NO_KEYS = {keys = false}
local summary = ratio.study.load_test(p.requests, function(i)
  req.url = urls[i % #urls + 1]
  req.json = {model = p.llm_model, max_tokens = 16,
              messages = {{role = "user", content = "Request " .. i .. ". " .. filler}}}
  local r, err = http.request(req)
  if not r then return nil, err end
  if r.status ~= 200 then return nil, "HTTP " .. r.status end
  local d = json.decode(r.body, NO_KEYS)
  return d and d.choices and d.choices[1] and d.choices[1].message.content
end, {concurrency = p.concurrency, progress = "http_floor"})
if not ratio.options.json then print(ratio.study.load_text(summary)) end
return summary
