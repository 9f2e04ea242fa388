// WebSocket frames written by hand: masked client frames for the generator (RFC 6455 requires
// clients to mask) and unmasked server frames for the pre-framed baseline.

import { constants, inflateRawSync } from 'node:zlib';

export const OP_CONT = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

function headerLength(len: number, masked: boolean): number {
  return (len < 126 ? 2 : len < 65536 ? 4 : 10) + (masked ? 4 : 0);
}

function writeHeader(out: Buffer, opcode: number, len: number, masked: boolean): number {
  out[0] = 0x80 | opcode;
  const m = masked ? 0x80 : 0;
  if (len < 126) {
    out[1] = m | len;
    return 2;
  }
  if (len < 65536) {
    out[1] = m | 126;
    out.writeUInt16BE(len, 2);
    return 4;
  }
  out[1] = m | 127;
  out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
  out.writeUInt32BE(len >>> 0, 6);
  return 10;
}

/** A masked client frame. The mask key only has to be unpredictable to proxies, not secret. */
export function clientFrame(opcode: number, payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(headerLength(data.length, true) + data.length);
  let o = writeHeader(out, opcode, data.length, true);
  const key = (Math.random() * 0x100000000) >>> 0;
  out.writeUInt32BE(key, o);
  const k0 = key >>> 24;
  const k1 = (key >>> 16) & 0xff;
  const k2 = (key >>> 8) & 0xff;
  const k3 = key & 0xff;
  o += 4;
  for (let i = 0; i < data.length; i++) {
    const k = (i & 3) === 0 ? k0 : (i & 3) === 1 ? k1 : (i & 3) === 2 ? k2 : k3;
    out[o + i] = (data[i] as number) ^ k;
  }
  return out;
}

/** An unmasked server text frame (the same bytes are valid on every connection). */
export function serverTextFrame(payload: string | Buffer): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(headerLength(data.length, false) + data.length);
  const o = writeHeader(out, OP_TEXT, data.length, false);
  data.copy(out, o);
  return out;
}

const TAIL = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** Inflates one permessage-deflate message sent without context takeover. */
export function inflateMessage(payload: Buffer): Buffer {
  // The message ends with a sync-flush block, not a final one: finish with a sync flush too.
  return inflateRawSync(Buffer.concat([payload, TAIL]), { finishFlush: constants.Z_SYNC_FLUSH });
}
