// The two client protocols the generator speaks over RawConn, in decoding mode: Centrifugo
// protocol v2 JSON (roomcast and the ws baselines) and engine.io v4 / Socket.IO v5 (the
// Socket.IO baseline). Viewers stay in decoding mode until subscribed; counting viewers then
// switch to counting mode, sampled ones keep decoding and checking every publication.

import { buildData } from '../plan/corpus.ts';
import { kindAt } from '../plan/kinds.ts';
import { formatId, nowUs } from '../plan/message-id.ts';
import { frameKeyOf, type Checker } from './checker.ts';
import { F, GROUP, type Counters } from './counters.ts';
import { MODE_COUNT, type RawConn } from './raw-conn.ts';
import { LIVE, type Slot } from './slot.ts';

export interface SessionHost {
  readonly counters: Counters;
  readonly checker: Checker;
  readonly channelNames: readonly string[];
  readonly channelIndex: ReadonlyMap<string, number>;
  /** Inside the measured window (publishes sent now are counted). */
  readonly recording: boolean;
  /** The slot finished subscribing (or connecting, for publishers). */
  live(slot: Slot): void;
  fail(slot: Slot, reason: string): void;
}

interface CfPush {
  channel?: string;
  pub?: { data?: unknown };
  unsubscribe?: { code?: number };
  disconnect?: { code?: number };
}
interface CfLine {
  id?: number;
  error?: { code?: number };
  push?: CfPush;
}

const q = JSON.stringify;

// ---- Centrifugo protocol v2 (JSON) ----------------------------------------------------------

export function centrifugeOpened(host: SessionHost, slot: Slot, c: RawConn): void {
  const s = slot.spec;
  const connect =
    s.token !== ''
      ? `{"id":1,"connect":{"token":${q(s.token)},"name":"bench"}}`
      : '{"id":1,"connect":{"name":"bench"}}';
  const lines = [connect];
  for (let k = 0; k < s.channels.length; k++) {
    lines.push(`{"id":${2 + k},"subscribe":{"channel":${q(host.channelNames[s.channels[k] as number])}}}`);
  }
  slot.pending = lines.length;
  slot.nextId = lines.length + 1;
  c.sendText(lines.join('\n'));
}

export function centrifugeMessage(host: SessionHost, slot: Slot, c: RawConn, text: string): void {
  const recv = slot.order !== null ? nowUs() : 0;
  const frame = frameKeyOf(text);
  const probe = slot.spec.group === GROUP.probe;
  let pubs = 0;
  let giftPubs = 0;
  let replies = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    start = end + 1;
    if (line === '{}') {
      if (text.length === 2) c.unframe();
      c.sendText('{}');
      continue;
    }
    let obj: CfLine;
    try {
      obj = JSON.parse(line) as CfLine;
    } catch {
      host.counters.checks.malformed++;
      continue;
    }
    if (typeof obj.id === 'number') {
      replies++;
      reply(host, slot, obj.id, obj.error?.code);
      continue;
    }
    const push = obj.push;
    if (!push) continue;
    if (push.pub) {
      pubs++;
      if (push.channel?.charCodeAt(0) === 0x67 /* g: gift namespace */) giftPubs++;
      const ch = push.channel !== undefined ? host.channelIndex.get(push.channel) : undefined;
      if (slot.order !== null && ch !== undefined)
        host.checker.check(slot.order, ch, push.pub.data, recv, probe, frame);
    } else if (push.unsubscribe) {
      host.counters.bump(host.counters.closes, `unsubscribe-${push.unsubscribe.code ?? 0}`);
    } else if (push.disconnect) {
      host.counters.bump(host.counters.closes, `disconnect-push-${push.disconnect.code ?? 0}`);
    }
  }
  if (giftPubs > 0) host.counters.add(slot.spec.group, F.giftMsgs, giftPubs);
  if (pubs > 0) host.counters.add(slot.spec.group, F.msgs, pubs);
  // Frames count what carried publications: a frame of replies only is taken back.
  else if (replies > 0) c.unframe();
  if (slot.state === LIVE && slot.order === null && slot.spec.group !== GROUP.publisher) c.mode = MODE_COUNT;
}

function reply(host: SessionHost, slot: Slot, id: number, errorCode: number | undefined): void {
  const ch = slot.inflight.get(id);
  if (ch !== undefined) {
    slot.inflight.delete(id);
    settlePublish(host, ch, errorCode);
    return;
  }
  if (slot.pending <= 0) return;
  if (errorCode !== undefined) {
    host.fail(slot, `reply-${errorCode}`);
    return;
  }
  if (--slot.pending === 0) host.live(slot);
}

