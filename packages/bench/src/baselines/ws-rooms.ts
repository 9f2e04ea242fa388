// Two baselines on the `ws` package, speaking just enough of Centrifugo's protocol (connect,
// subscribe, publish, replies, pushes) for the same receivers to read them:
// - naive: what most hand-written servers do, `ws.send(text)` per message per viewer;
// - preframed: the bare loop, one frame built per message and the same bytes written to every
//   viewer's socket. It is the ceiling of unbatched writes ("frame writes per CPU-second").
// - batched: the bare loop with roomcast's batching shape: a room flushes at most once per
//   BATCH_MS (roomcast's default window for big rooms; a quiet room flushes at once), one
//   pre-built frame of its pushes, newline-separated, to every viewer: the ceiling of batched
//   writes at roomcast's frame sizes.
// None compresses, bounds queues, caps or pings: they are reference points, not servers.

import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { serverTextFrame } from '../wire/ws-frame.ts';
import { apiHandler, jwtClaims } from './api.ts';

interface Conn {
  ws: WebSocket;
  socket: Socket;
  /** `info` of publications from this connection (user, client, conn_info). */
  info: string;
  channels: string[];
}

interface Line {
  id?: number;
  connect?: { token?: string };
  subscribe?: { channel?: string };
  publish?: { channel?: string; data?: unknown };
}

const q = JSON.stringify;

const BATCH_MS = 1000;

export function startWsRooms(
  mode: 'naive' | 'preframed' | 'batched',
  port: number,
  apiKey: string,
): Promise<Server> {
  const rooms = new Map<string, Set<Conn>>();
  const pending = new Map<string, string[]>();
  const lastFlush = new Map<string, number>();
  const flush = (channel: string): void => {
    lastFlush.set(channel, performance.now());
    const lines = pending.get(channel);
    pending.delete(channel);
    const room = rooms.get(channel);
    if (!lines || !room) return;
    const frame = serverTextFrame(lines.join('\n'));
    for (const c of room) c.socket.write(frame);
  };
  const push = (channel: string, data: string, info: string): string =>
    `{"push":{"channel":${q(channel)},"pub":{"data":${data}${info !== '' ? `,"info":${info}` : ''}}}}`;

  const broadcast = (channel: string, data: string, info = ''): void => {
    const room = rooms.get(channel);
    if (!room) return;
    const text = push(channel, data, info);
    if (mode === 'naive') {
      for (const c of room) c.ws.send(text);
    } else if (mode === 'batched') {
      const lines = pending.get(channel);
      if (lines) lines.push(text);
      else {
        pending.set(channel, [text]);
        // Like roomcast's window: at most one flush per BATCH_MS, counted from the last flush.
        const wait = (lastFlush.get(channel) ?? -Infinity) + BATCH_MS - performance.now();
        setTimeout(flush, Math.max(0, wait), channel);
      }
    } else {
      const frame = serverTextFrame(text);
      for (const c of room) c.socket.write(frame);
    }
  };

  const onLine = (c: Conn, line: string): void => {
    if (line === '{}' || line === '') return;
    let m: Line;
    try {
      m = JSON.parse(line) as Line;
    } catch {
      c.ws.close(3501, 'bad request');
      return;
    }
    const id = m.id ?? 0;
    if (m.connect) {
      const claims = jwtClaims(m.connect.token);
      const client = randomUUID();
      c.info = `{"user":${q(claims.sub)},"client":${q(client)}${claims.info !== undefined ? `,"conn_info":${q(claims.info)}` : ''}}`;
      c.ws.send(`{"id":${id},"connect":{"client":${q(client)},"version":"baseline"}}`);
    } else if (m.subscribe?.channel) {
      const ch = m.subscribe.channel;
      let room = rooms.get(ch);
      if (!room) rooms.set(ch, (room = new Set()));
      room.add(c);
      c.channels.push(ch);
      c.ws.send(`{"id":${id},"subscribe":{}}`);
    } else if (m.publish?.channel && m.publish.data !== undefined) {
      broadcast(m.publish.channel, q(m.publish.data), c.info);
      c.ws.send(`{"id":${id},"publish":{}}`);
    }
  };

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 65536 });
  const server = createServer(apiHandler(apiKey, (ch, data) => broadcast(ch, data)));
  server.on('upgrade', (req, socket: Socket, head) => {
    if (!req.url?.startsWith('/connection/websocket')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      socket.setNoDelay(true);
      const c: Conn = { ws, socket, info: '', channels: [] };
      ws.on('message', (data) => {
        for (const line of (data as Buffer).toString('utf8').split('\n')) onLine(c, line);
      });
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        for (const ch of c.channels) rooms.get(ch)?.delete(c);
      });
    });
  });
  // Longer than any pause of the publisher, so kept-alive API connections are not reset under load.
  server.keepAliveTimeout = 120_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
