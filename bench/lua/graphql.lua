-- wrk script for the Rampart GraphQL API.
--
-- Every scenario is a weighted list of pre-built POST /graphql requests
-- (built once in init, so wrk spends its CPU on sending, not formatting).
-- A response counts as an error unless it is a 200 without "errors" in the
-- body: GraphQL reports failures inside a 200. 429s are also counted on
-- their own ("shed"): for the login flood that runs beside `me` they are
-- the server shedding log-ins it could not hash in time, by design.
--
-- Arguments (after `--`): scenario name, bearer token of the reading user,
-- bearer token of the writing user, login e-mail, login password, and
-- optionally a pause in ms between a connection's answer and its next
-- request (a paced probe instead of a closed loop at full speed).

local scenarios = {
  me = { { 1, "r", '{"query":"{ me { id email } }"}' } },
  items = { { 1, "r", '{"query":"{ items(offset: 0, limit: 100) { totalCount nodes { id title description createdAt } } }"}' } },
  create = { { 1, "w", '{"query":"mutation { createItem(input: {title: \\"bench item\\", description: \\"made by wrk\\"}) { id } }"}' } },
  login = { { 1, "-", '{"query":"mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { ... on AccessToken { accessToken } } }","variables":{"e":"%s","p":"%s"}}' } },
  -- A signed-in user's session: mostly reading their own identity and a
  -- page of items, sometimes writing one. Log-in is measured on its own:
  -- at these rates it would be a login flood, not a mix.
  mixed = {
    { 50, "r", '{"query":"{ me { id email } }"}' },
    { 30, "r", '{"query":"{ items(offset: 0, limit: 100) { totalCount nodes { id title description createdAt } } }"}' },
    { 20, "w", '{"query":"mutation { createItem(input: {title: \\"bench item\\", description: \\"made by wrk\\"}) { id } }"}' },
  },
}

local requests = {}
-- Globals, not locals: done() reads them per thread with thread:get().
errors = 0
bad_status = 0
shed = 0
sample = nil
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local name, read_token, write_token, email, password = args[1], args[2], args[3], args[4], args[5]
  local pause = tonumber(args[6])
  if pause ~= nil then
    -- wrk looks for a global delay() after init and then waits that long
    -- per connection before each request.
    delay = function() return pause end
  end
  local spec = scenarios[name]
  if spec == nil then
    error("unknown scenario " .. tostring(name))
  end
  -- 100 slots, each weight point one slot, cycled in a shuffled order.
  local slots = {}
  for _, entry in ipairs(spec) do
    local weight, who, body = entry[1], entry[2], entry[3]
    if name == "login" then
      body = string.format(body, email, password)
    end
    local headers = { ["Content-Type"] = "application/json" }
    if who == "r" then
      headers["Authorization"] = "Bearer " .. read_token
    elseif who == "w" then
      headers["Authorization"] = "Bearer " .. write_token
    end
    local req = wrk.format("POST", "/graphql", headers, body)
    for _ = 1, weight do
      table.insert(slots, req)
    end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 1000)
  for i = #slots, 2, -1 do
    local j = math.random(i)
    slots[i], slots[j] = slots[j], slots[i]
  end
  requests = slots
end

local n = 0
function request()
  n = n + 1
  return requests[(n % #requests) + 1]
end

-- Keeps a sample printable on one line, so %q below stays valid JSON.
local function clean(text)
  return (text:gsub("[%c\\]", " "))
end

function response(status, headers, body)
  if status == 429 then shed = shed + 1 end
  if status ~= 200 then
    bad_status = bad_status + 1
    errors = errors + 1
    if sample == nil then sample = clean(status .. " " .. string.sub(body or "", 1, 300)) end
  elseif body == nil or string.find(body, '"errors"', 1, true) then
    errors = errors + 1
    if sample == nil then sample = clean("200 " .. string.sub(body or "", 1, 300)) end
  end
end

function done(summary, latency, requests)
  local graphql_errors, http_errors, shed_total = 0, 0, 0
  local first_sample = ""
  for _, thread in ipairs(threads) do
    graphql_errors = graphql_errors + (thread:get("errors") or 0)
    http_errors = http_errors + (thread:get("bad_status") or 0)
    shed_total = shed_total + (thread:get("shed") or 0)
    local s = thread:get("sample")
    if s ~= nil and first_sample == "" then first_sample = s end
  end
  local s = summary.errors
  -- One machine-readable line; bench/run.py parses it. Latencies in µs.
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"errors":%d,"non_200":%d,"shed":%d,"socket_connect":%d,"socket_read":%d,"socket_write":%d,"socket_timeout":%d,"sample":%q}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    graphql_errors, http_errors, shed_total, s.connect, s.read, s.write, s.timeout, first_sample))
end
