/**
 * The two Lua scripts behind the Redis limit store. Each runs atomically in Redis, so admission is
 * one round trip that checks every limit and increments all of them or none: N replicas together
 * never admit more than the limit. The rules are those of `limits/limit-store.ts`; the memory store
 * implements the same in TypeScript (`limits/sliding-window.ts`), and the two must agree.
 *
 * Windows are hashes of bucket start (Unix ms) → amount, plus a running total (`t`) and the start
 * of the oldest bucket that may still hold something (`o`), so that an admission reads two fields
 * instead of all sixty buckets. Concurrency is a sorted set of lease id →
 * expiry; budget reservations a sorted set of `<lease id>:<micro-dollars>` → expiry; both expire so
 * that a replica that dies mid-request leaks nothing for longer than the lease time-to-live (a
 * living replica renews its leases). Amounts are integers: Lua's doubles hold them exactly up to
 * 2^53, and Redis adds them as 64-bit integers (HINCRBY); a number Lua writes itself is formatted
 * with 14 significant digits (`%.14g`), enough for totals and reservations (below 1e14 tokens or
 * micro-dollars), so the one value that may be larger, a spent total, is written from the
 * caller's own digits. Time-to-lives are relative (PEXPIRE), so
 * that a caller's clock (`now`, injectable in tests) never expires a key by accident.
 */

/** KEYS and ARGV of the admission script, in order. */
export const admitKeys = ['requests', 'tokens', 'concurrency', 'global', 'budget', 'reservations'] as const;

/*
 * ARGV: 1 now, 2 window ms, 3 bucket ms, 4 lease id, 5 lease time-to-live ms, 6 requests limit,
 * 7 tokens limit, 8 estimated tokens, 9 concurrency limit, 10 global limit (0: none for 6-10),
 * 11 budget limit (empty: no budget), 12 budget estimate, 13 initial spent (empty: unknown),
 * 14 budget counters' time-to-live ms.
 *
 * Returns {-1} when the budget counter must be initialised first, else {admitted (1/0),
 * requests used, release ms, wait ms, tokens used, release, wait, global used, release, wait,
 * in flight, spent, reserved}; used -1 means not limited, wait -1 fits, wait -2 never fits.
 */
export const admitScript = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local bucketMs = tonumber(ARGV[3])
local bucket = now - (now % bucketMs)
local horizon = bucket - windowMs + bucketMs

local function reservedIn(members)
  local sum = 0
  for _, member in ipairs(members) do
    sum = sum + tonumber(string.match(member, ':(%d+)$'))
  end
  return sum
end

local admitted = true
local spent, reserved = -1, -1
if ARGV[11] ~= '' then
  local stored = redis.call('HGET', KEYS[5], 'spent')
  if not stored then
    if ARGV[13] == '' then return { -1 } end
    -- A new counter: reservations of requests still in flight (if any outlived the old one) count again.
    redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
    reserved = reservedIn(redis.call('ZRANGE', KEYS[6], 0, -1))
    spent = tonumber(ARGV[13])
    -- The caller's digits, not Lua's: a number is written with 14 significant digits at most.
    redis.call('HSET', KEYS[5], 'spent', ARGV[13], 'reserved', reserved)
  else
    spent = tonumber(stored)
    reserved = tonumber(redis.call('HGET', KEYS[5], 'reserved') or '0')
    local expired = redis.call('ZRANGEBYSCORE', KEYS[6], '-inf', now)
    if #expired > 0 then
      reserved = math.max(0, reserved - reservedIn(expired))
      redis.call('ZREMRANGEBYSCORE', KEYS[6], '-inf', now)
      redis.call('HSET', KEYS[5], 'reserved', reserved)
    end
  end
  if spent + reserved + tonumber(ARGV[12]) > tonumber(ARGV[11]) then admitted = false end
end

