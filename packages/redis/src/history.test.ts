// Adapter-specific checks of the Redis HistoryStore: the append script's atomicity across
// connections, idempotency, and that the bus carries exactly what history stores.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Publication } from '@roomcast/protocol';
import type { BusHandler, BusMessage, PubMessage } from '@roomcast/server';
import { uniquePrefix, waitFor } from '@roomcast/server/testing';
import { createRedisAdapters, type RedisAdapters } from './adapters.ts';
import { deleteKeysByPrefix, redisSkipReason, TEST_REDIS_URL } from './testing/redis-env.ts';

const skip = await redisSkipReason();
const limits = { size: 1000, ttlMs: 0, metaTtlMs: 60_000 };

function recorder(): BusHandler & { pubs: PubMessage[]; other: BusMessage[] } {
  const r = {
    pubs: [] as PubMessage[],
    other: [] as BusMessage[],
    onMessage(_channel: string, msg: BusMessage) {
      if (msg.type === 'pub') r.pubs.push(msg);
      else r.other.push(msg);
    },
    onControl() {},
  };
  return r;
}

describe('redis HistoryStore: atomic append + publish', { skip, timeout: 60_000 }, () => {
  const prefix = uniquePrefix('redis-hist');
  const clients: RedisAdapters[] = [];

  before(async () => {
    // Four independent adapter sets (four command connections) on the same keys: four nodes.
    for (let i = 0; i < 4; i++) {
      clients.push(await createRedisAdapters({ url: TEST_REDIS_URL, prefix, clientName: `rc-test-${i}` }));
    }
  });

  after(async () => {
    for (const c of clients) await c.close();
    await deleteKeysByPrefix(TEST_REDIS_URL, prefix);
  });

  const node = (i: number): RedisAdapters => {
    const c = clients[i];
    if (!c) throw new Error(`no client ${i}`);
    return c;
  };

  it('gives concurrent appends from several connections offsets 1..N, and the bus sees offset order', async () => {
    const watchers = [recorder(), recorder()];
    const eps = [await node(0).bus.attach(watchers[0]!), await node(3).bus.attach(watchers[1]!)];
    try {
      for (const ep of eps) await ep.subscribe('gift:atomic');
      const perClient = 60;
      const results = await Promise.all(
        clients.flatMap((c, ci) =>
          Array.from({ length: perClient }, (_, i) =>
            c.history.append(
              'gift:atomic',
              { data: JSON.stringify({ ci, i }) },
              { ...limits, publish: { kind: 'gift' } },
            ),
          ),
        ),
      );
      const n = clients.length * perClient;
      assert.deepEqual(
        results.map((r) => r.publication.offset).sort((a, b) => a - b),
        Array.from({ length: n }, (_, i) => i + 1),
      );
      assert.equal(new Set(results.map((r) => r.epoch)).size, 1);
      for (const w of watchers) {
        await waitFor(() => w.pubs.length === n, { timeoutMs: 5000, what: `${n} bus messages` });
        assert.deepEqual(
          w.pubs.map((m) => m.pub.offset),
          Array.from({ length: n }, (_, i) => i + 1),
          'bus order is offset order',
        );
      }
      // What each append returned is what the bus delivered, and what history keeps.
      const byOffset = new Map(results.map((r) => [r.publication.offset, r]));
      const stored = await node(1).history.read('gift:atomic', { limit: -1 }, limits);
      assert.equal(stored.publications.length, n);
      for (const [i, m] of watchers[0]!.pubs.entries()) {
        const r = byOffset.get(m.pub.offset);
        assert.deepEqual(m.pub, r?.publication);
        assert.deepEqual(m.pub, stored.publications[i]);
        assert.equal(m.epoch, r?.epoch);
        assert.equal(m.kind, 'gift');
      }
      assert.deepEqual(watchers[0]!.pubs, watchers[1]!.pubs);
    } finally {
      for (const ep of eps) await ep.close();
    }
  });

  it('publishes the stored publication with its metadata, byte for byte', async () => {
    const w = recorder();
    const ep = await node(2).bus.attach(w);
    try {
      await ep.subscribe('user:42');
      const pub: Omit<Publication, 'offset'> = {
        data: '{"text":"私信 ✉️","n":1}',
        info: { user: '7', client: 'c-7', connInfo: '{"name":"Ann"}' },
        tags: { kind: 'pm', 'x y': '{}' },
        time: 1_700_000_000_999,
      };
      const r = await node(1).history.append('user:42', pub, {
        ...limits,
        publish: { priority: 0, kind: 'system' },
      });
      await waitFor(() => w.pubs.length === 1, { what: 'bus message' });
      assert.deepEqual(w.pubs[0], {
        type: 'pub',
        pub: { ...pub, offset: r.publication.offset },
        epoch: r.epoch,
        priority: 0,
        kind: 'system',
      });
      const h = await node(0).history.read('user:42', { limit: -1 }, limits);
      assert.deepEqual(h.publications, [{ ...pub, offset: 1 }]);
    } finally {
      await ep.close();
    }
  });

  it('returns the first result for a repeated idempotency key and publishes nothing more', async () => {
    const w = recorder();
    const ep = await node(0).bus.attach(w);
    try {
      await ep.subscribe('gift:idem');
      const opts = { ...limits, idempotencyKey: 'order-1' };
      const first = await node(1).history.append('gift:idem', { data: '{"gift":"rocket"}' }, opts);
      const again = await Promise.all(
        clients.map((c) => c.history.append('gift:idem', { data: '{"gift":"other"}' }, opts)),
      );
      for (const r of again) {
        assert.equal(r.duplicate, true);
        assert.deepEqual(r.publication, first.publication);
        assert.equal(r.epoch, first.epoch);
      }
      const next = await node(2).history.append(
        'gift:idem',
        { data: '{"gift":"car"}' },
        { ...limits, idempotencyKey: 'order-2' },
      );
      assert.equal(next.publication.offset, 2);
      await waitFor(() => w.pubs.length === 2, { what: 'two bus messages' });
      assert.deepEqual(
        w.pubs.map((m) => m.pub.data),
        ['{"gift":"rocket"}', '{"gift":"car"}'],
      );
      assert.equal((await node(3).history.read('gift:idem', { limit: -1 }, limits)).publications.length, 2);
    } finally {
      await ep.close();
    }
  });

  it('publishes with PUBLISH in plain mode, to a plain-mode bus', async () => {
    const plain = await createRedisAdapters({ url: TEST_REDIS_URL, prefix, pubsub: 'plain' });
    const w = recorder();
    const ep = await plain.bus.attach(w);
    try {
      assert.equal(plain.sharded, false);
      assert.equal(node(0).sharded, true, 'Redis 7 is detected as sharded');
      await ep.subscribe('gift:plain');
      const r = await plain.history.append('gift:plain', { data: '1' }, limits);
      await waitFor(() => w.pubs.length === 1, { what: 'plain bus message' });
      assert.equal(w.pubs[0]?.pub.offset, r.publication.offset);
    } finally {
      await plain.close();
    }
  });
});
