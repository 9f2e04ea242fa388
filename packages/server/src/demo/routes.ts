// Demo endpoints (`demo.enabled`, on with --dev): roomcast plays the application backend so the
// live-room page works out of the box. A real backend does the same with its own user accounts:
// it signs connection tokens with the HMAC secret (or a private key) and publishes gifts through
// the HTTP API with its API key. Never enable this in production: anyone can mint tokens.
//
//   GET    /demo/token?user=&name=   a connection token for a named user (anonymous viewers need none)
//   GET    /demo/gifts               the gift catalog
//   POST   /demo/gift                {room, gift, count?, id?} + Authorization: Bearer <demo token>
//   POST   /demo/crowd               {room, bots?, seconds?}: start crowd bots in a room (bounded)
//   GET    /demo/crowd?room=         the room's crowd status
//   DELETE /demo/crowd?room=         stop it

import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RoomcastServer } from '../server.ts';
import {
  CrowdLimitError,
  Crowds,
  MAX_BOTS_PER_CROWD,
  MAX_CROWD_SECONDS,
  type CrowdRequest,
} from './crowd.ts';
import { GIFTS, GiftRequestError, parseGiftRequest, publishGift, ROOM_ID } from './gifts.ts';
import { bearer, DemoAuthError, signDemoToken, USER_ID, verifyDemoToken } from './tokens.ts';

const noSecret = (reply: FastifyReply): FastifyReply =>
  reply.code(503).send({ error: 'no token.hmacSecret configured' });

function parseCrowdRequest(body: unknown): CrowdRequest | string {
  if (typeof body !== 'object' || body === null) return 'body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (typeof b['room'] !== 'string' || !ROOM_ID.test(b['room']))
    return 'room must be 1-64 of A-Z a-z 0-9 _ . -';
  const bots = b['bots'] ?? 12;
  const seconds = b['seconds'] ?? 60;
  if (typeof bots !== 'number' || !Number.isInteger(bots) || bots < 1 || bots > MAX_BOTS_PER_CROWD)
    return `bots must be an integer 1-${MAX_BOTS_PER_CROWD}`;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > MAX_CROWD_SECONDS)
    return `seconds must be an integer 1-${MAX_CROWD_SECONDS}`;
  return { room: b['room'], bots, seconds };
}

export async function registerDemoRoutes(app: FastifyInstance, server: RoomcastServer): Promise<void> {
  const secret = server.config.token.hmacSecret;
  const crowds = new Crowds(server, secret);
  app.addHook('onClose', async () => crowds.stopAll());

  app.get<{ Querystring: { user?: string; name?: string } }>('/demo/token', async (req, reply) => {
    if (secret === '') return noSecret(reply);
    const user = req.query.user ?? '';
    if (!USER_ID.test(user)) return reply.code(400).send({ error: 'user must be 1-32 of A-Z a-z 0-9 _ . -' });
    const name = (req.query.name ?? user).trim().slice(0, 32) || user;
    const token = await signDemoToken(secret, { id: user, name });
    return reply.send({ token, user, name });
  });

  app.get('/demo/gifts', async (_req, reply) => reply.send({ gifts: GIFTS }));

  app.post('/demo/gift', async (req, reply) => {
    if (secret === '') return noSecret(reply);
    const token = bearer(req.headers.authorization);
    if (token === undefined) return reply.code(401).send({ error: 'sign in to send gifts' });
    try {
      const user = await verifyDemoToken(secret, token);
      const gift = parseGiftRequest(req.body);
      return reply.send(await publishGift(server.node, user, gift));
    } catch (err) {
      if (err instanceof DemoAuthError) return reply.code(401).send({ error: err.message });
      if (err instanceof GiftRequestError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  });

  app.post('/demo/crowd', async (req, reply) => {
    if (secret === '') return noSecret(reply);
    const parsed = parseCrowdRequest(req.body);
    if (typeof parsed === 'string') return reply.code(400).send({ error: parsed });
    try {
      return reply.send(await crowds.start(parsed));
    } catch (err) {
      if (err instanceof CrowdLimitError) return reply.code(429).send({ error: err.message });
      throw err;
    }
  });

  app.get<{ Querystring: { room?: string } }>('/demo/crowd', async (req, reply) => {
    const room = req.query.room ?? '';
    if (!ROOM_ID.test(room)) return reply.code(400).send({ error: 'room is required' });
    return reply.send(
      crowds.status(room) ?? { room, running: false, bots: 0, connected: 0, endsAt: 0, rejected: {} },
    );
  });

  app.delete<{ Querystring: { room?: string } }>('/demo/crowd', async (req, reply) => {
    const room = req.query.room ?? '';
    if (!ROOM_ID.test(room)) return reply.code(400).send({ error: 'room is required' });
    return reply.send({ room, stopped: crowds.stop(room) });
  });
}
