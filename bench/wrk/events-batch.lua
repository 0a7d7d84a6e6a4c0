-- wrk script: POST /v1/events with KENSA_BATCH (default 100) new login records per request:
-- unique record ids, subjects s0..s9999 of bench/gen_records.py, and source addresses unique
-- per run (KENSA_RUN), thread and request — except a share KENSA_SHARED_PCT (default 0) of
-- logins that come from a pool of 64 addresses many subjects use (VPN exits, offices): those
-- change the identifier graph, the engine's expensive path. The token comes from KENSA_TOKEN;
-- KENSA_QUERY is appended to the path (e.g. "?wait=false").
local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n = 0
local headers = {
  ["Content-Type"] = "application/json",
  ["Authorization"] = "Bearer " .. os.getenv("KENSA_TOKEN"),
}
local per = tonumber(os.getenv("KENSA_BATCH") or "100")
local run = tonumber(os.getenv("KENSA_RUN") or "0")
local shared_pct = tonumber(os.getenv("KENSA_SHARED_PCT") or "0")

function request()
  local parts = {}
  for i = 1, per do
    n = n + 1
    local s = (n * 7919 + tid * 104729) % 10000
    local ip
    if (n * 37) % 100 < shared_pct then
      ip = string.format("198.18.0.%d", 1 + (n * 13) % 64)
    else
      -- first octet: the run; second: the thread and the counter's high part (a thread's
      -- 64,000 addresses per second octet, 2M before one repeats with 8 threads; a repeat would be
      -- shared with another subject, the expensive path this branch is not meant to measure);
      -- third and fourth: the counter's low part.
      local hi = math.floor(n / 64000)
      ip = string.format("%d.%d.%d.%d", 11 + run % 180, (1 + tid + 8 * hi) % 256, math.floor(n / 250) % 256, 1 + n % 250)
    end
    parts[i] = string.format(
      '{"kind":"login","record_id":"wrk-%d-%d-%d","subject_id":"s%d","at":"2026-11-%02dT%02d:%02d:%02dZ","ip":"%s"}',
      run, tid, n, s, 1 + n % 28, n % 24, math.floor(n / 24) % 60, math.floor(n / 1440) % 60, ip)
  end
  local body = per == 1 and parts[1] or ("[" .. table.concat(parts, ",") .. "]")
  return wrk.format("POST", "/v1/events" .. (os.getenv("KENSA_QUERY") or ""), headers, body)
end

local bad = 0
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end

-- KENSA_DELAY_MS paces each connection (a request every delay + latency): with C connections
-- the rate is about C × 1000 / delay requests per second.
local pace = tonumber(os.getenv("KENSA_DELAY_MS") or "0")
if pace > 0 then
  function delay()
    return pace
  end
end
