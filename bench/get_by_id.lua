dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
request = function() return get_by_id() end
