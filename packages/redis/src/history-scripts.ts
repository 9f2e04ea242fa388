// Lua of the Redis HistoryStore. One script per operation, so each runs atomically on the
// shard that owns the channel's hash tag.

import { LUA_NOW_MS, LuaScript } from './lua.ts';

// Drops entries stored at or before `min_time` (Redis ms) from the head of the stream. Entries
// are in time order, so it stops at the first younger one; the common case reads one entry.
const TRIM_AGE = `
local function trim_age(stream, min_time)
  local count = 1
  while true do
    local batch = redis.call('xrange', stream, '-', '+', 'COUNT', count)
    local n = #batch
    if n == 0 then return end
    for i = 1, n do
      local e = batch[i]
      if tonumber(e[2][2]) > min_time then
        if i > 1 then redis.call('xtrim', stream, 'MINID', e[1]) end
        return
      end
    end
    local last = tonumber(string.match(batch[n][1], '^(%d+)'))
    redis.call('xtrim', stream, 'MINID', string.format('%d-0', last + 1))
    count = 64
  end
end
`;

/**
 * KEYS: meta, stream[, idempotency key]
 * ARGV: epoch candidate, size, age ms, meta TTL ms, idempotency TTL ms,
 *       publish command ('' = none), bus channel, message tail (codec.encodePubTail)
 * Returns {0, offset, epoch} or, for a repeated idempotency key, {1, first bus message}.
 */
export const APPEND = new LuaScript(
  'history-append',
  `${LUA_NOW_MS}${TRIM_AGE}
local meta, stream, idem = KEYS[1], KEYS[2], KEYS[3]
if idem then
  local first = redis.call('get', idem)
  if first then return {1, first} end
end
local now = now_ms()
local epoch = redis.call('hget', meta, 'e')
if not epoch then
  -- New stream, or its meta expired: whatever is left of the old stream belongs to another epoch.
  epoch = ARGV[1]
  redis.call('del', stream)
  redis.call('hset', meta, 'e', epoch)
end
local offset = redis.call('hincrby', meta, 'o', 1)
local age = tonumber(ARGV[3])
redis.call('hset', meta, 'a', age)
local msg = string.format('p[%d,"%s"', offset, epoch) .. ARGV[8]
redis.call('xadd', stream, 'MAXLEN', ARGV[2], string.format('%d-0', offset), 't', string.format('%d', now), 'm', msg)
if age > 0 then trim_age(stream, now - age) end
redis.call('pexpire', meta, ARGV[4])
redis.call('pexpire', stream, ARGV[4])
if idem then redis.call('set', idem, msg, 'PX', ARGV[5]) end
if ARGV[6] ~= '' then redis.call(ARGV[6], ARGV[7], msg) end
return {0, offset, epoch}
`,
);

/**
 * KEYS: meta, stream
 * ARGV: epoch candidate, meta TTL ms, since offset ('' = none), limit, reverse ('1' / '0')
 * Returns {top, epoch, message...}.
 */
export const READ = new LuaScript(
  'history-read',
  `${LUA_NOW_MS}${TRIM_AGE}
local meta, stream = KEYS[1], KEYS[2]
local epoch = redis.call('hget', meta, 'e')
if not epoch then
  -- Reading an unknown stream fixes its epoch, so a subscriber's position stays valid for the
  -- first append.
  epoch = ARGV[1]
  redis.call('del', stream)
  redis.call('hset', meta, 'e', epoch, 'o', 0)
  redis.call('pexpire', meta, ARGV[2])
end
local out = {tonumber(redis.call('hget', meta, 'o')) or 0, epoch}
local limit = tonumber(ARGV[4])
if limit == 0 then return out end
local age = tonumber(redis.call('hget', meta, 'a')) or 0
if age > 0 then trim_age(stream, now_ms() - age) end
local since = tonumber(ARGV[3])
local entries
if ARGV[5] == '1' then
  local hi = '+'
  if since and since > 0 then hi = string.format('%d-0', since - 1) end
  if limit > 0 then
    entries = redis.call('xrevrange', stream, hi, '-', 'COUNT', limit)
  else
    entries = redis.call('xrevrange', stream, hi, '-')
  end
else
  local lo = string.format('%d-0', (since or 0) + 1)
  if limit > 0 then
    entries = redis.call('xrange', stream, lo, '+', 'COUNT', limit)
  else
    entries = redis.call('xrange', stream, lo, '+')
  end
end
for i = 1, #entries do out[#out + 1] = entries[i][2][4] end
return out
`,
);
