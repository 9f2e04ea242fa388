// Inbound WebSocket frame parser (RFC 6455 §5) for the server side: client frames must be
// masked; control frames are short and unfragmented; text must be valid UTF-8; fragments and
// sizes are bounded. Every violation ends in `onError(closeCode, reason)` — nothing throws.
// Idle connections hold no buffer at all: state is a few numbers and nullable references.

import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import { constants, inflateRawSync } from 'node:zlib';

export interface FrameSink {
  onText(text: string): void;
  onBinary(data: Buffer): void;
  onPing(data: Buffer): void;
  onPong(): void;
  onClose(code: number, reason: string): void;
  /** Protocol violation: close with `code` (1002, 1007, 1008, 1009). */
  onError(code: number, reason: string): void;
}

export interface ParserOptions {
  maxPayload: number;
  maxFragments: number;
  /** permessage-deflate was negotiated (RSV1 marks compressed messages). */
  deflate: boolean;
}

type Unmask = (buf: Buffer, mask: Buffer) => void;

/** bufferutil's native unmask when its prebuild loads, else a JS loop. */
const nativeUnmask: Unmask | undefined = (() => {
  try {
    return (createRequire(import.meta.url)('bufferutil') as { unmask: Unmask }).unmask;
  } catch {
    return undefined;
  }
})();

function unmask(buf: Buffer, mask: Buffer): void {
  if (nativeUnmask && buf.length >= 32) {
    nativeUnmask(buf, mask);
    return;
  }
  for (let i = 0; i < buf.length; i++) buf[i] = (buf[i] as number) ^ (mask[i & 3] as number);
}

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Close codes a peer may send (RFC 6455 §7.4, IANA registry). */
export function validCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

export class FrameParser {
  private readonly sink: FrameSink;
  private readonly opts: ParserOptions;
  private pending: Buffer | null = null;
  private fragments: Buffer[] | null = null;
  private fragOpcode = 0;
  private fragCompressed = false;
  private fragBytes = 0;
  private failed = false;

  constructor(sink: FrameSink, opts: ParserOptions) {
    this.sink = sink;
    this.opts = opts;
  }

  private fail(code: number, reason: string): void {
    this.failed = true;
    this.pending = null;
    this.fragments = null;
    this.sink.onError(code, reason);
  }

  /** Feeds bytes from the socket; complete frames are dispatched synchronously. */
  push(chunk: Buffer): void {
    if (this.failed) return;
    const buf = this.pending === null ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = null;
    let off = 0;
    while (!this.failed) {
      const avail = buf.length - off;
      if (avail < 2) break;
      const b0 = buf[off] as number;
      const b1 = buf[off + 1] as number;
      const fin = (b0 & 0x80) !== 0;
      const rsv1 = (b0 & 0x40) !== 0;
      const opcode = b0 & 0x0f;
      if ((b0 & 0x30) !== 0) return this.fail(1002, 'reserved bits set');
      if ((b1 & 0x80) === 0) return this.fail(1002, 'client frames must be masked');
      let len = b1 & 0x7f;
      let head = 2;
      if (len === 126) {
        if (avail < 4) break;
        len = buf.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (avail < 10) break;
        const hi = buf.readUInt32BE(off + 2);
        const lo = buf.readUInt32BE(off + 6);
        if (hi > 0x1fffff) return this.fail(1009, 'frame too large');
        len = hi * 2 ** 32 + lo;
        head = 10;
      }
      const control = opcode >= 0x8;
      if (control) {
        if (!fin || len > 125) return this.fail(1002, 'invalid control frame');
        if (rsv1) return this.fail(1002, 'RSV1 on a control frame');
        if (opcode !== 0x8 && opcode !== 0x9 && opcode !== 0xa) return this.fail(1002, 'unknown opcode');
      } else {
        if (opcode !== 0x0 && opcode !== 0x1 && opcode !== 0x2) return this.fail(1002, 'unknown opcode');
        if (len > this.opts.maxPayload || this.fragBytes + len > this.opts.maxPayload) {
          return this.fail(1009, 'message too big');
        }
      }
      const total = head + 4 + len;
      if (avail < total) {
        // Wait for the rest of the frame (bounded: len ≤ maxPayload, or ≤ 125 for control).
        break;
      }
      const mask = buf.subarray(off + head, off + head + 4);
      const payload = Buffer.from(buf.subarray(off + head + 4, off + total));
      off += total;
      unmask(payload, mask);
      if (control) this.control(opcode, payload);
      else this.data(opcode, fin, rsv1, payload);
    }
    if (!this.failed && off < buf.length) this.pending = Buffer.from(buf.subarray(off));
  }

  private control(opcode: number, payload: Buffer): void {
    if (opcode === 0x9) return this.sink.onPing(payload);
    if (opcode === 0xa) return this.sink.onPong();
    if (payload.length === 0) return this.sink.onClose(1005, '');
    if (payload.length === 1) return this.fail(1002, 'invalid close payload');
    const code = payload.readUInt16BE(0);
    if (!validCloseCode(code)) return this.fail(1002, 'invalid close code');
    const reason = payload.subarray(2);
    if (!isUtf8(reason)) return this.fail(1007, 'invalid UTF-8 in close reason');
    this.sink.onClose(code, reason.toString('utf8'));
  }

  private data(opcode: number, fin: boolean, rsv1: boolean, payload: Buffer): void {
    if (opcode === 0x0) {
      if (this.fragments === null) return this.fail(1002, 'continuation without a message');
      if (rsv1) return this.fail(1002, 'RSV1 on a continuation frame');
    } else {
      if (this.fragments !== null) return this.fail(1002, 'new message before the last one ended');
      if (rsv1 && !this.opts.deflate) return this.fail(1002, 'RSV1 without permessage-deflate');
      this.fragOpcode = opcode;
      this.fragCompressed = rsv1;
      this.fragBytes = 0;
      if (fin) return this.message(opcode, rsv1, payload);
      this.fragments = [];
    }
    const frags = this.fragments;
    if (frags.length >= this.opts.maxFragments) return this.fail(1008, 'too many fragments');
    frags.push(payload);
    this.fragBytes += payload.length;
    if (!fin) return;
    this.fragments = null;
    this.fragBytes = 0;
    this.message(
      this.fragOpcode,
      this.fragCompressed,
      frags.length === 1 ? (frags[0] as Buffer) : Buffer.concat(frags),
    );
  }

  private message(opcode: number, compressed: boolean, payload: Buffer): void {
    let data = payload;
    if (compressed) {
      try {
        data = inflateRawSync(Buffer.concat([payload, TAIL]), {
          finishFlush: constants.Z_SYNC_FLUSH,
          maxOutputLength: this.opts.maxPayload,
        });
      } catch (err) {
        const tooBig = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
        return this.fail(tooBig ? 1009 : 1007, tooBig ? 'message too big' : 'invalid compressed data');
      }
    }
    if (opcode === 0x2) return this.sink.onBinary(data);
    if (!isUtf8(data)) return this.fail(1007, 'invalid UTF-8');
    this.sink.onText(data.toString('utf8'));
  }
}
