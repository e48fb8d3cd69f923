-- How long one class is still held, in µs (0: not held).
-- KEYS[1]: the class's hold (end of the hold, µs of Redis time)
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local hold = tonumber(redis.call('GET', KEYS[1]) or '0')
if hold > now then
  return hold - now
end
return 0
