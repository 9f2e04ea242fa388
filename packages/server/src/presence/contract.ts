// Contract suite every PresenceStore adapter must pass.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeFixture, type StoreFactoryResult } from '../testing/contract-store.ts';
import { sleep } from '../testing/wait.ts';
import type { PresenceStore } from './presence-store.ts';

export type PresenceFactoryResult = StoreFactoryResult<PresenceStore>;

export function presenceContract(name: string, factory: () => Promise<PresenceFactoryResult>): void {
  const withStore = storeFixture(factory);

  describe(`PresenceStore contract: ${name}`, { timeout: 60_000 }, () => {
    it('adds, lists and removes clients', async () => {
      await withStore(async (s) => {
        await s.add('live:1', 'c1', { user: 'u1', client: 'c1', connInfo: '{"name":"Ann"}' }, 60_000);
        await s.add('live:1', 'c2', { user: 'u2', client: 'c2' }, 60_000);
        assert.deepEqual(await s.get('live:1'), {
          c1: { user: 'u1', client: 'c1', connInfo: '{"name":"Ann"}' },
          c2: { user: 'u2', client: 'c2' },
        });
        await s.remove('live:1', 'c1');
        assert.deepEqual(Object.keys(await s.get('live:1')), ['c2']);
        await s.remove('live:1', 'c2');
        assert.deepEqual(await s.get('live:1'), {});
        assert.deepEqual(await s.stats('live:1'), { numClients: 0, numUsers: 0 });
      });
    });

    it('counts distinct users, anonymous "" as one user', async () => {
      await withStore(async (s) => {
        await s.add('ch', 'a', { user: 'u1', client: 'a' }, 60_000);
        await s.add('ch', 'b', { user: 'u1', client: 'b' }, 60_000);
        await s.add('ch', 'c', { user: '', client: 'c' }, 60_000);
        await s.add('ch', 'd', { user: '', client: 'd' }, 60_000);
        assert.deepEqual(await s.stats('ch'), { numClients: 4, numUsers: 2 });
      });
    });

    it('re-adding refreshes instead of duplicating; channels are separate', async () => {
      await withStore(async (s) => {
        await s.add('x', 'a', { user: 'u', client: 'a' }, 60_000);
        await s.add('x', 'a', { user: 'u', client: 'a' }, 60_000);
        await s.add('y', 'b', { user: 'v', client: 'b' }, 60_000);
        assert.deepEqual(await s.stats('x'), { numClients: 1, numUsers: 1 });
        assert.deepEqual(Object.keys(await s.get('y')), ['b']);
      });
    });

    it('expires entries that are not refreshed', async () => {
      await withStore(async (s) => {
        await s.add('e', 'a', { user: 'u', client: 'a' }, 1000);
        await s.add('e', 'b', { user: 'v', client: 'b' }, 60_000);
        await sleep(1300);
        assert.deepEqual(Object.keys(await s.get('e')), ['b']);
        assert.deepEqual(await s.stats('e'), { numClients: 1, numUsers: 1 });
      });
    });

    it('removing an unknown client is a no-op', async () => {
      await withStore(async (s) => {
        await s.remove('nope', 'nobody');
        assert.deepEqual(await s.get('nope'), {});
      });
    });
  });
}
