-- wrk script for bench/api-load.sh: a mix of notice POSTs and forecast GETs on the actuator API.
-- One request in PSM_LOAD_POST_EVERY (default 5, i.e. 20 %) posts a notice; the rest read a
-- group's forecast, over the groups of PSM_LOAD_GROUPS (default web,batch,api). Notices lie in
-- 2033 so that the forecast's work (the notices overlapping its horizon) stays the same over the
-- run while the store keeps growing.
local token = os.getenv("PSM_API_TOKEN") or ""
local post_every = tonumber(os.getenv("PSM_LOAD_POST_EVERY") or "5")
local groups = {}
for g in string.gmatch(os.getenv("PSM_LOAD_GROUPS") or "web,batch,api", "[^,]+") do groups[#groups + 1] = g end
local counter = 0
local auth = {["Authorization"] = "Bearer " .. token}
local post_headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}

request = function()
  counter = counter + 1
  local group = groups[(counter % #groups) + 1]
  if counter % post_every == 0 then
    local start = 2000000000 + counter
    local body = string.format('{"group":"%s","start":%d,"end":%d,"multiplier":1.5,"note":"load test"}',
                               group, start, start + 3600)
    return wrk.format("POST", "/v1/notices", post_headers, body)
  end
  return wrk.format("GET", "/v1/forecasts/" .. group, auth)
end
-- No response() callback: it would make wrk parse every body on the cores the server shares.
-- bench/api-load.sh fails the run when wrk counts any non-2xx answer.
