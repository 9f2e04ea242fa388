// Raw clients for bad-input tests: a `ws` client with a recorder, and hand-made frames over
// node:net for frame-level abuse.

import { connect as netConnect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';

export interface RawClient {
  ws: WebSocket;
  messages: string[];
  closed: Promise<{ code: number; reason: string }>;
  send: (text: string | Buffer, binary?: boolean) => void;
}

export async function rawClient(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
  const ws = new WebSocket(url, { headers });
  const messages: string[] = [];
  ws.on('message', (d: Buffer) => messages.push(d.toString('utf8')));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, messages, closed, send: (t, binary = false) => ws.send(t, { binary }) };
}

/** A masked client frame (RFC 6455 §5.2), for hand-made abuse. */
export function clientFrame(opcode: number, payload: Buffer, fin = true, rsv = 0): Buffer {
  const mask = randomBytes(4);
  const len = payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
  if (len < 126) head.push(0x80 | len);
  else if (len < 65536) head.push(0x80 | 126, len >> 8, len & 0xff);
  else throw new Error('test frames stay small');
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([Buffer.from(head), mask, masked]);
}

/** Opens a WebSocket by hand over TCP; resolves with the socket after the 101. */
export function rawUpgrade(
  port: number,
  path = '/connection/websocket',
  extraHeaders = '',
): Promise<{ socket: Socket; received: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let handshake = '';
    socket.on('error', reject);
    socket.on('data', (d) => {
      if (handshake.includes('\r\n\r\n')) {
        received.push(d);
        return;
      }
      handshake += d.toString('latin1');
      const end = handshake.indexOf('\r\n\r\n');
      if (end !== -1) {
        if (!handshake.startsWith('HTTP/1.1 101')) {
          reject(new Error(handshake.split('\r\n')[0]));
          return;
        }
        const rest = Buffer.from(handshake.slice(end + 4), 'latin1');
        if (rest.length > 0) received.push(rest);
        resolve({ socket, received });
      }
    });
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
    );
  });
}

/** Parses the close code out of server frames received on a raw socket, if a close came. */
export function closeCodeOf(chunks: Buffer[]): number | undefined {
  const buf = Buffer.concat(chunks);
  let i = 0;
  while (i + 2 <= buf.length) {
    const opcode = (buf[i] as number) & 0x0f;
    let len = (buf[i + 1] as number) & 0x7f;
    let off = i + 2;
    if (len === 126) {
      len = buf.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(buf.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === 0x8 && len >= 2) return buf.readUInt16BE(off);
    i = off + len;
  }
  return undefined;
}
