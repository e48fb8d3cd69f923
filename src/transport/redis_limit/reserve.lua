-- Reserve the next slot of one class: GCRA with a burst of one, on Redis's own clock.
-- KEYS[1]: the class's schedule (theoretical arrival time of the next call, µs of Redis time)
-- KEYS[2]: the class's hold (end of a server-reported hold, µs of Redis time)
-- ARGV[1]: the emission interval, µs
-- Returns {wait_us, reserved}: reserved = 1 when the slot `wait_us` from now is the caller's;
-- reserved = 0 when the class is held for `wait_us` more (nothing reserved: ask again then).
if redis.replicate_commands then redis.replicate_commands() end -- Redis < 5: TIME, then writes
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local hold = tonumber(redis.call('GET', KEYS[2]) or '0')
if hold > now then
  return {hold - now, 0}
end
local slot = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now)
local next_slot = slot + tonumber(ARGV[1])
-- %d: microseconds since 1970 need 51 bits, more than tostring's 14 digits.
redis.call('SET', KEYS[1], string.format('%d', next_slot),
  'PX', math.ceil((next_slot - now) / 1000) + 1000)
return {slot - now, 1}
