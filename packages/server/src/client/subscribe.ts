// Subscribing: permission checks, joining the hub (buffering live messages), reading the stream
// position or recovering from history, replying, then merging the buffer by offset and going
// live. The order guarantees what PROTOCOL.md §4.3 asks for: the reply precedes every push of
// the channel, and nothing between the history read and the live flow is lost or repeated.

import {
  Disconnects,
  encodeReply,
  encodeSubscribeResult,
  Errors,
  type ReplyError,
  type SubscribeRequest,
  type SubscribeResult,
} from '@roomcast/protocol';
import { InvalidTokenError, TokenExpiredError, type SubscribeClaims } from '../auth/token-verifier.ts';
import type { PubMessage } from '../bus/bus.ts';
import { allows, type ChannelPolicy } from '../channels/namespaces.ts';
import { Subscription } from '../hub/subscription.ts';
import type { Client } from './client.ts';

export interface EstablishParams {
  channel: string;
  policy: ChannelPolicy;
  serverSide: boolean;
  /** Position to recover from, when the client asked to recover. */
  recover: { offset: number; epoch: string } | undefined;
  joinLeave: boolean;
  chanInfo?: string;
  data?: string;
  expireAt?: number;
  override?: SubscribeClaims['override'];
  /** flag bit 2: reply 112 instead of recovered:false. */
  rejectUnrecovered?: boolean;
}

export interface Established {
  sub: Subscription;
  result: SubscribeResult;
  /** Offset the client will hold after the reply; buffered publications above it follow. */
  lastOffset: number;
}

/** Joins the channel and prepares the subscribe result. The caller replies, then goLive(). */
export async function establish(
  client: Client,
  p: EstablishParams,
): Promise<Established | { error: ReplyError }> {
  const node = client.node;
  const { policy } = p;
  const sub = new Subscription(client, p.channel);
  sub.serverSide = p.serverSide;
  sub.positioned = policy.hasHistory || p.override?.forcePositioning === true;
  sub.recoverable = policy.hasHistory && (policy.recovery || p.override?.forceRecovery === true);
  sub.joinLeave = (p.joinLeave || p.override?.joinLeave === true) && policy.joinLeave;
  sub.presence = p.override?.presence ?? policy.presence;
  sub.chanInfo = p.chanInfo;
  sub.expireAt = p.expireAt ?? 0;
  client.subs.set(p.channel, sub);

  const fail = (error: ReplyError): { error: ReplyError } => {
    client.removeSubscription(sub);
    return { error };
  };

  let local;
  try {
    local = await node.hub.add(sub, policy);
  } catch (err) {
    node.log.warn({ err, channel: p.channel }, 'bus subscribe failed');
    return fail(Errors.internal);
  }
  if (client.state !== 'connected' || client.subs.get(p.channel) !== sub) return fail(Errors.internal);

  const result: SubscribeResult = {};
  let lastOffset = 0;
  if (sub.positioned && policy.hasHistory) {
    try {
      if (p.recover && sub.recoverable) {
        const r = await node.recover(p.channel, policy, p.recover);
        result.wasRecovering = true;
        result.epoch = r.position.epoch;
        if (r.recovered) {
          result.recovered = true;
          result.publications = r.publications;
          result.offset = p.recover.offset;
          lastOffset = r.publications.at(-1)?.offset ?? p.recover.offset;
        } else {
          if (p.rejectUnrecovered) return fail(Errors.unrecoverablePosition);
          result.offset = r.position.offset;
          lastOffset = r.position.offset;
        }
        node.hub.notePosition(local, sub, r.position.offset, r.position.epoch);
      } else {
        const pos = await node.streamPosition(p.channel, policy);
        result.epoch = pos.epoch;
        result.offset = pos.offset;
        lastOffset = pos.offset;
        node.hub.notePosition(local, sub, pos.offset, pos.epoch);
      }
    } catch (err) {
      node.log.warn({ err, channel: p.channel }, 'history read failed during subscribe');
      return fail(Errors.internal);
    }
    if (client.state !== 'connected' || client.subs.get(p.channel) !== sub) return fail(Errors.internal);
    result.positioned = true;
    if (sub.recoverable) result.recoverable = true;
  }
  if (sub.expireAt > 0) {
    result.expires = true;
    result.ttl = Math.max(sub.expireAt - Math.floor(Date.now() / 1000), 1);
  }
  if (p.data !== undefined) result.data = p.data;
  node.subscribedLocal(client, sub);
  return { sub, result, lastOffset };
}

