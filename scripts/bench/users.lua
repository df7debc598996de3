-- wrk script: each request carries the next of 10,000 user ids, so the filter hashes varied keys.
local n = 0

request = function()
  n = (n + 1) % 10000
  return wrk.format("GET", "/", { ["x-user-id"] = "user-" .. n })
end
