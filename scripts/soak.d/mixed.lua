-- wrk script for scripts/soak: cycles through the three answers of the check (a valid session -> 200, a browser
-- without one -> 302, an API client -> 401) and counts every status, summed over wrk's threads at the end.
-- Usage: wrk -s mixed.lua URL -- COOKIE
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  local forwarded = {
    ["X-Forwarded-Method"] = "GET", ["X-Forwarded-Proto"] = "https",
    ["X-Forwarded-Host"] = "app.example.com", ["X-Forwarded-Uri"] = "/dashboard?tab=1",
  }
  local function with(extra)
    local h = {}
    for k, v in pairs(forwarded) do h[k] = v end
    for k, v in pairs(extra) do h[k] = v end
    return wrk.format("GET", "/", h)
  end
  requests = {
    with({ ["Cookie"] = "_forward_auth=" .. args[1], ["Accept"] = "text/html" }),
    with({ ["Accept"] = "text/html" }),
    with({ ["Accept"] = "application/json" }),
  }
  index = 0
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
  end
  for status, count in pairs(totals) do
    io.write(string.format("status %d %d\n", status, count))
  end
  local e = summary.errors
  io.write(string.format("errors %d connect %d read %d write %d timeout %d\n",
    e.connect + e.read + e.write + e.timeout, e.connect, e.read, e.write, e.timeout))
  io.write(string.format("requests %d p50_us %d p99_us %d\n", summary.requests,
    latency:percentile(50), latency:percentile(99)))
end
