-- ratio.redact: the one redactor every text from a provider or a URL passes before it reaches a
-- file, stderr, a report or an HTTP answer. Providers echo what they were sent (OpenAI's 401 says
-- "Incorrect API key provided: sk-..."; a proxy's 500 may quote the Authorization header), and a
-- base URL may carry a password (http://user:pass@host), so redaction happens where such text
-- enters ratio, not in each writer.
--
--   redact.secret(os.getenv("OPENAI_API_KEY"))  -- a key in use: hidden wherever it appears
--   redact.text("HTTP 401: Incorrect API key provided: sk-proj-abc...") --> "... sk-***"
--   redact.url("http://u:pass@host/v1")         --> "http://u:***@host/v1"
local M = {MASK = "***"}

local secrets, secret_list = {}, {} -- every key value a client read, longest first

-- secret(value): remembers a value in use (an API key, a token) so text() hides it wherever it
-- appears, even in a shape the patterns below do not know. Values shorter than 6 bytes are not
-- kept: hiding them would blank ordinary words.
function M.secret(value)
  if type(value) ~= "string" or #value < 6 or secrets[value] then return end
  secrets[value] = true
  secret_list[#secret_list + 1] = value
  table.sort(secret_list, function(a, b) return #a > #b end)
end

local function plain_replace(s, what, with)
  local out, i = {}, 1
  while true do
    local a, b = s:find(what, i, true)
    if not a then break end
    out[#out + 1] = s:sub(i, a - 1)
    out[#out + 1] = with
    i = b + 1
  end
  if i == 1 then return s end
  out[#out + 1] = s:sub(i)
  return table.concat(out)
end

-- url(u) -> u with the password of its user-info masked (http://user:***@host/...).
function M.url(u)
  if type(u) ~= "string" then return u end
  return (u:gsub("(%a[%w+.-]*://)([^/?#@%s]*)@", function(scheme, info)
    local user = info:match("^([^:]*):")
    return scheme .. (user and (user .. ":" .. M.MASK) or M.MASK) .. "@"
  end))
end

-- The token characters of a bearer token or API key (base64url, JWT dots, and the like).
local TOKEN = "[%w%-%._~%+/=]+"

-- text(s) -> s with every known secret, bearer token, Authorization / x-api-key / api-key value,
-- URL password and key-shaped word (sk-..., sk-ant-..., sk-proj-...) masked. Non-strings pass as
-- they are.
function M.text(s)
  if type(s) ~= "string" or s == "" then return s end
  for _, v in ipairs(secret_list) do s = plain_replace(s, v, M.MASK) end
  s = M.url(s)
  s = s:gsub("([Bb][Ee][Aa][Rr][Ee][Rr]%s+)" .. TOKEN, "%1" .. M.MASK)
  -- Header or JSON field values: authorization: X, "x-api-key": "X", api_key=X, ...
  for _, name in ipairs{"[Aa]uthorization", "[Xx]%-[Aa][Pp][Ii]%-[Kk][Ee][Yy]", "[Aa][Pp][Ii][_%-][Kk][Ee][Yy]"} do
    s = s:gsub("(" .. name .. "[\"']?%s*[:=]%s*[\"']?)([^\"'\r\n,;}]+)", function(lead, value)
      if value:find(M.MASK, 1, true) then return nil end -- already masked (e.g. "Bearer ***")
      local scheme = value:match("^(%a+%s+)%S")
      return lead .. (scheme or "") .. M.MASK
    end)
  end
  -- Well-known key shapes: OpenAI (sk-, sk-proj-), Anthropic (sk-ant-), with enough key
  -- characters after the prefix that an ordinary word (sk-learn) is left alone.
  s = s:gsub("%f[%w]sk%-([%w_%-]+)", function(rest)
    if #rest >= 16 then return "sk-" .. M.MASK end
  end)
  return s
end

-- value(v) -> v with text() applied to every string inside (tables copied, not changed).
function M.value(v)
  if type(v) == "string" then return M.text(v) end
  if type(v) ~= "table" then return v end
  local out = setmetatable({}, getmetatable(v))
  for k, x in pairs(v) do out[k] = M.value(x) end
  return out
end

return M
