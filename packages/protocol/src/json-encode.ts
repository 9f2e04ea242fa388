// JSON-mode encoders. They build the wire text by concatenation so that raw JSON payloads
// (already compact, already validated) are spliced in without a parse/stringify round trip.
// Zero values are omitted, as Centrifuge's omitempty encoder does; result objects are always
// present, even when empty (the SDKs read them unconditionally).

import type { ReplyError } from './codes.ts';
import type { ClientInfo, ConnectResult, Publication, StreamPosition, SubscribeResult } from './types.ts';

type ReplyErrorLike = Pick<ReplyError, 'code' | 'message' | 'temporary'>;

const q = JSON.stringify;

export function encodeClientInfo(info: ClientInfo): string {
  let s = '{"user":' + q(info.user) + ',"client":' + q(info.client);
  if (info.connInfo !== undefined) s += ',"conn_info":' + info.connInfo;
  if (info.chanInfo !== undefined) s += ',"chan_info":' + info.chanInfo;
  return s + '}';
}

function encodeTags(tags: Record<string, string>): string {
  return q(tags);
}

/** Encodes a publication object; used in pushes, history and recovery results. */
export function encodePublication(pub: Publication): string {
  let s = '{"data":' + pub.data;
  if (pub.info !== undefined) s += ',"info":' + encodeClientInfo(pub.info);
  if (pub.offset > 0) s += ',"offset":' + pub.offset;
  if (pub.tags !== undefined) s += ',"tags":' + encodeTags(pub.tags);
  // `time` stays server-side (history TTL, stale drop): the SDKs do not need it and every
  // byte counts on fan-out.
  return s + '}';
}

export function encodeReply(id: number, method: string, resultJson: string): string {
  return '{"id":' + id + ',"' + method + '":' + resultJson + '}';
}

export function encodeErrorReply(id: number, err: ReplyErrorLike): string {
  let s = '{"id":' + id + ',"error":{"code":' + err.code + ',"message":' + q(err.message);
  if (err.temporary === true) s += ',"temporary":true';
  return s + '}}';
}

/** A server ping: an empty reply. */
export const PING_JSON = '{}';

export function encodePubPush(channel: string, pubJson: string): string {
  return '{"push":{"channel":' + q(channel) + ',"pub":' + pubJson + '}}';
}

/** The constant prefix of every pub push on one channel (encode the channel name once). */
export function pubPushPrefix(channel: string): string {
  return '{"push":{"channel":' + q(channel) + ',"pub":';
}
export const PUB_PUSH_SUFFIX = '}}';

export function encodeJoinPush(channel: string, info: ClientInfo): string {
  return '{"push":{"channel":' + q(channel) + ',"join":{"info":' + encodeClientInfo(info) + '}}}';
}

export function encodeLeavePush(channel: string, info: ClientInfo): string {
  return '{"push":{"channel":' + q(channel) + ',"leave":{"info":' + encodeClientInfo(info) + '}}}';
}

export function encodeUnsubscribePush(channel: string, code: number, reason: string): string {
  return (
    '{"push":{"channel":' + q(channel) + ',"unsubscribe":{"code":' + code + ',"reason":' + q(reason) + '}}}'
  );
}

export function encodeMessagePush(data: string): string {
  return '{"push":{"message":{"data":' + data + '}}}';
}

export function encodeDisconnectPush(code: number, reason: string, reconnect: boolean): string {
  let s = '{"push":{"disconnect":{"code":' + code + ',"reason":' + q(reason);
  if (reconnect) s += ',"reconnect":true';
  return s + '}}}';
}

export function encodeSubscribePush(channel: string, r: SubscribeResult): string {
  let s = '{';
  const parts: string[] = [];
  if (r.recoverable) parts.push('"recoverable":true');
  if (r.epoch) parts.push('"epoch":' + q(r.epoch));
  if (r.offset) parts.push('"offset":' + r.offset);
  if (r.positioned) parts.push('"positioned":true');
  if (r.data !== undefined) parts.push('"data":' + r.data);
  s += parts.join(',') + '}';
  return '{"push":{"channel":' + q(channel) + ',"subscribe":' + s + '}}';
}

export function encodeSubscribeResult(r: SubscribeResult): string {
  const parts: string[] = [];
  if (r.expires) parts.push('"expires":true');
  if (r.ttl) parts.push('"ttl":' + r.ttl);
  if (r.recoverable) parts.push('"recoverable":true');
  if (r.epoch) parts.push('"epoch":' + q(r.epoch));
  if (r.publications !== undefined && r.publications.length > 0) {
    parts.push('"publications":[' + r.publications.map(encodePublication).join(',') + ']');
  }
  if (r.recovered) parts.push('"recovered":true');
  if (r.offset) parts.push('"offset":' + r.offset);
  if (r.positioned) parts.push('"positioned":true');
  if (r.data !== undefined) parts.push('"data":' + r.data);
  if (r.wasRecovering) parts.push('"was_recovering":true');
  return '{' + parts.join(',') + '}';
}

export function encodeConnectResult(r: ConnectResult): string {
  const parts: string[] = ['"client":' + q(r.client), '"version":' + q(r.version)];
  if (r.expires) parts.push('"expires":true');
  if (r.ttl) parts.push('"ttl":' + r.ttl);
  if (r.data !== undefined) parts.push('"data":' + r.data);
  if (r.subs !== undefined) {
    const subs = Object.entries(r.subs).map(([ch, s]) => q(ch) + ':' + encodeSubscribeResult(s));
    if (subs.length > 0) parts.push('"subs":{' + subs.join(',') + '}');
  }
  if (r.ping) parts.push('"ping":' + r.ping);
  if (r.pong) parts.push('"pong":true');
  return '{' + parts.join(',') + '}';
}

export function encodeHistoryResult(pubs: Publication[], pos: StreamPosition): string {
  const parts: string[] = [];
  if (pubs.length > 0) parts.push('"publications":[' + pubs.map(encodePublication).join(',') + ']');
  if (pos.epoch) parts.push('"epoch":' + q(pos.epoch));
  if (pos.offset) parts.push('"offset":' + pos.offset);
  return '{' + parts.join(',') + '}';
}

export function encodePresenceResult(presence: Record<string, ClientInfo>): string {
  const entries = Object.entries(presence).map(([id, info]) => q(id) + ':' + encodeClientInfo(info));
  return '{"presence":{' + entries.join(',') + '}}';
}

export function encodePresenceStatsResult(numClients: number, numUsers: number): string {
  const parts: string[] = [];
  if (numClients) parts.push('"num_clients":' + numClients);
  if (numUsers) parts.push('"num_users":' + numUsers);
  return '{' + parts.join(',') + '}';
}

export function encodeRefreshResult(client: string, version: string, expires: boolean, ttl: number): string {
  let s = '{"client":' + q(client) + ',"version":' + q(version);
  if (expires) s += ',"expires":true,"ttl":' + ttl;
  return s + '}';
}

export function encodeSubRefreshResult(expires: boolean, ttl: number): string {
  return expires ? '{"expires":true,"ttl":' + ttl + '}' : '{}';
}

export function encodeRpcResult(data: string | undefined): string {
  return data === undefined ? '{}' : '{"data":' + data + '}';
}
