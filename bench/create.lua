dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
request = function() return create() end
