// NodeRegistry on Redis: a hash nodeId → NodeEntry JSON and a sorted set of expiry times (Redis
// clock), both under one hash tag so `list` reads the whole fleet in one script on one shard.
// A node that stops heartbeating drops out once its TTL passes; the keys expire with the last
// node.

import type { NodeEntry, NodeRegistry } from '@roomcast/server';
import type { CommandConnection } from './connection.ts';
import { RedisCommandError } from './errors.ts';
import type { KeyLayout } from './keys.ts';
import { LUA_NOW_MS, LuaScript, replyArray, replyString } from './lua.ts';

const PRELUDE = `${LUA_NOW_MS}
local entries, expiry = KEYS[1], KEYS[2]
local function expire_nodes(now)
  local gone = redis.call('zrangebyscore', expiry, '-inf', now)
  for i = 1, #gone do redis.call('hdel', entries, gone[i]) end
  if #gone > 0 then redis.call('zremrangebyscore', expiry, '-inf', now) end
end
`;

/** ARGV: nodeId, entry JSON, ttl ms. */
const HEARTBEAT = new LuaScript(
  'registry-heartbeat',
  `${PRELUDE}
local now = now_ms()
expire_nodes(now)
redis.call('hset', entries, ARGV[1], ARGV[2])
redis.call('zadd', expiry, string.format('%d', now + tonumber(ARGV[3])), ARGV[1])
local last = redis.call('zrange', expiry, -1, -1, 'WITHSCORES')
redis.call('pexpireat', entries, last[2])
redis.call('pexpireat', expiry, last[2])
return 1
`,
);

const LIST = new LuaScript(
  'registry-list',
  `${PRELUDE}
expire_nodes(now_ms())
return redis.call('hvals', entries)
`,
);

/** ARGV: nodeId. */
const REMOVE = new LuaScript(
  'registry-remove',
  `${PRELUDE}
redis.call('hdel', entries, ARGV[1])
redis.call('zrem', expiry, ARGV[1])
return 1
`,
);

function parseEntry(raw: unknown): NodeEntry {
  const text = replyString(raw, 'registry entry');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new RedisCommandError('registry entry is not JSON', { cause: err });
  }
  if (typeof v !== 'object' || v === null || !('id' in v) || typeof v.id !== 'string') {
    throw new RedisCommandError('registry entry has no id');
  }
  // Written by heartbeat() from a NodeEntry; the id check guards against foreign data.
  return v as NodeEntry;
}

export class RedisNodeRegistry implements NodeRegistry {
  readonly #cmd: CommandConnection;
  readonly #keys: string[];

  constructor(ctx: { commands: CommandConnection; keys: KeyLayout }) {
    this.#cmd = ctx.commands;
    this.#keys = [ctx.keys.registryEntries, ctx.keys.registryExpiry];
  }

  async heartbeat(entry: NodeEntry, ttlMs: number): Promise<void> {
    await this.#cmd.eval(HEARTBEAT, this.#keys, [
      entry.id,
      JSON.stringify(entry),
      String(Math.max(1, Math.ceil(ttlMs))),
    ]);
  }

  async list(): Promise<NodeEntry[]> {
    return replyArray(await this.#cmd.eval(LIST, this.#keys, []), 'registry list').map(parseEntry);
  }

  async remove(id: string): Promise<void> {
    await this.#cmd.eval(REMOVE, this.#keys, [id]);
  }
}
