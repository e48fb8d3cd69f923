-- Hold one class for ARGV[1] µs from now (Redis time), unless it is held longer already.
-- KEYS[1]: the class's hold (end of the hold, µs of Redis time)
if redis.replicate_commands then redis.replicate_commands() end -- Redis < 5: TIME, then writes
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local until_us = now + tonumber(ARGV[1])
if tonumber(redis.call('GET', KEYS[1]) or '0') < until_us then
  redis.call('SET', KEYS[1], string.format('%d', until_us),
    'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
end
return 0
