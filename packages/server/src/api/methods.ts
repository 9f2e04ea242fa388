// Server API methods (Centrifugo v6 shapes, plus roomcast's `priority`/`kind` on publish). Each
// takes validated params and returns the `result` object or throws ApiError; the HTTP layer,
// batch and the legacy endpoint all go through here.

import { encodeHistoryResult, encodePresenceResult, type ClientInfo } from '@roomcast/protocol';
import { PRIORITY, type PriorityName } from '../bus/bus.ts';
import type { ParsedChannel } from '../channels/namespaces.ts';
import { ApiError } from '../errors.ts';
import type { RoomcastNode } from '../node.ts';
import { bool, int, isObject, obj, position, rawData, str, strArray, strMap, type Params } from './params.ts';

export type ApiMethod = (node: RoomcastNode, params: Params) => Promise<unknown>;

function channelOf(node: RoomcastNode, channel: string): ParsedChannel {
  if (channel.length > node.config.client.channelMaxLength)
    throw new ApiError(107, 'bad request: channel too long');
  const parsed = node.namespaces.resolve(channel);
  if (!parsed) throw new ApiError(102, 'unknown channel');
  return parsed;
}

function priorityOf(p: Params): (typeof PRIORITY)[PriorityName] | undefined {
  const name = str(p, 'priority');
  if (name === undefined) return undefined;
  if (!(name in PRIORITY))
    throw new ApiError(107, `bad request: priority must be one of ${Object.keys(PRIORITY).join(', ')}`);
  return PRIORITY[name as PriorityName];
}

async function publishOne(
  node: RoomcastNode,
  channel: string,
  p: Params,
  data: string,
): Promise<Record<string, unknown>> {
  channelOf(node, channel);
  const priority = priorityOf(p);
  const kind = str(p, 'kind');
  const tags = strMap(p, 'tags');
  const idem = str(p, 'idempotency_key');
  try {
    const r = await node.publish(channel, data, {
      source: 'api',
      ...(priority !== undefined ? { priority } : {}),
      ...(kind !== undefined ? { kind } : {}),
      ...(tags !== undefined ? { tags } : {}),
      ...(idem !== undefined ? { idempotencyKey: idem } : {}),
      ...(bool(p, 'skip_history') === true ? { skipHistory: true } : {}),
    });
    return r.offset > 0 ? { offset: r.offset, epoch: r.epoch } : {};
  } catch (err) {
    if (err instanceof ApiError) throw err;
    node.log.warn({ err, channel }, 'api publish failed');
    throw new ApiError(100, 'internal server error', { cause: err });
  }
}

