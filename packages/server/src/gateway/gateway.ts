// WebSocket gateway: the upgrade is handled here (path, caps, Origin, protocol) before `ws`
// completes the handshake, so refused clients cost one HTTP response and no WebSocket state.

import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Disconnects, type DisconnectCode } from '@roomcast/protocol';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Client } from '../client/client.ts';
import type { RoomcastNode } from '../node.ts';
import { originAllowed } from './origin.ts';
import { WsTransport } from './ws-transport.ts';

export const WEBSOCKET_PATH = '/connection/websocket';

/** Connections kept free of the open-files limit for listeners, logs and outbound clients. */
const FD_RESERVE = 256;

/** The soft open-files limit of this process (Linux), or undefined. */
function openFilesLimit(): number | undefined {
  try {
    const m = /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function refuse(socket: Socket, status: number, text: string, body: string): void {
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export const normalizeIp = (ip: string | undefined): string =>
  ip === undefined ? 'unknown' : ip.startsWith('::ffff:') ? ip.slice(7) : ip;

export class Gateway {
  private readonly node: RoomcastNode;
  private readonly wss: WebSocketServer;
  private readonly perIp = new Map<string, number>();
  private readonly maxConnections: number;
  private open = 0;
  accepting = true;

  constructor(node: RoomcastNode) {
    this.node = node;
    const c = node.config.client;
    this.maxConnections =
      c.maxConnections > 0 ? c.maxConnections : Math.max((openFilesLimit() ?? 20_000) - FD_RESERVE, 64);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: c.maxPayloadBytes,
      maxFragments: c.maxFragments,
      // Answer the subprotocol the client offered (browsers and ws reject a missing echo).
      handleProtocols: (protocols) => (protocols.has('centrifuge-json') ? 'centrifuge-json' : false),
      clientTracking: false,
      // Compression is negotiated so shared pre-compressed frames can be sent; ws never
      // compresses by itself (threshold), and no context is kept in either direction.
      perMessageDeflate:
        c.compressionThresholdBytes > 0
          ? {
              serverNoContextTakeover: true,
              clientNoContextTakeover: true,
              threshold: Number.MAX_SAFE_INTEGER,
            }
          : false,
    });
  }

  get connections(): number {
    return this.open;
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
    if (this.open >= this.maxConnections)
      return refuse(socket, 503, 'Service Unavailable', 'connection limit reached');
    const ip = normalizeIp(socket.remoteAddress);
    const perIpMax = this.node.config.client.maxConnectionsPerIp;
    const ipCount = this.perIp.get(ip) ?? 0;
    if (perIpMax > 0 && ipCount >= perIpMax)
      return refuse(socket, 429, 'Too Many Requests', 'too many connections from this address');
    if (!originAllowed(req.headers.origin, req.headers.host, this.node.config.client.allowedOrigins)) {
      return refuse(socket, 403, 'Forbidden', 'origin not allowed');
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '');
    const protobuf =
      offered.includes('centrifuge-protobuf') ||
      url.searchParams.get('format') === 'protobuf' ||
      url.searchParams.get('cf_protocol') === 'protobuf';

    this.perIp.set(ip, ipCount + 1);
    this.open++;
    socket.once('close', () => {
      this.open--;
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      if (protobuf) {
        // The Protobuf wire format is not implemented yet: a terminal code tells the SDK so.
        ws.close(Disconnects.inappropriateProtocol.code, 'protobuf format not supported');
        return;
      }
      this.attach(ws, socket, ip);
    });
  }

  private attach(ws: WebSocket, socket: Socket, ip: string): void {
    socket.setNoDelay(true);
    const transport = new WsTransport(ws, socket, ip, this.node.config.client.compressionThresholdBytes);
    const client: Client = this.node.createClient(transport);
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        // JSON mode takes text frames only.
        client.disconnect(Disconnects.badRequest);
        return;
      }
      client.onFrame((data as Buffer).toString('utf8'));
    });
    ws.on('error', (err) => {
      this.node.log.debug({ client: client.id, err: err.message }, 'websocket error');
    });
    ws.on('close', (code) => client.onTransportClosed(code));
  }

  /** Stops accepting and closes every session with `code` (graceful shutdown or drain). */
  closeAll(code: DisconnectCode = Disconnects.shutdown): void {
    this.accepting = false;
    for (const c of [...this.node.clients.values()]) c.disconnect(code);
  }
}
