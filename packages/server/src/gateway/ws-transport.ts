// The WebSocket transport of a session. `ws` parses inbound frames (masking, fragments, UTF-8,
// inflate, size limits); outbound frames are built by roomcast and written straight to the
// socket, so shared frames go out as the same bytes to every viewer. ws itself only writes
// control frames (pong, close), each in one synchronous write, so writes never interleave.

import type { Socket } from 'node:net';
import { WebSocket } from 'ws';
import type { Transport } from '../client/transport.ts';
import { deflateMessage, textFrame } from './frame.ts';

/** Connection-specific frames (replies) are deflated from this size on, once per frame. */
const REPLY_DEFLATE_LEVEL = 1;

export class WsTransport implements Transport {
  readonly kind = 'websocket' as const;
  readonly deflate: boolean;
  readonly remoteAddress: string;
  private readonly ws: WebSocket;
  private readonly socket: Socket;
  private readonly threshold: number;

  constructor(ws: WebSocket, socket: Socket, remoteAddress: string, compressionThreshold: number) {
    this.ws = ws;
    this.socket = socket;
    this.remoteAddress = remoteAddress;
    this.threshold = compressionThreshold;
    this.deflate = compressionThreshold > 0 && ws.extensions.includes('permessage-deflate');
  }

  bufferedBytes(): number {
    return this.socket.writableLength;
  }

  write(frame: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.socket.write(frame);
  }

  writeText(text: string): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (this.deflate && text.length >= this.threshold) {
      const payload = Buffer.from(text, 'utf8');
      const d = deflateMessage(payload, REPLY_DEFLATE_LEVEL);
      if (d.length < payload.length) {
        this.socket.write(textFrame(d, true));
        return;
      }
      this.socket.write(textFrame(payload));
      return;
    }
    this.socket.write(textFrame(text));
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.CLOSED || this.ws.readyState === WebSocket.CLOSING) return;
    this.ws.close(code, reason);
    // Do not wait the full closing handshake for a peer that never answers.
    const t = setTimeout(() => this.ws.terminate(), 2000);
    t.unref();
  }
}
