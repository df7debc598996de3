-- The same decision as the Wasm filter, written as an Envoy Lua filter: the comparator in scripts/bench/.
-- FNV-1a 32-bit over x-user-id's bytes; bucket % 100 below 20 -> s2, else s1.
local bit = require("bit")

function envoy_on_request(handle)
  local key = handle:headers():get("x-user-id")
  if key == nil or key == "" then
    return
  end
  local hash = bit.tobit(2166136261)
  for i = 1, #key do
    hash = bit.bxor(hash, key:byte(i))
    -- hash * 16777619 mod 2^32, as (hash << 24) + hash * 403: exact in a double, then wrapped.
    hash = bit.tobit(bit.lshift(hash, 24) + hash * 403)
  end
  if hash < 0 then
    hash = hash + 4294967296
  end
  handle:headers():replace("x-asm-prefer-tag", hash % 100 < 20 and "s2" or "s1")
end
