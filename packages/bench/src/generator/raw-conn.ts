// A WebSocket client connection on a raw `net` socket, built to be cheaper than the server it
// measures: the upgrade is written by hand, reads land in one buffer shared by every socket of
// the process (`onread`), and in counting mode a frame costs a header parse and a scan for '\n'.
//
// What counting mode counts (per receiver group):
// - frames: WebSocket data frames (text/binary/continuation) that carry publications: protocol
//   pings are taken back, and so (by the decoding layer, before a viewer switches to counting)
//   are frames holding only replies or engine.io handshake packets. Control frames never count;
// - bytes: every byte after the upgrade response, frame headers included;
// - msgs (Centrifugo JSON): for each complete text message, the number of '\n' bytes + 1. A
//   server writes several pushes in one frame separated by '\n' (JSON escapes newlines inside
//   strings), so this is the number of pushes. The 2-byte message `{}` is a server ping: it is
//   answered and not counted.
// - msgs (engine.io): one per message starting with "42" (a Socket.IO event); "2" is a ping,
//   answered with "3".
// Decoding mode hands whole (inflated) messages to the handler instead.

import { connect, type Socket } from 'node:net';
import { clientFrame, inflateMessage, OP_CLOSE, OP_PING, OP_PONG, OP_TEXT } from '../wire/ws-frame.ts';
import { parseUpgradeResponse, upgradeRequest } from '../wire/upgrade.ts';
import { F, FIELDS } from './counters.ts';

export const MODE_HTTP = 0;
export const MODE_DECODE = 1;
export const MODE_COUNT = 2;

export const PROTO_CENTRIFUGE = 0;
export const PROTO_ENGINEIO = 1;

export interface ConnTarget {
  host: string;
  port: number;
  path: string;
  localAddress: string;
  deflate: boolean;
}

/**
 * Lazy reading for counting receivers: after a read the socket stops reading and is parked;
 * a timer resumes parked sockets, which then take everything that arrived meanwhile in one
 * read. Fewer, larger reads make the generator cheaper than the server it measures (a read
 * costs about what the server's write of a frame costs). Sampled receivers never park.
 */
export interface ReadParking {
  park(c: RawConn): void;
}

export interface ConnHandler {
  /** The upgrade succeeded; the connection is in decoding mode. */
  opened(c: RawConn): void;
  /** A complete message in decoding mode (inflated when it was compressed). */
  message(c: RawConn, payload: Buffer): void;
  /** The socket closed; `reason` is "close-<code>", an errno code, "http-<status>" or "eof". */
  closed(c: RawConn, reason: string): void;
}

const PONG_JSON = '{}';
const PONG_EIO = '3';
const NL = 10;
const CH_2 = 0x32;
const CH_4 = 0x34;
const CH_G = 0x67;
/**
 * Offset of the channel name's first character in a push: `{"push":{"channel":"` (Centrifugo
 * JSON, roomcast and the ws baselines) or `42["pub",{"channel":"` (Socket.IO baseline).
 */
const CLASS_AT = [20, 21] as const;

/** Bytes of an unmasked server frame header for a payload of `len`. */
const headerBytes = (len: number): number => (len < 126 ? 2 : len < 65536 ? 4 : 10);

export class RawConn {
  socket: Socket | null = null;
  mode = MODE_HTTP;
  deflate = false;
  /** Free slot for the protocol layer. */
  state = 0;
  private readonly base: number;
  private reason = '';
  private httpBuf: Buffer | null = null;
  // Frame parser state.
  private hdr: Buffer | null = null;
  private hdrLen = 0;
  private need = 0;
  private fFin = false;
  private ctl = 0;
  private ctlParts: Buffer[] | null = null;
  // Message state (a message may span continuation frames).
  private msgOp = 0;
  private msgRsv1 = false;
  private msgLen = 0;
  private msgNl = 0;
  private h0 = -1;
  private h1 = -1;
  /** Byte at the channel-name offset of the message (see CLASS_AT). */
  private hc = -1;
  private readonly classAt: number;
  private msgParts: Buffer[] | null = null;

  readonly index: number;
  readonly group: number;
  readonly protocol: number;
  private readonly ctr: Float64Array;
  private readonly handler: ConnHandler;
  private readonly shared: Buffer;
  /** Where counting-mode reads park (null: read as data arrives). */
  parking: ReadParking | null = null;

  constructor(
    index: number,
    group: number,
    protocol: number,
    ctr: Float64Array,
    handler: ConnHandler,
    shared: Buffer,
  ) {
    this.index = index;
    this.group = group;
    this.protocol = protocol;
    this.ctr = ctr;
    this.handler = handler;
    this.shared = shared;
    this.base = group * FIELDS;
    this.classAt = CLASS_AT[protocol === PROTO_CENTRIFUGE ? 0 : 1];
  }