/**
 * Counts a publish reply. Channels of publishes sent outside the measured window are stored as
 * ~channel (negative) and not counted, so sent and accepted both belong to the window.
 */
function settlePublish(host: SessionHost, channel: number, errorCode: number | undefined): void {
  if (channel < 0) return;
  const k = host.counters;
  if (errorCode === undefined) {
    k.publishAccepted++;
    k.acceptedByChannel[channel] = (k.acceptedByChannel[channel] ?? 0) + 1;
  } else k.bump(k.publishErrors, String(errorCode));
}

/** Builds and sends one client publication; returns false when the slot cannot publish now. */
export function publishFrom(
  host: SessionHost,
  slot: Slot,
  kind: number,
  channel: number,
  socketio: boolean,
): boolean {
  const c = slot.conn;
  if (!c || slot.state !== LIVE) return false;
  const seq = (slot.seq.get(channel) ?? -1) + 1;
  slot.seq.set(channel, seq);
  const id = formatId(kindAt(kind).code, slot.spec.stream, seq, nowUs());
  const data = buildData(kind, slot.spec.stream, channel, seq, id);
  const req = slot.nextId++;
  const inWindow = host.recording;
  slot.inflight.set(req, inWindow ? channel : ~channel);
  const name = q(host.channelNames[channel]);
  c.sendText(
    socketio
      ? `42${req}["publish",{"channel":${name},"data":${data}}]`
      : `{"id":${req},"publish":{"channel":${name},"data":${data}}}`,
  );
  if (inWindow) host.counters.publishSent++;
  return true;
}

// ---- engine.io v4 / Socket.IO v5 -----------------------------------------------------------

export function engineioOpened(_host: SessionHost, slot: Slot): void {
  slot.pending = 1;
  slot.nextId = 2;
}

export function engineioMessage(host: SessionHost, slot: Slot, c: RawConn, text: string): void {
  const t0 = text.charCodeAt(0);
  if (t0 === 0x32 /* 2: ping */) {
    c.unframe();
    c.sendText('3');
    return;
  }
  if (t0 !== 0x34 || text.charCodeAt(1) !== 0x32) c.unframe(); // only "42" events carry publications
  if (t0 === 0x30 /* 0: open */) {
    const s = slot.spec;
    c.sendText(s.token !== '' ? `40{"token":${q(s.token)}}` : '40');
    return;
  }
  if (t0 !== 0x34 /* 4: message */) return;
  const t1 = text.charCodeAt(1);
  if (t1 === 0x30 /* 40: connected */) {
    const s = slot.spec;
    if (s.channels.length === 0) host.live(slot);
    else c.sendText(`421["join",${q(s.channels.map((ch) => host.channelNames[ch]))}]`);
    return;
  }
  if (t1 === 0x34 /* 44: connect error */) {
    host.fail(slot, 'socketio-connect-error');
    return;
  }
  if (t1 === 0x33 /* 43<id>[...]: ack */) {
    const open = text.indexOf('[');
    const id = Number(text.slice(2, open));
    const ch = slot.inflight.get(id);
    if (ch !== undefined) {
      slot.inflight.delete(id);
      let err: number | undefined;
      try {
        const body = (JSON.parse(text.slice(open)) as [{ error?: { code?: number } } | undefined])[0];
        err = body?.error ? (body.error.code ?? 0) : undefined;
      } catch {
        err = -1;
      }
      settlePublish(host, ch, err);
    } else if (id === 1 && slot.pending > 0) {
      slot.pending = 0;
      host.live(slot);
    }
    return;
  }
  if (t1 !== 0x32 /* 42: event */) return;
  host.counters.add(slot.spec.group, F.msgs, 1);
  // 42["pub",{"channel":"g…: a gift-namespace publication.
  if (text.charCodeAt(21) === 0x67) host.counters.add(slot.spec.group, F.giftMsgs, 1);
  if (slot.order === null) return;
  const recv = nowUs();
  try {
    const [, body] = JSON.parse(text.slice(2)) as [string, { channel?: string; data?: unknown }];
    const ch = body.channel !== undefined ? host.channelIndex.get(body.channel) : undefined;
    if (ch !== undefined)
      host.checker.check(slot.order, ch, body.data, recv, slot.spec.group === GROUP.probe, frameKeyOf(text));
  } catch {
    host.counters.checks.malformed++;
  }
}

/** Switches a subscribed counting viewer to counting mode (engine.io has no multi-line frames). */
export function engineioAfter(slot: Slot, c: RawConn): void {
  if (slot.state === LIVE && slot.order === null && slot.spec.group !== GROUP.publisher) c.mode = MODE_COUNT;
}
