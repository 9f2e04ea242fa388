// Commands of a connected client other than connect and subscribe.

import {
  Disconnects,
  encodeHistoryResult,
  encodePresenceResult,
  encodePresenceStatsResult,
  encodeRefreshResult,
  encodeRpcResult,
  encodeSubRefreshResult,
  Errors,
  type Command,
  type HistoryRequest,
  type ReplyError,
} from '@roomcast/protocol';
import { InvalidTokenError, TokenExpiredError } from '../auth/token-verifier.ts';
import { allows, type ParsedChannel } from '../channels/namespaces.ts';
import { PublishRejectedError } from '../errors.ts';
import type { Client } from './client.ts';
import { SERVER_VERSION } from './connect.ts';
import { handleSubscribe } from './subscribe.ts';

export function handleCommand(client: Client, cmd: Command): Promise<void> | void {
  switch (cmd.type) {
    case 'subscribe':
      return handleSubscribe(client, cmd.id, cmd.req);
    case 'unsubscribe': {
      const sub = client.subs.get(cmd.req.channel);
      if (sub && !sub.serverSide) client.removeSubscription(sub);
      client.reply(cmd.id, 'unsubscribe', '{}');
      return;
    }
    case 'publish':
      return handlePublish(client, cmd.id, cmd.req.channel, cmd.req.data);
    case 'presence':
    case 'presence_stats':
      return handlePresence(client, cmd.id, cmd.req.channel, cmd.type);
    case 'history':
      return handleHistory(client, cmd.id, cmd.req);
    case 'rpc':
      return handleRpc(client, cmd.id, cmd.req.method, cmd.req.data);
    case 'refresh':
      return handleRefresh(client, cmd.id, cmd.req.token);
    case 'sub_refresh':
      return handleSubRefresh(client, cmd.id, cmd.req.channel, cmd.req.token);
    case 'send':
      client.node.onClientMessage(client, cmd.req.data);
      return;
    case 'connect':
    case 'pong':
      return;
  }
}

/** Resolves a channel for a command, replying with the error when it is not usable. */
function channelFor(client: Client, id: number, channel: string): ParsedChannel | undefined {
  if (channel === '' || channel.length > client.node.config.client.channelMaxLength) {
    client.replyError(id, Errors.badRequest);
    return undefined;
  }
  const parsed = client.node.namespaces.resolve(channel);
  if (!parsed) client.replyError(id, Errors.unknownChannel);
  return parsed;
}

/** Read access (history, presence): subscribers, or whoever the subscribe rule admits. */
function mayRead(client: Client, channel: string, parsed: ParsedChannel): boolean {
  return client.subs.has(channel) || allows(parsed.policy.subscribe, client.user, parsed.rest);
}

async function handlePublish(client: Client, id: number, channel: string, data: string): Promise<void> {
  const parsed = channelFor(client, id, channel);
  if (!parsed) return;
  const { policy } = parsed;
  const sub = client.subs.get(channel);
  if (!allows(policy.publish, client.user, parsed.rest) || (policy.publishRequiresSubscription && !sub)) {
    return client.replyError(id, Errors.permissionDenied);
  }
  try {
    await client.node.publishFromClient(client, channel, parsed, data, sub?.chanInfo);
  } catch (err) {
    if (err instanceof PublishRejectedError) return client.replyError(id, err.error);
    client.node.log.warn({ err, channel }, 'client publish failed');
    return client.replyError(id, Errors.internal);
  }
  client.reply(id, 'publish', '{}');
}

async function handlePresence(
  client: Client,
  id: number,
  channel: string,
  kind: 'presence' | 'presence_stats',
): Promise<void> {
  const parsed = channelFor(client, id, channel);
  if (!parsed) return;
  if (!parsed.policy.presence) return client.replyError(id, Errors.notAvailable);
  if (!mayRead(client, channel, parsed)) return client.replyError(id, Errors.permissionDenied);
  try {
    if (kind === 'presence') {
      client.reply(id, 'presence', encodePresenceResult(await client.node.presence.get(channel)));
    } else {
      const s = await client.node.presence.stats(channel);
      client.reply(id, 'presence_stats', encodePresenceStatsResult(s.numClients, s.numUsers));
    }
  } catch (err) {
    client.node.log.warn({ err, channel }, 'presence failed');
    client.replyError(id, Errors.internal);
  }
}

async function handleHistory(client: Client, id: number, req: HistoryRequest): Promise<void> {
  const parsed = channelFor(client, id, req.channel);
  if (!parsed) return;
  const { policy } = parsed;
  if (!policy.hasHistory) return client.replyError(id, Errors.notAvailable);
  if (!mayRead(client, req.channel, parsed) || !allows(policy.history, client.user, parsed.rest)) {
    return client.replyError(id, Errors.permissionDenied);
  }
  const r = await client.node.historyQuery(
    req.channel,
    policy,
    req,
    client.node.config.client.historyMaxLimit,
  );
  if ('error' in r) return client.replyError(id, r.error);
  client.reply(id, 'history', encodeHistoryResult(r.publications, r.position));
}

async function handleRpc(
  client: Client,
  id: number,
  method: string,
  data: string | undefined,
): Promise<void> {
  const r = await client.node.rpc(client, method, data);
  if ('error' in r) return client.replyError(id, r.error);
  if ('disconnect' in r) return client.disconnect(r.disconnect);
  client.reply(id, 'rpc', encodeRpcResult(r.data));
}

async function handleRefresh(client: Client, id: number, token: string): Promise<void> {
  if (token === '') return client.replyError(id, Errors.badRequest);
  let expireAt: number;
  try {
    const claims = await client.node.tokens.verifyConnect(token);
    if (claims.sub !== client.user) {
      client.disconnect(Disconnects.invalidToken);
      return;
    }
    expireAt = claims.expireAt;
    if (claims.info !== undefined) client.connInfo = claims.info;
  } catch (err) {
    if (err instanceof TokenExpiredError) return client.replyError(id, Errors.tokenExpired);
    if (err instanceof InvalidTokenError) {
      client.disconnect(Disconnects.invalidToken);
      return;
    }
    throw err;
  }
  if (client.state !== 'connected') return;
  client.node.setClientExpiry(client, expireAt);
  const ttl = expireAt > 0 ? Math.max(expireAt - Math.floor(Date.now() / 1000), 1) : 0;
  client.reply(id, 'refresh', encodeRefreshResult(client.id, SERVER_VERSION, expireAt > 0, ttl));
}

async function handleSubRefresh(client: Client, id: number, channel: string, token: string): Promise<void> {
  const sub = client.subs.get(channel);
  if (!sub) return client.replyError(id, Errors.badRequest);
  if (token === '') return client.replyError(id, Errors.badRequest);
  let expireAt: number;
  try {
    const claims = await client.node.tokens.verifySubscribe(token);
    if (claims.channel !== channel || claims.sub !== client.user) {
      client.disconnect(Disconnects.invalidToken);
      return;
    }
    expireAt = claims.expireAt;
  } catch (err) {
    const e: ReplyError | undefined =
      err instanceof TokenExpiredError
        ? Errors.tokenExpired
        : err instanceof InvalidTokenError
          ? Errors.permissionDenied
          : undefined;
    if (e) return client.replyError(id, e);
    throw err;
  }
  sub.expireAt = expireAt;
  client.node.watchSubscriptionExpiry(client);
  const ttl = expireAt > 0 ? Math.max(expireAt - Math.floor(Date.now() / 1000), 1) : 0;
  client.reply(id, 'sub_refresh', encodeSubRefreshResult(expireAt > 0, ttl));
}
