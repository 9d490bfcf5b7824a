-- wrk script for scripts/bench-http.sh: PUT /v1/resources/{unique id}, one durable command
-- (UpsertResource) per request, spread over the seeded organisations.
--
-- Environment: BENCH_STAFF_KEY (required), BENCH_PREFIX (resource id prefix, default "r"),
-- BENCH_ORGS (organisations org-0 .. org-N-1, default 200), BENCH_LIMIT (per wrk thread: after
-- this many commands the thread only sends GET /healthz; default: no limit, for measuring).
local key = os.getenv("BENCH_STAFF_KEY")
local prefix = os.getenv("BENCH_PREFIX") or "r"
local orgs = tonumber(os.getenv("BENCH_ORGS") or "200")
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")

local next_thread = 0
function setup(thread)
  thread:set("thread_id", next_thread)
  next_thread = next_thread + 1
end

local sent = 0
local headers = {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}

function request()
  sent = sent + 1
  if limit > 0 and sent > limit then
    return wrk.format("GET", "/healthz")
  end
  local id = prefix .. "-" .. thread_id .. "-" .. sent
  local body = string.format('{"type":"task","org_id":"org-%d","title":"bench task %s"}',
                             (sent + thread_id) % orgs, id)
  return wrk.format("PUT", "/v1/resources/" .. id, headers, body)
end
