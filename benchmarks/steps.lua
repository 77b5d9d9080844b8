-- wrk script: POST a JSON step to one of many resources in turn (paths read from a file), fresh keys each time.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = {}
  for line in io.lines(args[1]) do table.insert(paths, line) end
  body = args[2]
  prefix = args[3] .. "-t" .. id
  authorization = "Bearer " .. args[4]
  bad = 0
end

function request()
  counter = counter + 1
  local path = paths[((counter * 7 + id * 13) % #paths) + 1]
  return wrk.format("POST", path, {["Content-Type"] = "application/json", ["Authorization"] = authorization,
                                   ["Idempotency-Key"] = prefix .. "-" .. counter}, body)
end

function response(status, headers, body)
  if status ~= 201 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, thread in ipairs(threads) do bad_total = bad_total + thread:get("bad") end
  io.write(string.format('{"requests": %d, "seconds": %.3f, "non_201": %d, "errors": %d, ' ..
    '"p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f}\n', summary.requests, summary.duration / 1e6, bad_total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status +
    summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
