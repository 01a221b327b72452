-- One wrk script for every workload, configured through the environment by bench/lib/load.mjs.
--
-- BENCH_MODE=static    every request is BENCH_METHOD BENCH_PATH with BENCH_HEADERS and BENCH_BODY.
-- BENCH_MODE=authcode  W5: GET BENCH_AUTHORIZE_PATH (a 302 carrying ?code=), then
--                      POST BENCH_TOKEN_PATH with that code, BENCH_TOKEN_HEADERS and
--                      BENCH_TOKEN_BODY (the code is appended). Codes go through a queue, so
--                      every connection of the thread keeps busy.
-- BENCH_HEADERS and BENCH_TOKEN_HEADERS hold "Name: value" lines.
--
-- Every status is counted; done() prints one line "BENCH_RESULT {json}" that the harness reads.

local mode = os.getenv("BENCH_MODE") or "static"

local function parse_headers(text)
  local headers = {}
  for line in string.gmatch(text or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  return headers
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- Per-thread state (each wrk thread has its own Lua state).
statuses = {}
authorizes = 0
tokens = 0
missing_codes = 0
local codes = {}
local first, last = 1, 0

local static_request
local authorize_request
local token_headers
local token_path
local token_body

function init(args)
  if mode == "authcode" then
    authorize_request = wrk.format("GET", os.getenv("BENCH_AUTHORIZE_PATH"),
      parse_headers(os.getenv("BENCH_HEADERS")))
    token_headers = parse_headers(os.getenv("BENCH_TOKEN_HEADERS"))
    token_path = os.getenv("BENCH_TOKEN_PATH")
    token_body = os.getenv("BENCH_TOKEN_BODY")
  else
    static_request = wrk.format(os.getenv("BENCH_METHOD") or "GET", os.getenv("BENCH_PATH"),
      parse_headers(os.getenv("BENCH_HEADERS")), os.getenv("BENCH_BODY"))
  end
end

function request()
  if mode ~= "authcode" then return static_request end
  if first <= last then
    local code = codes[first]
    codes[first] = nil
    first = first + 1
    return wrk.format("POST", token_path, token_headers, token_body .. code)
  end
  return authorize_request
end

-- wrk does not say which request a response answers: in authcode mode a response with a
-- Location header is taken as the authorize answer, any other as the token answer.
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if mode ~= "authcode" then return end
  local location = headers["Location"] or headers["location"]
  if location then
    authorizes = authorizes + 1
    local code = string.match(location, "[?&]code=([^&]+)")
    if code then
      last = last + 1
      codes[last] = code
    else
      missing_codes = missing_codes + 1
    end
  else
    tokens = tokens + 1
  end
end

local function json_string(s)
  return '"' .. string.gsub(tostring(s), '[%c"\\]', function(c)
    return string.format("\\u%04x", string.byte(c))
  end) .. '"'
end

function done(summary, latency, requests)
  local merged = {}
  local totals = { authorizes = 0, tokens = 0, missing_codes = 0 }
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, count in pairs(counts) do
      merged[status] = (merged[status] or 0) + count
    end
    for name, _ in pairs(totals) do
      totals[name] = totals[name] + (thread:get(name) or 0)
    end
  end
  local parts = {}
  for status, count in pairs(merged) do
    table.insert(parts, json_string(status) .. ":" .. count)
  end
  local e = summary.errors
  io.write("BENCH_RESULT {")
  io.write('"requests":', summary.requests, ',"durationUs":', summary.duration)
  io.write(',"socketErrors":{"connect":', e.connect, ',"read":', e.read, ',"write":', e.write,
    ',"timeout":', e.timeout, '}')
  io.write(',"latencyUs":{"p50":', latency:percentile(50), ',"p99":', latency:percentile(99),
    ',"mean":', latency.mean, ',"max":', latency.max, '}')
  io.write(',"statuses":{', table.concat(parts, ","), '}')
  io.write(',"authorizes":', totals.authorizes, ',"tokens":', totals.tokens,
    ',"missingCodes":', totals.missing_codes)
  io.write("}\n")
end
