// Server-to-client WebSocket frames built once and written as-is to many sockets. Server frames
// are never masked, so the same bytes are valid on every connection. With permessage-deflate
// negotiated with server_no_context_takeover, a frame compressed once (RSV1 set) is valid for
// every such connection too: no per-connection zlib state is needed for broadcast traffic.

import { constants, deflateRawSync } from 'node:zlib';

const OPCODE_TEXT = 0x1;
const FIN = 0x80;
const RSV1 = 0x40;

function header(len: number, compressed: boolean): Buffer {
  const b0 = FIN | OPCODE_TEXT | (compressed ? RSV1 : 0);
  if (len < 126) return Buffer.from([b0, len]);
  if (len < 65536) {
    const h = Buffer.allocUnsafe(4);
    h[0] = b0;
    h[1] = 126;
    h.writeUInt16BE(len, 2);
    return h;
  }
  const h = Buffer.allocUnsafe(10);
  h[0] = b0;
  h[1] = 127;
  h.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
  h.writeUInt32BE(len >>> 0, 6);
  return h;
}

/** One unfragmented text frame holding `payload` (UTF-8). */
export function textFrame(payload: string | Buffer, compressed = false): Buffer {
  if (typeof payload === 'string') {
    const len = Buffer.byteLength(payload);
    const h = header(len, compressed);
    const out = Buffer.allocUnsafe(h.length + len);
    h.copy(out, 0);
    out.write(payload, h.length, 'utf8');
    return out;
  }
  const h = header(payload.length, compressed);
  return Buffer.concat([h, payload], h.length + payload.length);
}

const SYNC_TRAILER_LEN = 4; // 00 00 ff ff, removed as RFC 7692 §7.2.1 requires

/** Raw DEFLATE of a message as permessage-deflate expects it (no context, tail removed). */
export function deflateMessage(payload: Buffer, level: number): Buffer {
  const out = deflateRawSync(payload, { level, finishFlush: constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - SYNC_TRAILER_LEN);
}

/** Compression level of shared frames: done once per batch, so favour size over speed. */
export const SHARED_DEFLATE_LEVEL = 6;

/**
 * A frame for many sockets: the plain bytes, and the deflated bytes computed on first demand
 * (only when some receiver negotiated permessage-deflate and the payload is over the threshold).
 */
export class SharedFrame {
  readonly plain: Buffer;
  private readonly payload: Buffer;
  private deflated: Buffer | null | undefined;
  private readonly threshold: number;

  constructor(text: string, threshold: number) {
    this.payload = Buffer.from(text, 'utf8');
    this.plain = textFrame(this.payload);
    this.threshold = threshold;
  }

  get payloadBytes(): number {
    return this.payload.length;
  }

  /** The bytes to write to a connection; `deflate` says whether it negotiated compression. */
  bytesFor(deflate: boolean): Buffer {
    if (!deflate || this.threshold <= 0 || this.payload.length < this.threshold) return this.plain;
    if (this.deflated === undefined) {
      const d = deflateMessage(this.payload, SHARED_DEFLATE_LEVEL);
      this.deflated = d.length < this.payload.length ? textFrame(d, true) : null;
    }
    return this.deflated ?? this.plain;
  }

  /** Size of the compressed frame if it was made (for stats). */
  get deflatedBytes(): number | undefined {
    return this.deflated?.length;
  }
}

/** The server ping in JSON mode (`{}`), pre-framed once for all connections. */
export const PING_FRAME = textFrame('{}');
