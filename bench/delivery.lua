-- wrk script: POSTs the same signed GitHub push, each request with a unique
-- X-GitHub-Delivery. Environment: HP_BODY (payload file), HP_SIG (its
-- X-Hub-Signature-256), HP_RUN (delivery id prefix, unique per run),
-- HP_PATH (optional). done() prints one machine-readable WRK line.
local f = assert(io.open(assert(os.getenv("HP_BODY"), "HP_BODY not set"), "rb"))
local body = f:read("*a")
f:close()
local sig = assert(os.getenv("HP_SIG"), "HP_SIG not set")
local run = os.getenv("HP_RUN") or tostring(os.time())
local path = os.getenv("HP_PATH") or "/api/plugin/hookpoint.github/webhook/github"

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local n = 0
local headers = {
  ["Content-Type"] = "application/json",
  ["User-Agent"] = "GitHub-Hookshot/wrk",
  ["X-GitHub-Event"] = "push",
  ["X-Hub-Signature-256"] = sig,
}

function request()
  n = n + 1
  headers["X-GitHub-Delivery"] = run .. "-" .. (tid or 0) .. "-" .. n
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d status_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end
