// Adapter-specific checks of the presence, online and registry stores: state that nobody
// refreshes leaves no key behind, and user accounting survives a client changing user.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep, waitFor } from '@roomcast/server/testing';
import { countKeysByPrefix, redisSkipReason, TEST_REDIS_URL, testAdapters } from './testing/redis-env.ts';

const skip = await redisSkipReason();

describe('redis stores: expiry and accounting', { skip, timeout: 30_000 }, () => {
  it('lets every key of abandoned presence, online, registry and history state expire', async () => {
    const { adapters: a, prefix, cleanup } = await testAdapters('expiry');
    try {
      const ch = 'live:{房间} 1';
      // TTLs long enough that a loaded machine still counts the keys before they expire.
      await a.presence.add(ch, 'c1', { user: 'u1', client: 'c1' }, 1500);
      await a.presence.add(ch, 'c2', { user: '', client: 'c2' }, 1200);
      await a.online.report('node-1', new Map([[ch, 3]]), 1500);
      await a.registry.heartbeat(
        {
          id: 'n1',
          name: 'n1',
          url: 'ws://x',
          connections: 1,
          cpu: 0,
          eventLoopDelayMs: 0,
          draining: false,
          updatedAt: 0,
        },
        1500,
      );
      await a.history.append(ch, { data: '1' }, { size: 10, ttlMs: 0, metaTtlMs: 1500 });
      const written = await countKeysByPrefix(TEST_REDIS_URL, prefix);
      assert.ok(written >= 7, `${written} keys written`);
      await sleep(1500);
      await waitFor(async () => (await countKeysByPrefix(TEST_REDIS_URL, prefix)) === 0, {
        timeoutMs: 3000,
        intervalMs: 100,
        what: 'every key expired',
      });
    } finally {
      await cleanup();
    }
  });

  it('keeps user counts right when a client is re-added as another user or expires', async () => {
    const { adapters: a, cleanup } = await testAdapters('users');
    try {
      await a.presence.add('p', 'c1', { user: 'u1', client: 'c1' }, 60_000);
      await a.presence.add('p', 'c2', { user: 'u1', client: 'c2' }, 400);
      await a.presence.add('p', 'c1', { user: 'u2', client: 'c1' }, 60_000);
      assert.deepEqual(await a.presence.stats('p'), { numClients: 2, numUsers: 2 });
      await sleep(600);
      assert.deepEqual(await a.presence.stats('p'), { numClients: 1, numUsers: 1 });
      assert.deepEqual(await a.presence.get('p'), { c1: { user: 'u2', client: 'c1' } });
    } finally {
      await cleanup();
    }
  });

  it('zeroes the rooms a node stops reporting, across many rooms', async () => {
    const { adapters: a, cleanup } = await testAdapters('rooms');
    try {
      const rooms = Array.from({ length: 300 }, (_, i) => `room {${i}}`);
      await a.online.report('n1', new Map(rooms.map((r, i) => [r, i + 1])), 60_000);
      await a.online.report('n2', new Map(rooms.map((r) => [r, 1])), 60_000);
      let t = await a.online.totals(rooms);
      assert.equal(t.get('room {299}'), 301);
      await a.online.report('n1', new Map([['room {0}', 5]]), 60_000);
      t = await a.online.totals(rooms);
      assert.equal(t.get('room {0}'), 6);
      assert.equal(t.get('room {299}'), 1);
      await a.online.forget('n2');
      t = await a.online.totals(rooms);
      assert.equal(t.get('room {0}'), 5);
      assert.equal(t.get('room {1}'), 0);
    } finally {
      await cleanup();
    }
  });
});
