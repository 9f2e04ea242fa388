// HTTP surface: the server API (`POST /api/<method>`, `POST /api` legacy), health, metrics and
// the status page. Auth follows Centrifugo: X-API-Key, then `Authorization: apikey <key>`, then
// `?api_key=`. Errors use Centrifugo's `{"error":{"code","message"}}` body.

import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';
import type { RoomcastNode } from '../node.ts';
import { callBatch, callMethod } from './methods.ts';
import { isObject } from './params.ts';
import { statusPage } from './status-page.ts';

/** HTTP status for an API error code when the client asks for transport error mode. */
function transportStatus(code: number): number {
  if (code === 102 || code === 104) return 404;
  if (code === 107 || code === 108) return 400;
  if (code === 112) return 416;
  if (code === 113) return 409;
  return 500;
}

function keyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined || expected === '') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function apiKeyOf(req: FastifyRequest): string | undefined {
  const x = req.headers['x-api-key'];
  if (typeof x === 'string') return x;
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^apikey\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1];
  }
  const q = (req.query as Record<string, unknown> | undefined)?.['api_key'];
  return typeof q === 'string' ? q : undefined;
}

export interface RouteDeps {
  node: RoomcastNode;
  /** False while shutting down (health answers 503). */
  healthy: () => boolean;
  extraStatus?: () => Record<string, unknown>;
}

export function registerRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const { node } = deps;
  const cfg = node.config.api;

  // Any content type is read as JSON (curl -d sends form encoding by default).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: cfg.maxBodyBytes }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new ApiError(107, 'bad request: body is not valid JSON', { cause: err }), undefined);
    }
  });

  app.setErrorHandler((err: unknown, _req, reply) => {
    if (err instanceof ApiError) {
      return reply.code(400).send({ error: { code: err.code, message: err.message } });
    }
    const e = err as { statusCode?: number; message?: string };
    const status = e.statusCode ?? 500;
    if (status === 413)
      return reply.code(413).send({ error: { code: 107, message: 'bad request: body too large' } });
    if (status < 500)
      return reply.code(status).send({ error: { code: 107, message: `bad request: ${e.message ?? ''}` } });
    node.log.error({ err }, 'http error');
    return reply.code(500).send({ error: { code: 100, message: 'internal server error' } });
  });

  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api'))
      return reply.code(404).send({ error: { code: 104, message: 'method not found' } });
    return reply.code(404).type('text/plain').send('not found');
  });

  const authorized = (req: FastifyRequest, reply: FastifyReply): boolean => {
    if (cfg.insecure || keyMatches(apiKeyOf(req), cfg.key)) return true;
    node.metrics.apiCalls.inc({ method: 'auth', status: '401' });
    void reply.code(401).send({ error: { code: 101, message: 'unauthorized' } });
    return false;
  };

  const respond = async (
    req: FastifyRequest,
    reply: FastifyReply,
    method: string,
    params: unknown,
  ): Promise<unknown> => {
    const transportMode = String(req.headers['x-centrifugo-error-mode'] ?? '').toLowerCase() === 'transport';
    try {
      // batch answers {"replies":[...]} at the top level, as Centrifugo does.
      const body =
        method === 'batch'
          ? await callBatch(node, isObject(params) ? params : {})
          : { result: await callMethod(node, method, params) };
      node.metrics.apiCalls.inc({ method, status: 'ok' });
      return await reply.send(body);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      node.metrics.apiCalls.inc({ method, status: String(err.code) });
      if (err.code === 104) return reply.code(404).send({ error: { code: 104, message: err.message } });
      const status = transportMode ? transportStatus(err.code) : 200;
      return reply.code(status).send({ error: { code: err.code, message: err.message } });
    }
  };

  app.post<{ Params: { method: string } }>('/api/:method', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    return respond(req, reply, req.params.method, req.body);
  });

  app.post('/api', async (req, reply) => {
    if (!authorized(req, reply)) return reply;
    const body = req.body;
    if (!isObject(body) || typeof body['method'] !== 'string') {
      return reply
        .code(400)
        .send({ error: { code: 107, message: 'bad request: expected {"method","params"}' } });
    }
    return respond(req, reply, body['method'], body['params']);
  });

  app.all('/api/*', async (_req, reply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({ error: { code: 107, message: 'method not allowed: use POST' } }),
  );

  app.get('/health', async (_req, reply) =>
    deps.healthy() ? reply.send({ status: 'ok' }) : reply.code(503).send({ status: 'shutting down' }),
  );

  app.get('/metrics', async (_req, reply) =>
    reply.type(node.metrics.registry.contentType).send(await node.metrics.registry.metrics()),
  );

  const statusJson = (): Record<string, unknown> => ({
    node: node.info(),
    connections: node.clients.size,
    deliveries: node.stats.deliveries,
    framesOut: node.stats.framesOut,
    bytesOut: node.stats.bytesOut,
    skippedFrames: node.stats.skippedFrames,
    publicationsIn: node.stats.publicationsIn,
    channels: [...node.hub.channels.values()]
      .sort((a, b) => b.size - a.size)
      .slice(0, 50)
      .map((ch) => ({ name: ch.name, subscribers: ch.size })),
    memory: process.memoryUsage(),
    ...deps.extraStatus?.(),
  });
  app.get('/status.json', async () => statusJson());
  app.get('/status', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').send(statusPage(node.name)),
  );
}
