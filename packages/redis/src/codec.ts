// Wire encoding of bus messages: one Redis pub/sub payload per message, also stored verbatim as
// the history entry, so a publication read from history is byte-for-byte the one delivered live.
//
//   pub    p[<offset>,<epoch>,<time>,<priority>,<kind>,<info>,<tags>]\n<data>
//   join   j<info>
//   leave  l<info>
//   info   [<user>,<client>,<connInfo>,<chanInfo>]   (connInfo/chanInfo are RawJson, as JSON strings)
//
// The header is a JSON array: JSON escaping keeps any kind, user or tag text safe and never
// emits a raw newline, so the first "\n" ends the header. `data` is already JSON text and rides
// after it untouched: it is neither parsed nor escaped on the way through. Absent fields are
// `null`, trailing absent fields are left out (`p[0,null,1700000000000]\n{}`). The history
// script builds `p[<offset>,"<epoch>"` itself and appends the tail the client encoded
// (`encodePubTail`), which is why offset and epoch come first.
//
// Control messages travel on their own channel as plain JSON: they are rare and structured.

import type { ClientInfo, Publication } from '@roomcast/protocol';
import type { BusMessage, ControlMessage, PriorityLevel, PubMessage } from '@roomcast/server';
import { BusDecodeError } from './errors.ts';

const num = (n: number): number => {
  if (!Number.isFinite(n)) throw new RangeError(`bus message number is not finite: ${n}`);
  return n;
};

/** ClientInfo as `[user, client, connInfo?, chanInfo?]` (JSON.stringify writes a hole as null). */
function clientInfoArray(info: ClientInfo): unknown[] {
  return info.chanInfo !== undefined
    ? [info.user, info.client, info.connInfo ?? null, info.chanInfo]
    : info.connInfo !== undefined
      ? [info.user, info.client, info.connInfo]
      : [info.user, info.client];
}

export function encodeClientInfo(info: ClientInfo): string {
  return JSON.stringify(clientInfoArray(info));
}

/**
 * Everything of a pub message after `p[<offset>,<epoch>`: the history script prepends those two
 * once it knows them. One JSON.stringify of the remaining header fields, trailing absent ones
 * left out.
 */
export function encodePubTail(
  pub: Omit<Publication, 'offset'>,
  priority: PriorityLevel | undefined,
  kind: string | undefined,
): string {
  const { time, info, tags } = pub;
  if (time !== undefined) num(time);
  if (priority !== undefined) num(priority);
  let rest: unknown[];
  if (tags !== undefined) rest = [time, priority, kind, info && clientInfoArray(info), tags];
  else if (info !== undefined) rest = [time, priority, kind, clientInfoArray(info)];
  else if (kind !== undefined) rest = [time, priority, kind];
  else if (priority !== undefined) rest = [time, priority];
  else if (time !== undefined) rest = [time];
  else return `]\n${pub.data}`;
  // "[a,b]" → ",a,b]"
  return `,${JSON.stringify(rest).slice(1)}\n${pub.data}`;
}

export function encodeBusMessage(msg: BusMessage): string {
  switch (msg.type) {
    case 'pub':
      return (
        `p[${num(msg.pub.offset)},${msg.epoch === undefined ? 'null' : JSON.stringify(msg.epoch)}` +
        encodePubTail(msg.pub, msg.priority, msg.kind)
      );
    case 'join':
      return `j${encodeClientInfo(msg.info)}`;
    case 'leave':
      return `l${encodeClientInfo(msg.info)}`;
  }
}

const isStr = (v: unknown): v is string => typeof v === 'string';

function clientInfoFrom(v: unknown): ClientInfo {
  if (!Array.isArray(v) || !isStr(v[0]) || !isStr(v[1]))
    throw new BusDecodeError('bad client info in bus message');
  const info: ClientInfo = { user: v[0], client: v[1] };
  const conn: unknown = v[2];
  const chan: unknown = v[3];
  if (isStr(conn)) info.connInfo = conn;
  else if (conn !== undefined && conn !== null) throw new BusDecodeError('bad connInfo in bus message');
  if (isStr(chan)) info.chanInfo = chan;
  else if (chan !== undefined && chan !== null) throw new BusDecodeError('bad chanInfo in bus message');
  return info;
}

export function decodeClientInfo(s: string): ClientInfo {
  return clientInfoFrom(parse(s));
}

function parse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (err) {
    throw new BusDecodeError('bus message header is not JSON', { cause: err });
  }
}

function isTags(v: unknown): v is Record<string, string> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const x of Object.values(v)) if (!isStr(x)) return false;
  return true;
}

const isPriority = (v: unknown): v is PriorityLevel => v === 0 || v === 1 || v === 2 || v === 3 || v === 4;

function decodePub(s: string): PubMessage {
  const nl = s.indexOf('\n');
  if (nl < 0) throw new BusDecodeError('pub message without a header line');
  const h = parse(s.slice(1, nl));
  if (!Array.isArray(h) || typeof h[0] !== 'number') throw new BusDecodeError('bad pub message header');
  const [offset, epoch, time, priority, kind, info, tags] = h as unknown[];
  const pub: Publication = { offset: offset as number, data: s.slice(nl + 1) };
  if (info !== undefined && info !== null) pub.info = clientInfoFrom(info);
  if (tags !== undefined && tags !== null) {
    if (!isTags(tags)) throw new BusDecodeError('bad tags in pub message');
    pub.tags = tags;
  }
  if (typeof time === 'number') pub.time = time;
  else if (time !== undefined && time !== null) throw new BusDecodeError('bad time in pub message');
  const msg: PubMessage = { type: 'pub', pub };
  if (isStr(epoch)) msg.epoch = epoch;
  else if (epoch !== undefined && epoch !== null) throw new BusDecodeError('bad epoch in pub message');
  if (isPriority(priority)) msg.priority = priority;
  else if (priority !== undefined && priority !== null)
    throw new BusDecodeError('bad priority in pub message');
  if (isStr(kind)) msg.kind = kind;
  else if (kind !== undefined && kind !== null) throw new BusDecodeError('bad kind in pub message');
  return msg;
}

export function decodeBusMessage(s: string): BusMessage {
  switch (s.charCodeAt(0)) {
    case 0x70: // p
      return decodePub(s);
    case 0x6a: // j
      return { type: 'join', info: decodeClientInfo(s.slice(1)) };
    case 0x6c: // l
      return { type: 'leave', info: decodeClientInfo(s.slice(1)) };
    default:
      throw new BusDecodeError(`unknown bus message type ${JSON.stringify(s.slice(0, 1))}`);
  }
}

const CONTROL_TYPES: ReadonlySet<string> = new Set([
  'disconnect',
  'unsubscribe',
  'subscribe',
  'refresh',
  'room',
]);

export function encodeControl(msg: ControlMessage): string {
  return JSON.stringify(msg);
}

export function decodeControl(s: string): ControlMessage {
  const v = parse(s);
  if (typeof v !== 'object' || v === null || !('type' in v) || !isStr(v.type) || !CONTROL_TYPES.has(v.type)) {
    throw new BusDecodeError('bad control message');
  }
  // The sender is a roomcast node encoding a ControlMessage; the type tag was checked above.
  return v as ControlMessage;
}
