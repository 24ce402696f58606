-- wrk script: residents opening the Leefplekmeter form and sending it.
--
-- Each resident form is two requests, as in a resident's app: GET /api/campaigns/{code}
-- (themes, questions and a fresh form token) and POST /api/campaigns/{code}/responses.
-- wrk's Lua has no HMAC, so the POST bodies carry form tokens issued beforehand by the same
-- server code (benchmarks/load.py writes them, one JSON body per line); each body is sent once.
-- Every thread counts its 201s and keeps the acknowledged response ids, which load.py compares
-- with the rows in the database afterwards.
--
--   wrk -t1 -c200 -d10s -s forms.lua http://127.0.0.1:PORT -- CODE BODIES_FILE
--   WRK_THINK_MS=380 wrk ...   (paced: about 500 forms/s from 200 residents)

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  code = args[1]
  bodies = {}
  local n = 0
  for line in io.lines(args[2]) do
    if n % nthreads_hint() == id then
      table.insert(bodies, line)
    end
    n = n + 1
  end
  next_body = 1
  send_get = true
  created = 0
  repeated = 0
  failed = 0
  ids = {}
  info_path = "/api/campaigns/" .. code
  post_path = info_path .. "/responses"
  post_headers = { ["Content-Type"] = "application/json" }
end

function nthreads_hint()
  return tonumber(os.getenv("WRK_THREADS") or "1")
end

-- Think time: with WRK_THINK_MS set, a resident waits a random 0.25-0.75 times that long
-- before each of a form's two requests (0.5-1.5 times per form: reading, filling in), so that
-- 200 residents send a steady number of forms a second instead of as many as the server can
-- take. (wrk calls delay() and request() per connection, but this script's variables are one
-- per wrk thread: which connection sends the GET and which the POST is not fixed.)
think_ms = tonumber(os.getenv("WRK_THINK_MS") or "0")

function delay()
  if think_ms > 0 then
    return math.floor(think_ms * (0.25 + 0.5 * math.random()))
  end
  return 0
end

function request()
  -- alternate: open a form, send a form (while bodies last; then only opening forms)
  if send_get or next_body > #bodies then
    send_get = false
    return wrk.format("GET", info_path)
  end
  send_get = true
  local body = bodies[next_body]
  next_body = next_body + 1
  return wrk.format("POST", post_path, post_headers, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
    local rid = body:match('"id":%s*(%d+)')
    if rid then
      table.insert(ids, rid)
    end
  elseif status == 200 and body:match('"created":%s*false') then
    repeated = repeated + 1
  elseif status ~= 200 then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local created_all, repeated_all, failed_all = 0, 0, 0
  local all_ids = {}
  for _, thread in ipairs(threads) do
    created_all = created_all + thread:get("created")
    repeated_all = repeated_all + thread:get("repeated")
    failed_all = failed_all + thread:get("failed")
    local t_ids = thread:get("ids")
    for _, v in ipairs(t_ids) do
      table.insert(all_ids, v)
    end
  end
  local out = io.open(os.getenv("WRK_RESULT"), "w")
  out:write(string.format(
    '{"requests": %d, "seconds": %.4f, "created": %d, "repeated": %d, "failed": %d, ' ..
    '"socket_errors": %d, "non_2xx": %d, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "ids": [%s]}\n',
    summary.requests, summary.duration / 1e6, created_all, repeated_all, failed_all,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, table.concat(all_ids, ",")))
  out:close()
end
