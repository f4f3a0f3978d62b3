dofile(os.getenv("BENCH_DIR") .. "/lib.lua")
-- 90 % reads by id, 10 % creates.
request = function()
  if math.random(1, 10) == 1 then
    return create()
  end
  return get_by_id()
end
