dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
local path = "/api/users/?cursor=" .. os.getenv("BENCH_DEEP_CURSOR")
request = function() return wrk.format("GET", path) end
