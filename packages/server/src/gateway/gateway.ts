// WebSocket gateway: the upgrade is handled here (path, caps, Origin, handshake) and the socket
// is then owned by a WsConnection; refused clients cost one HTTP response and no WebSocket state.

import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Disconnects, type DisconnectCode } from '@roomcast/protocol';
import type { RoomcastNode } from '../node.ts';
import { originAllowed } from './origin.ts';
import { handshake } from './ws/handshake.ts';
import { WsConnection } from './ws/ws-connection.ts';

export const WEBSOCKET_PATH = '/connection/websocket';

/** Connections kept free of the open-files limit for listeners, logs and outbound clients. */
const FD_RESERVE = 256;
const PROTOCOLS = ['centrifuge-json', 'centrifuge-protobuf'];

/** The soft open-files limit of this process (Linux), or undefined. */
function openFilesLimit(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function refuse(socket: Socket, status: number, text: string, body: string, headers = ''): void {
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${headers}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export const normalizeIp = (ip: string | undefined): string =>
  ip === undefined ? 'unknown' : ip.startsWith('::ffff:') ? ip.slice(7) : ip;

export class Gateway {
  private readonly node: RoomcastNode;
  private readonly perIp = new Map<string, number>();
  private readonly maxConnections: number;
  private readonly sockets = new Set<WsConnection>();
  accepting = true;
  /** One function for every connection's end (no closure per connection). */
  private readonly onGone = (conn: WsConnection): void => {
    if (!this.sockets.delete(conn)) return;
    const ip = conn.remoteAddress;
    const n = (this.perIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.perIp.delete(ip);
    else this.perIp.set(ip, n);
  };

  constructor(node: RoomcastNode) {
    this.node = node;
    const c = node.config.client;
    this.maxConnections =
      c.maxConnections > 0 ? c.maxConnections : Math.max((openFilesLimit() ?? 20_000) - FD_RESERVE, 64);
  }

  get connections(): number {
    return this.sockets.size;
  }

  get connectionLimit(): number {
    return this.maxConnections;
  }

  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== WEBSOCKET_PATH)
      return refuse(socket, 404, 'Not Found', 'no WebSocket endpoint here');
    if (!this.accepting)
      return refuse(socket, 503, 'Service Unavailable', 'node is shutting down or draining');
    if (this.sockets.size >= this.maxConnections) {
      return refuse(socket, 503, 'Service Unavailable', 'connection limit reached');
    }
    const ip = normalizeIp(socket.remoteAddress);
    const perIpMax = this.node.config.client.maxConnectionsPerIp;
    const ipCount = this.perIp.get(ip) ?? 0;
    if (perIpMax > 0 && ipCount >= perIpMax) {
      return refuse(socket, 429, 'Too Many Requests', 'too many connections from this address');
    }
    const cfg = this.node.config.client;
    if (!originAllowed(req.headers.origin, req.headers.host, cfg.allowedOrigins)) {
      return refuse(socket, 403, 'Forbidden', 'origin not allowed');
    }
    const hs = handshake(req, { protocols: PROTOCOLS, deflate: cfg.compressionThresholdBytes > 0 });
    if (!hs.ok) return refuse(socket, hs.status, 'Bad Request', hs.reason, hs.headers);
    const protobuf =
      hs.protocol === 'centrifuge-protobuf' ||
      url.searchParams.get('format') === 'protobuf' ||
      url.searchParams.get('cf_protocol') === 'protobuf';

    socket.write(hs.response);
    const conn = new WsConnection(socket, {
      deflate: hs.deflate,
      protocol: hs.protocol,
      remoteAddress: ip,
      maxPayload: cfg.maxPayloadBytes,
      maxFragments: cfg.maxFragments,
      compressionThreshold: cfg.compressionThresholdBytes,
      onGone: this.onGone,
    });
    this.perIp.set(ip, ipCount + 1);
    this.sockets.add(conn);
    if (protobuf) {
      // The Protobuf wire format is not implemented yet: a terminal code tells the SDK so.
      conn.start({ onText() {}, onBinary() {}, onPong() {}, onClosed() {} }, Buffer.alloc(0));
      conn.close(Disconnects.inappropriateProtocol.code, 'protobuf format not supported');
      return;
    }
    const client = this.node.createClient(conn);
    conn.start(client, head);
  }

  /** Stops accepting and closes every session with `code` (graceful shutdown or drain). */
  closeAll(code: DisconnectCode = Disconnects.shutdown): void {
    this.accepting = false;
    for (const c of [...this.node.clients.values()]) c.disconnect(code);
  }
}