  open(t: ConnTarget): void {
    const socket = connect({
      host: t.host,
      port: t.port,
      localAddress: t.localAddress,
      noDelay: true,
      onread: { buffer: this.shared, callback: (n: number) => this.onRead(n) },
    });
    this.socket = socket;
    socket.on('connect', () => socket.write(upgradeRequest({ ...t })));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.reason === '') this.reason = err.code ?? 'error';
    });
    socket.on('close', () => {
      this.socket = null;
      this.handler.closed(this, this.reason || (this.mode === MODE_HTTP ? 'eof-before-upgrade' : 'eof'));
    });
  }

  sendText(text: string): void {
    this.socket?.write(clientFrame(OP_TEXT, text));
  }

  /** Graceful: a close frame (1000) then FIN. Otherwise the socket is destroyed (RST-like). */
  close(graceful: boolean): void {
    const s = this.socket;
    if (!s) return;
    if (this.reason === '') this.reason = 'local';
    if (graceful && this.mode !== MODE_HTTP) {
      s.end(clientFrame(OP_CLOSE, Buffer.from([0x03, 0xe8])));
      setTimeout(() => s.destroy(), 2000).unref();
    } else s.destroy();
  }

  /** Stops reading: the kernel buffers fill and the server sees a slow consumer. */
  pause(): void {
    this.socket?.pause();
  }

  private onRead(n: number): boolean {
    if (this.mode === MODE_HTTP) {
      const prev = this.httpBuf;
      const chunk = Buffer.from(this.shared.subarray(0, n));
      const buf = prev ? Buffer.concat([prev, chunk]) : chunk;
      const res = parseUpgradeResponse(buf, buf.length);
      if (!res) {
        this.httpBuf = buf.length > 16384 ? null : buf;
        if (buf.length > 16384) this.fail('http-head-too-long');
        return true;
      }
      this.httpBuf = null;
      if (res.status !== 101) {
        this.fail(`http-${res.status}`);
        return true;
      }
      this.deflate = res.deflate;
      this.mode = MODE_DECODE;
      this.handler.opened(this);
      if (buf.length > res.headLength) this.frames(buf, res.headLength, buf.length);
      return true;
    }
    this.frames(this.shared, 0, n);
    if (this.mode === MODE_COUNT && this.parking !== null && this.socket !== null) {
      this.parking.park(this);
      return false;
    }
    return true;
  }

  /** Reads again after parking. */
  unpark(): void {
    this.socket?.resume();
  }

  /** Ends the connection with a reason of ours (timeout, bad reply). */
  abort(reason: string): void {
    if (this.reason === '') this.reason = reason;
    this.socket?.destroy();
  }

  private fail(reason: string): void {
    this.reason = reason;
    this.socket?.destroy();
  }

  private frames(buf: Buffer, i: number, n: number): void {
    this.ctr[this.base + F.bytes] = (this.ctr[this.base + F.bytes] as number) + (n - i);
    while (i < n && this.socket !== null) {
      if (this.need > 0) {
        const e = Math.min(n, i + this.need);
        this.payload(buf, i, e);
        this.need -= e - i;
        i = e;
        if (this.need === 0) this.frameDone();
        continue;
      }
      i = this.header(buf, i, n);
    }
  }

  /** Parses one frame header at buf[i]; stashes partial headers across reads. */
  private header(buf: Buffer, i: number, n: number): number {
    if (this.hdrLen === 0 && n - i >= 2) {
      const b1 = buf[i + 1] as number;
      const l7 = b1 & 127;
      const hl = (l7 < 126 ? 2 : l7 === 126 ? 4 : 10) + (b1 & 0x80 ? 4 : 0);
      if (n - i >= hl) {
        const len =
          l7 < 126
            ? l7
            : l7 === 126
              ? buf.readUInt16BE(i + 2)
              : buf.readUInt32BE(i + 2) * 2 ** 32 + buf.readUInt32BE(i + 6);
        this.startFrame(buf[i] as number, len);
        return i + hl;
      }
    }
    const h = (this.hdr ??= Buffer.allocUnsafe(14));
    while (i < n) {
      h[this.hdrLen++] = buf[i++] as number;
      if (this.hdrLen < 2) continue;
      const b1 = h[1] as number;
      const l7 = b1 & 127;
      const hl = (l7 < 126 ? 2 : l7 === 126 ? 4 : 10) + (b1 & 0x80 ? 4 : 0);
      if (this.hdrLen < hl) continue;
      const len =
        l7 < 126 ? l7 : l7 === 126 ? h.readUInt16BE(2) : h.readUInt32BE(2) * 2 ** 32 + h.readUInt32BE(6);
      this.hdrLen = 0;
      this.startFrame(h[0] as number, len);
      return i;
    }
    return i;
  }

  private startFrame(b0: number, len: number): void {
    const op = b0 & 15;
    this.fFin = (b0 & 0x80) !== 0;
    this.need = len;
    if (op >= 8) {
      this.ctl = op;
      this.ctlParts = [];
    } else {
      this.ctl = 0;
      this.ctr[this.base + F.frames] = (this.ctr[this.base + F.frames] as number) + 1;
      if (op !== 0) {
        this.msgOp = op;
        this.msgRsv1 = (b0 & 0x40) !== 0;
        this.msgLen = 0;
        this.msgNl = 0;
        this.h0 = -1;
        this.h1 = -1;
        this.hc = -1;
        this.msgParts = this.mode === MODE_DECODE ? [] : null;
      }
    }
    if (len === 0) this.frameDone();
  }

  private payload(buf: Buffer, s: number, e: number): void {
    if (this.ctl !== 0) {
      this.ctlParts?.push(Buffer.from(buf.subarray(s, e)));
      return;
    }
    if (this.msgParts !== null) {
      this.msgParts.push(Buffer.from(buf.subarray(s, e)));
      this.msgLen += e - s;
      return;
    }
    if (this.msgLen === 0) {
      this.h0 = buf[s] as number;
      if (e - s > 1) this.h1 = buf[s + 1] as number;
    } else if (this.msgLen === 1) this.h1 = buf[s] as number;
    const at = this.classAt - this.msgLen;
    if (at >= 0 && at < e - s) this.hc = buf[s + at] as number;
    this.msgLen += e - s;
    if (this.protocol !== PROTO_CENTRIFUGE || this.msgRsv1) return;
    let nl = 0;
    if (e - s < 128) {
      for (let k = s; k < e; k++) if (buf[k] === NL) nl++;
    } else {
      const v = buf.subarray(s, e);
      for (let p = v.indexOf(NL); p !== -1; p = v.indexOf(NL, p + 1)) nl++;
    }
    this.msgNl += nl;
  }

  private frameDone(): void {
    if (this.ctl !== 0) {
      const op = this.ctl;
      const body = this.ctlParts && this.ctlParts.length > 0 ? Buffer.concat(this.ctlParts) : Buffer.alloc(0);
      this.ctl = 0;
      this.ctlParts = null;
      if (op === OP_CLOSE) {
        this.reason = body.length >= 2 ? `close-${body.readUInt16BE(0)}` : 'close';
        this.socket?.end(clientFrame(OP_CLOSE, body.subarray(0, 2)));
      } else if (op === OP_PING) {
        this.socket?.write(clientFrame(OP_PONG, body));
      }
      return;
    }
    if (!this.fFin) return;
    const parts = this.msgParts;
    if (parts !== null) {
      this.msgParts = null;
      let payload = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
      if (this.msgRsv1) {
        try {
          payload = inflateMessage(payload);
        } catch {
          this.fail('bad-deflate');
          return;
        }
      }
      // Gift-channel frames: wire bytes (compressed when deflated); their pushes are counted
      // by the decoding layer, which reads each push's channel.
      if (payload[this.classAt] === CH_G && payload[0] === (this.protocol === PROTO_CENTRIFUGE ? 0x7b : CH_4))
        this.gift(0, this.msgLen);
      this.handler.message(this, payload);
      return;
    }
    if (this.protocol === PROTO_CENTRIFUGE) {
      if (this.msgOp !== OP_TEXT) return;
      if (this.msgLen === 2 && !this.msgRsv1) {
        this.unframe();
        this.sendText(PONG_JSON);
        return;
      }
      this.ctr[this.base + F.msgs] = (this.ctr[this.base + F.msgs] as number) + this.msgNl + 1;
      if (this.hc === CH_G && this.h0 === 0x7b && !this.msgRsv1) this.gift(this.msgNl + 1, this.msgLen);
    } else if (this.h0 === CH_4 && this.h1 === CH_2) {
      this.ctr[this.base + F.msgs] = (this.ctr[this.base + F.msgs] as number) + 1;
      if (this.hc === CH_G) this.gift(1, this.msgLen);
    } else if (this.msgLen === 1 && this.h0 === CH_2) {
      this.unframe();
      this.sendText(PONG_EIO);
    }
  }

  /** Counts a gift-channel message: `msgs` pushes (0: counted by the decoder), its frame and bytes. */
  private gift(msgs: number, payloadLen: number): void {
    const b = this.base;
    this.ctr[b + F.giftMsgs] = (this.ctr[b + F.giftMsgs] as number) + msgs;
    this.ctr[b + F.giftFrames] = (this.ctr[b + F.giftFrames] as number) + 1;
    this.ctr[b + F.giftBytes] = (this.ctr[b + F.giftBytes] as number) + payloadLen + headerBytes(payloadLen);
  }

  /** A protocol ping is not a delivery frame: take back the frame counted for it. */
  unframe(): void {
    this.ctr[this.base + F.frames] = (this.ctr[this.base + F.frames] as number) - 1;
  }
}
