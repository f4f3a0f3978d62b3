dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
request = function() return wrk.format("GET", "/api/users/") end