-- Reads a window: its total and its oldest counted bucket (nil when empty). Buckets that have left
-- the window are dropped and their amounts taken off the running total; each bucket is dropped
-- once, so the cost per admission stays constant however full the window.
-- Recounts a window from all its buckets: when the oldest bucket lies more than a window behind
-- (no admission read this window for that long, while settlements may have written to it).
local function rebuildWindow(key)
  local flat = redis.call('HGETALL', key)
  local total, oldest, stale = 0, nil, {}
  for i = 1, #flat, 2 do
    local start, amount = tonumber(flat[i]), tonumber(flat[i + 1])
    if start ~= nil then
      if start < horizon then
        stale[#stale + 1] = flat[i]
      elseif amount > 0 then
        total = total + amount
        if oldest == nil or start < oldest then oldest = start end
      end
    end
  end
  if oldest == nil then
    redis.call('DEL', key)
    return 0, nil
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  redis.call('HSET', key, 't', total, 'o', oldest)
  return total, oldest
end

local function readWindow(key)
  local state = redis.call('HMGET', key, 't', 'o')
  local total, oldest = tonumber(state[1]), tonumber(state[2])
  if total == nil or oldest == nil then return 0, nil end
  if horizon - oldest > windowMs then return rebuildWindow(key) end
  local moved = false
  if oldest < horizon then
    local stale = {}
    for start = oldest, horizon - bucketMs, bucketMs do stale[#stale + 1] = start end
    local amounts = redis.call('HMGET', key, unpack(stale))
    for i = 1, #stale do total = total - (tonumber(amounts[i]) or 0) end
    redis.call('HDEL', key, unpack(stale))
    oldest = horizon
    moved = true
  end
  -- The oldest bucket may be empty (just dropped up to, or emptied by a token correction): the
  -- oldest counted one is the first non-empty bucket from there to now.
  if (tonumber(redis.call('HGET', key, oldest)) or 0) <= 0 then
    local candidates = {}
    for start = oldest, bucket, bucketMs do candidates[#candidates + 1] = start end
    local amounts = redis.call('HMGET', key, unpack(candidates))
    oldest = nil
    for i = 1, #candidates do
      if (tonumber(amounts[i]) or 0) > 0 then
        oldest = candidates[i]
        break
      end
    end
    if oldest == nil then
      -- Only buckets ahead of this caller's clock (another replica's clock runs ahead) can remain.
      if total <= 0 then
        redis.call('DEL', key)
        return 0, nil
      end
      oldest = bucket
    end
    moved = true
  end
  if moved then redis.call('HSET', key, 't', total, 'o', oldest) end
  return math.max(total, 0), oldest
end

-- Only for a rejection: when enough of the oldest buckets will have left to make room.
local function waitFor(key, excess)
  local flat = redis.call('HGETALL', key)
  local live = {}
  for i = 1, #flat, 2 do
    local start, amount = tonumber(flat[i]), tonumber(flat[i + 1])
    if start ~= nil and start >= horizon and amount > 0 then live[#live + 1] = { start, amount } end
  end
  table.sort(live, function(left, right) return left[1] < right[1] end)
  local freed = 0
  for _, entry in ipairs(live) do
    freed = freed + entry[2]
    if freed >= excess then return entry[1] + windowMs - now end
  end
  return windowMs
end

local windows = {}
local function check(index, key, cost, limit)
  if limit <= 0 then
    windows[index] = { used = -1, release = 0, wait = -1, cost = 0 }
    return
  end
  local total, oldest = readWindow(key)
  local release = 0
  if oldest ~= nil then release = oldest + windowMs - now end
  local wait = -1
  local excess = total + math.max(cost, 1) - limit
  if excess > 0 then
    admitted = false
    if cost > limit then wait = -2 else wait = waitFor(key, excess) end
  end
  windows[index] = { key = key, used = total, release = release, wait = wait, cost = cost, oldest = oldest }
end

check(1, KEYS[1], 1, tonumber(ARGV[6]))
check(2, KEYS[2], tonumber(ARGV[8]), tonumber(ARGV[7]))
check(3, KEYS[4], 1, tonumber(ARGV[10]))

local inFlight = -1
local concurrencyLimit = tonumber(ARGV[9])
if concurrencyLimit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  inFlight = redis.call('ZCARD', KEYS[3])
  if inFlight >= concurrencyLimit then admitted = false end
end

if admitted then
  for _, window in ipairs(windows) do
    if window.used >= 0 and window.cost > 0 then
      local inBucket = redis.call('HINCRBY', window.key, bucket, window.cost)
      redis.call('HINCRBY', window.key, 't', window.cost)
      if window.oldest == nil or window.oldest > bucket then
        redis.call('HSET', window.key, 'o', bucket)
        window.release = bucket + windowMs - now
      end
      -- The first write into a bucket sets the time-to-live; later writes into the same bucket
      -- (within a second of it) need not: it already outlasts the bucket's stay in the window.
      if inBucket == window.cost then redis.call('PEXPIRE', window.key, windowMs + bucketMs) end
      window.used = window.used + window.cost
    end
  end
  if concurrencyLimit > 0 then
    local leaseTtl = tonumber(ARGV[5])
    redis.call('ZADD', KEYS[3], now + leaseTtl, ARGV[4])
    redis.call('PEXPIRE', KEYS[3], 2 * leaseTtl)
    inFlight = inFlight + 1
  end
  if ARGV[11] ~= '' then
    local estimate = tonumber(ARGV[12])
    redis.call('ZADD', KEYS[6], now + tonumber(ARGV[5]), ARGV[4] .. ':' .. ARGV[12])
    if estimate > 0 then redis.call('HINCRBY', KEYS[5], 'reserved', estimate) end
    redis.call('PEXPIRE', KEYS[5], ARGV[14])
    redis.call('PEXPIRE', KEYS[6], ARGV[14])
  end
end

local result = { admitted and 1 or 0 }
for _, window in ipairs(windows) do
  result[#result + 1] = window.used
  result[#result + 1] = window.release
  result[#result + 1] = window.wait
end
result[#result + 1] = inFlight
result[#result + 1] = spent
result[#result + 1] = reserved
return result
`;

/** KEYS of one settlement in the settle script, in order; a call settles several, one after another. */
export const settleKeys = ['tokens', 'concurrency', 'budget', 'reservations'] as const;

/** ARGV per settlement in the settle script (after the two shared ones). */
export const settleArgumentsPerSettlement = 9;

/*
 * ARGV: 1 window ms, 2 bucket ms, then for each settlement (KEYS likewise four per settlement):
 * now, lease id, admitted at, estimated tokens, actual tokens, tokens limited (1/0), reservation
 * member (empty: no budget), estimate micro-dollars, actual micro-dollars.
 *
 * Several settlements go in one call (those of one event-loop turn of a replica): a script call has
 * a fixed cost in Redis and in the client, which a call per settlement paid a second time for every
 * request.
 *
 * The token estimate leaves its admission bucket (if still in the window) and the actual count
 * enters the current one; the budget reservation is released (unless it already expired) and the
 * actual cost added to `spent`, only while the counter exists: a missing counter is initialised
 * from the database, which receives the same cost through the usage record.
 */
export const settleScript = `
local windowMs = tonumber(ARGV[1])
local bucketMs = tonumber(ARGV[2])

local function settle(k, a)
  local now = tonumber(ARGV[a])
  local bucket = now - (now % bucketMs)
  local horizon = bucket - windowMs + bucketMs
  local tokens = KEYS[k]
  if ARGV[a + 5] == '1' then
    local admittedAt = tonumber(ARGV[a + 2])
    local admittedBucket = admittedAt - (admittedAt % bucketMs)
    local estimate = tonumber(ARGV[a + 3])
    if admittedBucket >= horizon and estimate > 0 then
      local current = tonumber(redis.call('HGET', tokens, admittedBucket)) or 0
      local removed = math.min(current, estimate)
      if removed > 0 then
        redis.call('HINCRBY', tokens, 't', -removed)
        if removed == current then
          redis.call('HDEL', tokens, admittedBucket)
        else
          redis.call('HINCRBY', tokens, admittedBucket, -removed)
        end
      end
    end
    local actual = tonumber(ARGV[a + 4])
    if actual > 0 then
      local inBucket = redis.call('HINCRBY', tokens, bucket, actual)
      redis.call('HINCRBY', tokens, 't', actual)
      local oldest = tonumber(redis.call('HGET', tokens, 'o'))
      if oldest == nil or oldest > bucket then redis.call('HSET', tokens, 'o', bucket) end
      -- As in admission: the bucket's first write sets the time-to-live.
      if inBucket == actual then redis.call('PEXPIRE', tokens, windowMs + bucketMs) end
    end
  end

  redis.call('ZREM', KEYS[k + 1], ARGV[a + 1])

  if ARGV[a + 6] ~= '' then
    local removed = redis.call('ZREM', KEYS[k + 3], ARGV[a + 6])
    if redis.call('HEXISTS', KEYS[k + 2], 'spent') == 1 then
      local estimate = tonumber(ARGV[a + 7])
      if removed == 1 and estimate > 0 then redis.call('HINCRBY', KEYS[k + 2], 'reserved', -estimate) end
      local actual = tonumber(ARGV[a + 8])
      if actual > 0 then redis.call('HINCRBY', KEYS[k + 2], 'spent', actual) end
    end
  end
end

local count = #KEYS / ${settleKeys.length}
for i = 0, count - 1 do settle(1 + i * ${settleKeys.length}, 3 + i * ${settleArgumentsPerSettlement}) end
return count
`;
