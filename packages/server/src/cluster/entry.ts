// The entry scheduler (seed 001): `GET /entry` on any node answers the least-loaded,
// non-draining gateways, so clients connect where there is room and never to a node that is
// being drained.

import type { FastifyInstance } from 'fastify';
import { WEBSOCKET_PATH } from '../gateway/gateway.ts';
import type { RoomcastNode } from '../node.ts';
import { rankNodes } from './heartbeat.ts';
import type { NodeEntry } from './node-registry.ts';

export function registerEntryRoute(app: FastifyInstance, node: RoomcastNode): void {
  app.get<{ Querystring: { count?: string } }>('/entry', async (req, reply) => {
    const count = Math.min(Math.max(Number(req.query.count ?? 3) || 3, 1), 50);
    let nodes: NodeEntry[] = [];
    try {
      nodes = await node.registry.list();
    } catch (err) {
      node.log.warn({ err }, 'entry: registry unavailable; answering with this node');
    }
    if (!nodes.some((n) => n.id === node.uid) && node.heartbeat.last) nodes.push(node.heartbeat.last);
    const ranked = rankNodes(nodes).slice(0, count);
    if (ranked.length === 0) {
      return reply.code(503).send({ error: 'no gateway is accepting connections' });
    }
    const ws = (n: NodeEntry): string => `${n.url}${WEBSOCKET_PATH}`;
    return reply.header('cache-control', 'no-store').send({
      url: ws(ranked[0] as NodeEntry),
      nodes: ranked.map((n) => ({ name: n.name, url: ws(n), connections: n.connections, cpu: n.cpu })),
    });
  });
}