/**
 * Ends buffering: publications that arrived while the reply was prepared follow it, minus any
 * the client already has (offset ≤ lastOffset); a hole means the stream broke meanwhile.
 */
export function goLive(client: Client, e: Established): void {
  const { sub } = e;
  if (sub.local === null || client.state !== 'connected') return;
  const buffered = sub.buffer ?? [];
  sub.buffer = null;
  sub.live = true;
  let pubs = buffered.filter((m): m is PubMessage => m.type === 'pub');
  if (sub.positioned) {
    pubs = pubs.filter((m) => m.pub.offset > e.lastOffset);
    let expect = e.lastOffset + 1;
    for (const m of pubs) {
      if (m.pub.offset !== expect) sub.broken = true;
      expect = m.pub.offset + 1;
    }
  }
  if (sub.broken) {
    sub.broken = false;
    client.streamBroken(sub);
    return;
  }
  if (pubs.length > 0) client.deliverText(client.node.hub.encodePubs(sub.channel, pubs));
}

/** The client-side `subscribe` command. */
export async function handleSubscribe(client: Client, id: number, req: SubscribeRequest): Promise<void> {
  const node = client.node;
  const cfg = node.config.client;
  const channel = req.channel;
  if (channel === '' || channel.length > cfg.channelMaxLength)
    return client.replyError(id, Errors.badRequest);
  const parsed = node.namespaces.resolve(channel);
  if (!parsed) return client.replyError(id, Errors.unknownChannel);
  if (client.subs.has(channel)) return client.replyError(id, Errors.alreadySubscribed);
  const guard = node.rooms.guardSubscribe(client, parsed);
  if (guard) return client.replyError(id, guard);
  let clientSide = 0;
  for (const s of client.subs.values()) if (!s.serverSide) clientSide++;
  if (clientSide >= cfg.channelLimit) return client.replyError(id, Errors.limitExceeded);

  let claims: SubscribeClaims | undefined;
  if (req.token !== undefined && req.token !== '') {
    try {
      claims = await node.tokens.verifySubscribe(req.token);
    } catch (err) {
      if (err instanceof TokenExpiredError) return client.replyError(id, Errors.tokenExpired);
      if (err instanceof InvalidTokenError) return client.replyError(id, Errors.permissionDenied);
      throw err;
    }
    if (client.state !== 'connected') return;
    if (claims.channel !== channel || claims.sub !== client.user) {
      client.disconnect(Disconnects.invalidToken);
      return;
    }
    if (client.subs.has(channel)) return client.replyError(id, Errors.alreadySubscribed);
  } else if (!allows(parsed.policy.subscribe, client.user, parsed.rest)) {
    return client.replyError(id, Errors.permissionDenied);
  }

  const r = await establish(client, {
    channel,
    policy: parsed.policy,
    serverSide: false,
    recover: req.recover === true ? { offset: req.offset ?? 0, epoch: req.epoch ?? '' } : undefined,
    joinLeave: req.joinLeave === true,
    ...(claims?.info !== undefined ? { chanInfo: claims.info } : {}),
    ...(claims?.data !== undefined ? { data: claims.data } : {}),
    ...(claims !== undefined ? { expireAt: claims.expireAt } : {}),
    ...(claims?.override !== undefined ? { override: claims.override } : {}),
    rejectUnrecovered: ((req.flag ?? 0) & 2) !== 0,
  });
  if (client.state !== 'connected') return;
  if ('error' in r) return client.replyError(id, r.error);
  client.send(encodeReply(id, 'subscribe', encodeSubscribeResult(r.result)));
  goLive(client, r);
}
