// The slice of roomcast's HTTP API the baselines answer, with the same shapes, so one publisher
// drives every system: POST /api/publish, POST /api/batch (publish commands), GET /health.

import type { IncomingMessage, ServerResponse } from 'node:http';

export type Broadcast = (channel: string, dataJson: string) => void;

interface PublishParams {
  channel?: unknown;
  data?: unknown;
}

const MAX_BODY = 4 * 1024 * 1024;

function publishOne(p: PublishParams | undefined, broadcast: Broadcast): unknown {
  if (!p || typeof p.channel !== 'string' || p.data === undefined)
    return { error: { code: 107, message: 'bad request' } };
  broadcast(p.channel, JSON.stringify(p.data));
  return { publish: {} };
}

export function apiHandler(apiKey: string, broadcast: Broadcast) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.url === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (req.method !== 'POST' || !req.url?.startsWith('/api/')) {
      res.writeHead(404).end();
      return;
    }
    if (req.headers['x-api-key'] !== apiKey) {
      res
        .writeHead(401, { 'content-type': 'application/json' })
        .end('{"error":{"code":101,"message":"unauthorized"}}');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end('{"error":{"code":107,"message":"bad json"}}');
        return;
      }
      let out: unknown;
      if (req.url === '/api/publish') {
        const r = publishOne(body as PublishParams, broadcast);
        out = 'error' in (r as object) ? r : { result: {} };
      } else if (req.url === '/api/batch') {
        const cmds = (body as { commands?: unknown }).commands;
        out = {
          replies: Array.isArray(cmds)
            ? cmds.map((c) => publishOne((c as { publish?: PublishParams }).publish, broadcast))
            : [],
        };
      } else out = { error: { code: 104, message: 'method not found' } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  };
}

/** The claims of a JWT, read without verification (the baselines trust the bench's tokens). */
export function jwtClaims(token: unknown): { sub: string; info?: unknown } {
  if (typeof token !== 'string') return { sub: '' };
  const part = token.split('.')[1];
  if (!part) return { sub: '' };
  try {
    const c = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as {
      sub?: unknown;
      info?: unknown;
    };
    return { sub: typeof c.sub === 'string' ? c.sub : '', ...(c.info !== undefined ? { info: c.info } : {}) };
  } catch {
    return { sub: '' };
  }
}
