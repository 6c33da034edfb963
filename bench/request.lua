-- Replays prepared requests from $BENCH_DATA (one per line: method TAB path TAB bearer TAB body).
-- Each wrk thread starts at its own offset, so single-use codes are never sent twice.
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  entries = {}
  local f = assert(io.open(os.getenv("BENCH_DATA"), "r"))
  for line in f:lines() do
    local m, p, a, b = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    entries[#entries + 1] = {m, p, a, b}
  end
  f:close()
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  idx = tid * math.floor(#entries / nthreads)
end

function request()
  idx = idx % #entries + 1
  local e = entries[idx]
  -- Accept-Encoding as every browser, WebView and phone HTTP library sends it (the kept district reports
  -- answer such a client gzipped; nothing else is compressed by the app)
  local headers = {["Content-Type"] = "application/json", ["Accept"] = "application/json",
                   ["Accept-Encoding"] = "gzip, deflate"}
  if e[3] ~= "" then headers["Authorization"] = "Bearer " .. e[3] end
  local body = nil
  if e[4] ~= "" then body = e[4] end
  return wrk.format(e[1], e[2], headers, body)
end

-- count answers by status so the report can say what failed
statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 400 and not sample then sample = body end
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses")
    for status, n in pairs(counts) do io.write(string.format("status %d: %d\n", status, n)) end
    local s = thread:get("sample")
    if s then io.write("sample error: " .. string.sub(s, 1, 300):gsub("\n", " ") .. "\n") end
  end
end
