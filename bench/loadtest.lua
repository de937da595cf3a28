-- wrk script for LCAMP Tracker: a mix of dashboard, indicator pages, API lists and saves.
-- Environment: LCAMP_SESSION (session cookie of a manager), LCAMP_TOKEN (API token).
-- Weights (out of 100): dashboard 20, indicator pages 30, public 5, API lists 35, saves 10.

local session = os.getenv("LCAMP_SESSION")
local token = os.getenv("LCAMP_TOKEN")
local codes = {"observatories", "alliance-members", "cooperation-projects", "mous", "micro-credentials",
               "skill-gaps", "students-international", "collaborative-products"}
local lists = {"/api/v1/indicators/", "/api/v1/alliance-members/", "/api/v1/organisations/?page=2",
               "/api/v1/micro-credentials/", "/api/v1/observatories/", "/api/v1/mous/",
               "/api/v1/indicators/alliance-members/history/",
               "/api/v1/indicators/alliance-members/breakdown/?dimension=country"}
local counter = 0
thread_id = 0  -- set per thread by setup(); a global, so thread:set reaches it
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + thread_id * 7919)
end

local html = {["Cookie"] = "sessionid=" .. session, ["Accept"] = "text/html"}
local api = {["Authorization"] = "Token " .. token, ["Accept"] = "application/json"}
local api_post = {["Authorization"] = "Token " .. token, ["Accept"] = "application/json",
                  ["Content-Type"] = "application/json"}

function request()
  local r = math.random(100)
  if r <= 20 then
    return wrk.format("GET", "/", html)
  elseif r <= 50 then
    return wrk.format("GET", "/indicators/" .. codes[math.random(#codes)] .. "/", html)
  elseif r <= 55 then
    return wrk.format("GET", "/public/", {["Accept"] = "text/html"})
  elseif r <= 90 then
    return wrk.format("GET", lists[math.random(#lists)], api)
  else
    counter = counter + 1
    local body = string.format('{"name": "Load test organisation %d-%d-%d", "country": "BE", "kind": "other"}',
                               thread_id, counter, math.random(1000000000))
    return wrk.format("POST", "/api/v1/organisations/", api_post, body)
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_s=%.1f rps=%.1f non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
    "p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f max_ms=%.1f\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6), errors.status,
    errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
