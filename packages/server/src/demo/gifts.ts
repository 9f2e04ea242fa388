// Demo gifts: the catalog and the one place the demo publishes a gift. Gifts are paid, so no
// client publishes on `gift:` (its namespace says publish: nobody); the application backend
// charges the sender and then publishes through the HTTP API (or, in-process, `node.publish`).

import { randomUUID } from 'node:crypto';
import { PRIORITY } from '../bus/bus.ts';
import type { RoomcastNode } from '../node.ts';
import type { DemoUser } from './tokens.ts';

export interface GiftKind {
  id: string;
  name: string;
  emoji: string;
  /** Price in coins; the page plays a full-stage animation from 500 up. */
  value: number;
}

export const GIFTS: readonly GiftKind[] = [
  { id: 'rose', name: 'Rose', emoji: '🌹', value: 1 },
  { id: 'heart', name: 'Heart', emoji: '💖', value: 5 },
  { id: 'cake', name: 'Cake', emoji: '🎂', value: 50 },
  { id: 'rocket', name: 'Rocket', emoji: '🚀', value: 500 },
  { id: 'castle', name: 'Castle', emoji: '🏰', value: 1000 },
];

export const ROOM_ID = /^[A-Za-z0-9_.-]{1,64}$/;
export const GIFT_ID = /^[A-Za-z0-9_-]{1,64}$/;
export const MAX_GIFT_COUNT = 99;

export interface GiftRequest {
  room: string;
  gift: string;
  count: number;
  /** Client-chosen id: a retried request with the same id is published once. */
  id?: string;
}

export class GiftRequestError extends Error {
  override readonly name = 'GiftRequestError';
}

/** Checks a request body and returns it typed, or throws GiftRequestError naming the field. */
export function parseGiftRequest(body: unknown): GiftRequest {
  if (typeof body !== 'object' || body === null) throw new GiftRequestError('body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (typeof b['room'] !== 'string' || !ROOM_ID.test(b['room']))
    throw new GiftRequestError('room must be 1-64 of A-Z a-z 0-9 _ . -');
  if (typeof b['gift'] !== 'string' || !GIFTS.some((g) => g.id === b['gift']))
    throw new GiftRequestError(`gift must be one of ${GIFTS.map((g) => g.id).join(', ')}`);
  const count = b['count'] ?? 1;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_GIFT_COUNT)
    throw new GiftRequestError(`count must be an integer 1-${MAX_GIFT_COUNT}`);
  const id = b['id'];
  if (id !== undefined && (typeof id !== 'string' || !GIFT_ID.test(id)))
    throw new GiftRequestError('id must be 1-64 of A-Z a-z 0-9 _ -');
  return { room: b['room'], gift: b['gift'], count, ...(id !== undefined ? { id } : {}) };
}

export interface PublishedGift {
  id: string;
  offset: number;
  epoch: string;
}

/**
 * Publishes `{"type":"gift",...}` on `gift:<room>` with the gift priority. The gift id doubles
 * as the idempotency key (scoped to the sender), so a retry after a lost response is not a
 * second gift; viewers de-duplicate by the same id when recovery redelivers.
 */
export async function publishGift(
  node: RoomcastNode,
  from: DemoUser,
  req: GiftRequest,
): Promise<PublishedGift> {
  const kind = GIFTS.find((g) => g.id === req.gift);
  if (!kind) throw new GiftRequestError(`unknown gift ${req.gift}`);
  const id = req.id ?? randomUUID();
  const data = {
    type: 'gift',
    id,
    gift: kind.id,
    count: req.count,
    value: kind.value * req.count,
    user: { id: from.id, name: from.name },
  };
  const r = await node.publish(`gift:${req.room}`, JSON.stringify(data), {
    source: 'api',
    priority: PRIORITY.gift,
    kind: 'gift',
    idempotencyKey: `demo-gift:${from.id}:${id}`,
  });
  return { id, offset: r.offset, epoch: r.epoch };
}