/** Presence results use the wire field names (conn_info/chan_info as raw JSON). */
function presenceJson(p: Record<string, ClientInfo>): unknown {
  return (JSON.parse(encodePresenceResult(p)) as { presence: unknown }).presence;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export const coreMethods: Readonly<Record<string, ApiMethod>> = {
  async publish(node, p) {
    const channel = str(p, 'channel', true);
    return publishOne(node, channel, p, rawData(p, 'data', 'b64data', true) as string);
  },

  async broadcast(node, p) {
    const channels = strArray(p, 'channels');
    if (!channels || channels.length === 0) throw new ApiError(107, 'bad request: channels required');
    const data = rawData(p, 'data', 'b64data', true) as string;
    const responses = await Promise.all(
      channels.map(async (ch) => {
        try {
          return { result: await publishOne(node, ch, p, data) };
        } catch (err) {
          const e = err instanceof ApiError ? err : new ApiError(100, 'internal server error');
          return { error: { code: e.code, message: e.message } };
        }
      }),
    );
    return { responses };
  },

  async subscribe(node, p) {
    const user = str(p, 'user', true);
    const channel = str(p, 'channel', true);
    channelOf(node, channel);
    const info = rawData(p, 'info', 'b64info', false);
    const data = rawData(p, 'data', 'b64data', false);
    const client = str(p, 'client');
    const since = position(p, 'recover_since');
    await node.publishControl({
      type: 'subscribe',
      user,
      channel,
      ...(client !== undefined ? { client } : {}),
      ...(info !== undefined ? { info } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(since !== undefined ? { recoverSince: since } : {}),
    });
    return {};
  },

  async unsubscribe(node, p) {
    const user = str(p, 'user', true);
    const channel = str(p, 'channel', true);
    const client = str(p, 'client');
    await node.publishControl({
      type: 'unsubscribe',
      user,
      channel,
      ...(client !== undefined ? { client } : {}),
    });
    return {};
  },

  async disconnect(node, p) {
    const user = str(p, 'user') ?? '';
    const client = str(p, 'client');
    if (user === '' && client === undefined) throw new ApiError(107, 'bad request: user or client required');
    const d = obj(p, 'disconnect');
    const code = (d && int(d, 'code')) ?? 3503;
    const reason = (d && str(d, 'reason')) ?? 'force disconnect';
    if (code < 3000 || code > 4999) throw new ApiError(107, 'bad request: disconnect.code must be 3000-4999');
    if (Buffer.byteLength(reason) > 123)
      throw new ApiError(107, 'bad request: disconnect.reason longer than 123 bytes');
    const whitelist = strArray(p, 'whitelist');
    await node.publishControl({
      type: 'disconnect',
      user,
      code,
      reason,
      ...(client !== undefined ? { client } : {}),
      ...(whitelist !== undefined ? { whitelist } : {}),
    });
    return {};
  },

  async refresh(node, p) {
    const user = str(p, 'user', true);
    const client = str(p, 'client');
    const expireAt = int(p, 'expire_at');
    const info = rawData(p, 'info', 'b64info', false);
    await node.publishControl({
      type: 'refresh',
      user,
      expired: bool(p, 'expired') === true,
      ...(client !== undefined ? { client } : {}),
      ...(expireAt !== undefined ? { expireAt } : {}),
      ...(info !== undefined ? { info } : {}),
    });
    return {};
  },

  async presence(node, p) {
    const channel = str(p, 'channel', true);
    if (!channelOf(node, channel).policy.presence) throw new ApiError(108, 'not available');
    return { presence: presenceJson(await node.presence.get(channel)) };
  },

  async presence_stats(node, p) {
    const channel = str(p, 'channel', true);
    if (!channelOf(node, channel).policy.presence) throw new ApiError(108, 'not available');
    const s = await node.presence.stats(channel);
    return { num_clients: s.numClients, num_users: s.numUsers };
  },

  async history(node, p) {
    const channel = str(p, 'channel', true);
    const { policy } = channelOf(node, channel);
    if (!policy.hasHistory) throw new ApiError(108, 'not available');
    const limit = int(p, 'limit') ?? 0;
    const since = position(p, 'since');
    const reverse = bool(p, 'reverse') ?? false;
    const r = await node.historyQuery(
      channel,
      policy,
      { limit, reverse, ...(since ? { since } : {}) },
      10_000,
    );
    if ('error' in r) throw new ApiError(r.error.code, r.error.message);
    return JSON.parse(encodeHistoryResult(r.publications, r.position)) as unknown;
  },

  async history_remove(node, p) {
    const channel = str(p, 'channel', true);
    if (!channelOf(node, channel).policy.hasHistory) throw new ApiError(108, 'not available');
    await node.removeHistory(channel);
    return {};
  },

  async channels(node, p) {
    const pattern = str(p, 'pattern');
    const re = pattern !== undefined ? globToRegExp(pattern) : undefined;
    const channels: Record<string, { num_clients: number }> = {};
    for (const [name, ch] of node.hub.channels) {
      if (ch.size > 0 && (!re || re.test(name))) channels[name] = { num_clients: ch.size };
    }
    return { channels };
  },

  async user_status(node, p) {
    const users = strArray(p, 'users');
    if (!users || users.length === 0) throw new ApiError(107, 'bad request: users required');
    if (users.length > 1000) throw new ApiError(107, 'bad request: at most 1000 users per call');
    const st = await node.online.userStatus(users);
    return {
      statuses: users.map((user) => {
        const at = st.get(user);
        return at === undefined ? { user, online: false } : { user, online: true, last_seen: at };
      }),
    };
  },

  async info(node) {
    return { nodes: await node.nodes() };
  },
};

export async function callMethod(node: RoomcastNode, name: string, params: unknown): Promise<unknown> {
  const fn = node.apiMethods.get(name) ?? (Object.hasOwn(coreMethods, name) ? coreMethods[name] : undefined);
  if (!fn) throw new ApiError(104, 'method not found');
  if (params !== undefined && params !== null && !isObject(params))
    throw new ApiError(107, 'bad request: params must be an object');
  return fn(node, (params as Params | undefined) ?? {});
}

/** `batch`: commands run in order (or concurrently with `parallel`), one reply each. */
export async function callBatch(node: RoomcastNode, p: Params): Promise<unknown> {
  const commands = p['commands'];
  if (!Array.isArray(commands)) throw new ApiError(107, 'bad request: commands must be an array');
  const run = async (cmd: unknown): Promise<unknown> => {
    if (!isObject(cmd)) return { error: { code: 107, message: 'bad request: command must be an object' } };
    const [name] = Object.keys(cmd);
    if (name === undefined || name === 'batch')
      return { error: { code: 107, message: 'bad request: empty command' } };
    try {
      return { [name]: await callMethod(node, name, cmd[name]) };
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError(100, 'internal server error');
      return { error: { code: e.code, message: e.message } };
    }
  };
  if (p['parallel'] === true) return { replies: await Promise.all(commands.map(run)) };
  const replies: unknown[] = [];
  for (const cmd of commands) replies.push(await run(cmd));
  return { replies };
}
