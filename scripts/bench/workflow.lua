-- wrk script: the tutorial workflow of shared/bench/bench_workload.py, one workflow at a time per connection.
--   wrk -t16 -c16 -d8s -s scripts/bench/workflow.lua http://127.0.0.1:PORT -- single|batch
-- Needs as many threads as connections: wrk keeps one Lua state per thread, and the workflow's state (the step and
-- the session id) must belong to one connection. Checks every status and the final gradient; prints one line
-- `WRKJSON {...}` with requests, workflows, errors and latency percentiles (ms).

local mode = "single"
local step = 1
local sid = nil
workflows = 0
errors = 0
first_error = ""

local json_headers = { ["Content-Type"] = "application/json" }
local x_body = '{"name": "x", "shape": [2, 2], "init": "ones", "requires_grad": true}'
local ops = {
    '{"op": "add", "args": ["x", 2], "name": "y"}',
    '{"op": "mul", "args": ["y", "y"], "name": "t"}',
    '{"op": "mul", "args": ["t", 3], "name": "z"}',
    '{"op": "mean", "args": ["z"], "name": "out"}',
}
local batch_body = "[" .. table.concat(ops, ", ") .. "]"

-- the steps of one workflow: method, path (after the session), body, expected status
local steps = {}

function init(args)
    mode = args[1] or "single"
    table.insert(steps, { "POST", nil, nil, 201 })
    table.insert(steps, { "POST", "/tensors", x_body, 201 })
    if mode == "batch" then
        table.insert(steps, { "POST", "/ops", batch_body, 201 })
    else
        for _, op in ipairs(ops) do
            table.insert(steps, { "POST", "/ops", op, 201 })
        end
    end
    table.insert(steps, { "POST", "/tensors/out/backward", "{}", 200 })
    table.insert(steps, { "GET", "/tensors/x/grad", nil, 200 })
    table.insert(steps, { "DELETE", "", nil, 204 })
end

function request()
    local s = steps[step]
    if step == 1 then
        return wrk.format("POST", "/v1/sessions", { ["Content-Length"] = "0" }, nil)
    end
    local headers = nil
    if s[3] then
        headers = json_headers
    elseif s[1] == "POST" then
        headers = { ["Content-Length"] = "0" }
    end
    return wrk.format(s[1], "/v1/sessions/" .. sid .. s[2], headers, s[3])
end

local function fail(why)
    errors = errors + 1
    if first_error == "" then
        first_error = why
    end
    step = 1 -- start over with a new session; the failed one is left to its TTL
end

function response(status, headers, body)
    local s = steps[step]
    if status ~= s[4] then
        return fail(s[1] .. " step " .. step .. ": status " .. status .. " " .. string.sub(body or "", 1, 120))
    end
    if step == 1 then
        sid = string.match(body, '"id"%s*:%s*"([^"]+)"')
        if not sid then
            return fail("no session id in " .. string.sub(body, 1, 120))
        end
    elseif s[1] == "GET" then
        local _, n = string.gsub(body, "4%.5", "")
        if n ~= 4 then
            return fail("wrong gradient: " .. string.sub(body, 1, 120))
        end
    end
    if step == #steps then
        workflows = workflows + 1
        step = 1
    else
        step = step + 1
    end
end

local threads = {}

local function json_string(text)
    return '"' .. string.gsub(text, '[%c"\\]', function(c) return string.format("\\u%04x", string.byte(c)) end) .. '"'
end

function setup(thread)
    table.insert(threads, thread)
end

function done(summary, latency, requests)
    local wf, errs, first = 0, 0, ""
    for _, t in ipairs(threads) do
        wf = wf + t:get("workflows")
        errs = errs + t:get("errors")
        local f = t:get("first_error")
        if first == "" and f and f ~= "" then
            first = f
        end
    end
    local e = summary.errors
    io.write(string.format(
        'WRKJSON {"seconds": %.3f, "requests": %d, "workflows": %d, "errors": %d, "socket_errors": %d, ' ..
        '"req_p50_ms": %.3f, "req_p90_ms": %.3f, "req_p99_ms": %.3f, "req_max_ms": %.3f, "first_error": %s}\n',
        summary.duration / 1e6, summary.requests, wf, errs,
        e.connect + e.read + e.write + e.status + e.timeout,
        latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
        latency.max / 1000, first == "" and "null" or json_string(first)))
end
