// Demo endpoints (`demo.enabled`, on with --dev): roomcast plays the application backend so the
// live-room page works out of the box. A real backend does the same with its own user accounts:
// it signs connection tokens with the HMAC secret (or a private key) and publishes gifts through
// the HTTP API with its API key. Never enable this in production: anyone can mint tokens.

import { SignJWT } from 'jose';
import type { FastifyInstance } from 'fastify';
import type { RoomcastServer } from '../server.ts';

const USER_ID = /^[A-Za-z0-9_.-]{1,32}$/;

export async function registerDemoRoutes(app: FastifyInstance, server: RoomcastServer): Promise<void> {
  const secret = server.config.token.hmacSecret;
  app.get<{ Querystring: { user?: string; name?: string } }>('/demo/token', async (req, reply) => {
    if (secret === '') return reply.code(503).send({ error: 'no token.hmacSecret configured' });
    const user = req.query.user ?? '';
    if (!USER_ID.test(user)) return reply.code(400).send({ error: 'user must be 1-32 of A-Z a-z 0-9 _ . -' });
    const name = (req.query.name ?? user).slice(0, 32);
    const token = await new SignJWT({ sub: user, info: { name } })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('24h')
      .sign(new TextEncoder().encode(secret));
    return reply.send({ token, user, name });
  });
}
