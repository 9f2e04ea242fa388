// PresenceStore on Redis: per channel a hash clientId → ClientInfo, a sorted set of the clients'
// expiry times (Redis clock) and a hash user → number of its clients, so `stats` is two HLENs
// instead of a scan. Every script first drops the expired clients it finds (and their user
// counts); the keys themselves expire with the last client, so an abandoned channel leaves
// nothing behind.

import type { ClientInfo } from '@roomcast/protocol';
import type { PresenceStats, PresenceStore } from '@roomcast/server';
import { decodeClientInfo, encodeClientInfo } from './codec.ts';
import type { CommandConnection } from './connection.ts';
import type { KeyLayout } from './keys.ts';
import { LUA_NOW_MS, LuaScript, replyArray, replyNumber, replyString } from './lua.ts';

// KEYS of every presence script: info hash, expiry zset, users hash.
const PRELUDE = `${LUA_NOW_MS}
local info, expiry, users = KEYS[1], KEYS[2], KEYS[3]
local function user_of(v) return cjson.decode(v)[1] end
local function drop_user(user)
  if redis.call('hincrby', users, user, -1) <= 0 then redis.call('hdel', users, user) end
end
local function expire_clients(now)
  local gone = redis.call('zrangebyscore', expiry, '-inf', now)
  for i = 1, #gone do
    local v = redis.call('hget', info, gone[i])
    if v then
      redis.call('hdel', info, gone[i])
      drop_user(user_of(v))
    end
  end
  if #gone > 0 then redis.call('zremrangebyscore', expiry, '-inf', now) end
end
`;

/** ARGV: clientId, encoded info, user, ttl ms. */
const ADD = new LuaScript(
  'presence-add',
  `${PRELUDE}
local now = now_ms()
expire_clients(now)
local client, user = ARGV[1], ARGV[3]
local prev = redis.call('hget', info, client)
redis.call('hset', info, client, ARGV[2])
redis.call('zadd', expiry, string.format('%d', now + tonumber(ARGV[4])), client)
if not prev then
  redis.call('hincrby', users, user, 1)
else
  local prev_user = user_of(prev)
  if prev_user ~= user then
    drop_user(prev_user)
    redis.call('hincrby', users, user, 1)
  end
end
local last = redis.call('zrange', expiry, -1, -1, 'WITHSCORES')
for i = 1, 3 do redis.call('pexpireat', KEYS[i], last[2]) end
return 1
`,
);

/** ARGV: clientId. */
const REMOVE = new LuaScript(
  'presence-remove',
  `${PRELUDE}
local v = redis.call('hget', info, ARGV[1])
if v then
  redis.call('hdel', info, ARGV[1])
  redis.call('zrem', expiry, ARGV[1])
  drop_user(user_of(v))
end
return 1
`,
);

const GET = new LuaScript(
  'presence-get',
  `${PRELUDE}
expire_clients(now_ms())
return redis.call('hgetall', info)
`,
);

const STATS = new LuaScript(
  'presence-stats',
  `${PRELUDE}
expire_clients(now_ms())
return {redis.call('hlen', info), redis.call('hlen', users)}
`,
);

export class RedisPresenceStore implements PresenceStore {
  readonly #cmd: CommandConnection;
  readonly #keys: KeyLayout;

  constructor(ctx: { commands: CommandConnection; keys: KeyLayout }) {
    this.#cmd = ctx.commands;
    this.#keys = ctx.keys;
  }

  #keysOf(channel: string): string[] {
    const k = this.#keys.presence(channel);
    return [k.info, k.expiry, k.users];
  }

  async add(channel: string, clientId: string, info: ClientInfo, ttlMs: number): Promise<void> {
    await this.#cmd.eval(ADD, this.#keysOf(channel), [
      clientId,
      encodeClientInfo(info),
      info.user,
      String(Math.max(1, Math.ceil(ttlMs))),
    ]);
  }

  async remove(channel: string, clientId: string): Promise<void> {
    await this.#cmd.eval(REMOVE, this.#keysOf(channel), [clientId]);
  }

  async get(channel: string): Promise<Record<string, ClientInfo>> {
    const flat = replyArray(await this.#cmd.eval(GET, this.#keysOf(channel), []), 'presence get');
    const out: Record<string, ClientInfo> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) {
      out[replyString(flat[i], 'presence client')] = decodeClientInfo(
        replyString(flat[i + 1], 'presence info'),
      );
    }
    return out;
  }

  async stats(channel: string): Promise<PresenceStats> {
    const r = replyArray(await this.#cmd.eval(STATS, this.#keysOf(channel), []), 'presence stats');
    return {
      numClients: replyNumber(r[0], 'presence clients'),
      numUsers: replyNumber(r[1], 'presence users'),
    };
  }
}
