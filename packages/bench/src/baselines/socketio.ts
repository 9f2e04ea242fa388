// The Socket.IO 4 baseline: rooms and `io.to(room).emit(...)`, the way applications use it
// (WebSocket transport only, defaults otherwise). Socket.IO encodes a broadcast once and writes
// the pre-encoded frame to every socket, so this is its best case, not a strawman.

import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { apiHandler, jwtClaims } from './api.ts';

interface PublishArg {
  channel?: unknown;
  data?: unknown;
}

type Ack = (reply: unknown) => void;

export function startSocketIo(port: number, apiKey: string): Promise<HttpServer> {
  const server = createServer();
  const io = new Server(server, { serveClient: false, transports: ['websocket'], maxHttpBufferSize: 65536 });
  const handler = apiHandler(apiKey, (channel, data) => {
    io.to(channel).emit('pub', { channel, data: JSON.parse(data) as unknown });
  });
  // engine.io answers its own path and hands every other request to the listeners it found.
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/socket.io/')) handler(req, res);
  });
  io.on('connection', (socket) => {
    const claims = jwtClaims((socket.handshake.auth as { token?: unknown }).token);
    const info = {
      user: claims.sub,
      client: randomUUID(),
      ...(claims.info !== undefined ? { conn_info: claims.info } : {}),
    };
    socket.on('join', (rooms: unknown, ack?: Ack) => {
      if (Array.isArray(rooms) || typeof rooms === 'string') void socket.join(rooms as string | string[]);
      ack?.({});
    });
    socket.on('publish', (msg: PublishArg, ack?: Ack) => {
      if (typeof msg?.channel !== 'string' || msg.data === undefined) {
        ack?.({ error: { code: 107 } });
        return;
      }
      io.to(msg.channel).emit('pub', { channel: msg.channel, data: msg.data, info });
      ack?.({});
    });
  });
  // Longer than any pause of the publisher, so kept-alive API connections are not reset under load.
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
