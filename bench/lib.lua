-- Shared by the wrk scenarios: counts responses outside 2xx per thread and reports them in done(),
-- so a fast 4xx or 5xx can never pass for throughput.
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  counter = 0
  users = tonumber(os.getenv("BENCH_USERS") or "100000")
  math.randomseed(os.time() * 1000 + id)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
  end
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end

function get_by_id()
  return wrk.format("GET", "/api/users/" .. math.random(1, users) .. "/")
end

function create()
  counter = counter + 1
  local body = string.format('{"name":"Bench %d","email":"bench-%d-%d-%d@example.com"}', counter, id, counter,
    math.random(1, 1000000000))
  return wrk.format("POST", "/api/users/", { ["Content-Type"] = "application/json" }, body)
end
