// Lua scripts run with EVALSHA; a NOSCRIPT reply (Redis restarted, SCRIPT FLUSH, a new cluster
// node) makes the connection SCRIPT LOAD the source on that node and retry once.

import { createHash } from 'node:crypto';
import { RedisCommandError } from './errors.ts';

export class LuaScript {
  readonly name: string;
  readonly source: string;
  readonly sha: string;

  constructor(name: string, source: string) {
    this.name = name;
    this.source = source;
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

/** Redis server time in ms: every node of a fleet ages entries by the same clock. */
export const LUA_NOW_MS = `
local function now_ms()
  local t = redis.call('time')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

// Reply shape checks: scripts return flat arrays of integers and strings.

export function replyArray(reply: unknown, what: string): unknown[] {
  if (Array.isArray(reply)) return reply as unknown[];
  if (reply instanceof Set) return [...(reply as Set<unknown>)];
  throw new RedisCommandError(`${what}: expected an array reply, got ${typeof reply}`);
}

export function replyNumber(reply: unknown, what: string): number {
  if (typeof reply === 'number') return reply;
  if (typeof reply === 'string' && reply !== '' && Number.isFinite(Number(reply))) return Number(reply);
  throw new RedisCommandError(`${what}: expected an integer reply, got ${typeof reply}`);
}

export function replyString(reply: unknown, what: string): string {
  if (typeof reply === 'string') return reply;
  throw new RedisCommandError(`${what}: expected a string reply, got ${typeof reply}`);
}

export function replyStrings(reply: unknown, what: string): string[] {
  return replyArray(reply, what).map((v) => replyString(v, what));
}
