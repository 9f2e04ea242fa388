// One server-side WebSocket: the socket, its frame parser and the closing handshake. It is
// also the session's Transport: outbound frames are built by roomcast and written as they are,
// so a frame shared by many viewers is written byte-for-byte to each.
//
// Memory per idle connection matters (SPEC: ≤ 8 KiB RSS per idle viewer): socket listeners are
// shared functions (no closures per connection) and idle state holds no buffers.

import type { Socket } from 'node:net';
import type { Transport, TransportHandler } from '../../client/transport.ts';
import { deflateMessage, textFrame } from '../frame.ts';
import { FrameParser, type FrameSink } from './frame-parser.ts';

const State = { Open: 0, Closing: 1, Closed: 2 } as const;
type State = (typeof State)[keyof typeof State];

/** Replies at least this large are deflated (level 1: per-connection, so cheap). */
const REPLY_DEFLATE_LEVEL = 1;
/** A peer that does not answer our close frame in time is cut off. */
const CLOSE_TIMEOUT_MS = 2000;
/** Pings from a client beyond this many per 10 s close the connection (1008). */
const MAX_PINGS_PER_10S = 50;

const kConn = Symbol('roomcast.ws');

type SocketWithConn = Socket & { [kConn]?: WsConnection };

function onData(this: SocketWithConn, chunk: Buffer): void {
  this[kConn]?.parser.push(chunk);
}
function onSocketClose(this: SocketWithConn): void {
  const conn = this[kConn];
  if (!conn) return;
  conn.finish(1006);
  conn.gone();
}
function onSocketError(this: SocketWithConn): void {
  this.destroy();
}
function onEnd(this: SocketWithConn): void {
  // The peer half-closed: nothing more will come; finish our side.
  this.end();
}

function closeFrame(code: number, reason: string): Buffer {
  const r = Buffer.from(reason, 'utf8').subarray(0, 123);
  const payload = Buffer.allocUnsafe(2 + r.length);
  payload.writeUInt16BE(code, 0);
  r.copy(payload, 2);
  return Buffer.concat([Buffer.from([0x88, payload.length]), payload]);
}

export class WsConnection implements Transport, FrameSink {
  readonly kind = 'websocket' as const;
  readonly deflate: boolean;
  readonly remoteAddress: string;
  readonly protocol: string | undefined;
  readonly parser: FrameParser;
  private readonly socket: Socket;
  private readonly threshold: number;
  private handler: TransportHandler | undefined;
  private state: State = State.Open;
  private pings = 0;
  private pingWindow = 0;
  private closeTimer: NodeJS.Timeout | undefined;
  private closeCode = 1006;
  /** Told once when the socket is gone (the gateway's accounting); shared across connections. */
  private readonly onGone: ((conn: WsConnection) => void) | undefined;

  constructor(
    socket: Socket,
    opts: {
      deflate: boolean;
      protocol: string | undefined;
      remoteAddress: string;
      maxPayload: number;
      maxFragments: number;
      compressionThreshold: number;
      onGone?: (conn: WsConnection) => void;
    },
  ) {
    this.onGone = opts.onGone;
    this.socket = socket;
    this.deflate = opts.deflate && opts.compressionThreshold > 0;
    this.protocol = opts.protocol;
    this.remoteAddress = opts.remoteAddress;
    this.threshold = opts.compressionThreshold;
    this.parser = new FrameParser(this, {
      maxPayload: opts.maxPayload,
      maxFragments: opts.maxFragments,
      deflate: opts.deflate,
    });
  }

  /** Starts reading: `head` holds bytes that arrived with the upgrade request. */
  start(handler: TransportHandler, head: Buffer): void {
    this.handler = handler;
    const s = this.socket as SocketWithConn;
    s[kConn] = this;
    s.setNoDelay(true);
    s.on('data', onData);
    s.on('close', onSocketClose);
    s.on('error', onSocketError);
    s.on('end', onEnd);
    if (head.length > 0) this.parser.push(head);
  }

  get open(): boolean {
    return this.state === State.Open;
  }

  // ---- Transport ---------------------------------------------------------------------------------

  bufferedBytes(): number {
    return this.socket.writableLength;
  }

  write(frame: Buffer): void {
    if (this.state === State.Open) this.socket.write(frame);
  }

  writeText(text: string): void {
    if (this.state !== State.Open) return;
    if (this.deflate && text.length >= this.threshold) {
      const payload = Buffer.from(text, 'utf8');
      const d = deflateMessage(payload, REPLY_DEFLATE_LEVEL);
      this.socket.write(d.length < payload.length ? textFrame(d, true) : textFrame(payload));
      return;
    }
    this.socket.write(textFrame(text));
  }

  /** Starts the closing handshake with a code and a plain-text reason (≤ 123 bytes). */
  close(code: number, reason: string): void {
    if (this.state !== State.Open) return;
    this.state = State.Closing;
    this.closeCode = code;
    this.socket.write(closeFrame(code, reason));
    this.closeTimer = setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS);
    this.closeTimer.unref();
  }

  /** Drops the connection without a closing handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  // ---- FrameSink ---------------------------------------------------------------------------------

  onText(text: string): void {
    if (this.state === State.Open) this.handler?.onText(text);
  }

  onBinary(): void {
    if (this.state === State.Open) this.handler?.onBinary();
  }

  onPing(data: Buffer): void {
    if (this.state !== State.Open) return;
    const now = Date.now();
    if (now - this.pingWindow > 10_000) {
      this.pingWindow = now;
      this.pings = 0;
    }
    if (++this.pings > MAX_PINGS_PER_10S) return this.onError(1008, 'ping flood');
    this.socket.write(Buffer.concat([Buffer.from([0x8a, data.length]), data]));
  }

  onPong(): void {
    this.handler?.onPong();
  }

  onClose(code: number): void {
    if (this.state === State.Open) {
      // Echo the peer's close, then end the TCP connection (the server closes first).
      this.closeCode = code;
      this.state = State.Closing;
      this.socket.write(code === 1005 ? Buffer.from([0x88, 0]) : closeFrame(code, ''));
    }
    this.socket.end();
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
    this.finish(this.closeCode);
  }

  onError(code: number, reason: string): void {
    if (this.state === State.Open) {
      this.closeCode = code;
      this.state = State.Closing;
      this.socket.write(closeFrame(code, reason));
    }
    this.socket.end();
    this.closeTimer ??= setTimeout(() => this.socket.destroy(), CLOSE_TIMEOUT_MS).unref();
    this.finish(code);
  }

  /** The socket closed for good. */
  gone(): void {
    if (this.closeTimer) clearTimeout(this.closeTimer);
    this.onGone?.(this);
  }

  /** Reports the end to the session once; the socket's close also lands here. */
  finish(code: number): void {
    if (this.state === State.Closed) return;
    this.state = State.Closed;
    const h = this.handler;
    this.handler = undefined;
    h?.onClosed(this.closeCode !== 1006 ? this.closeCode : code);
  }
}
