// Contract suite every OnlineStore adapter must pass.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeFixture, type StoreFactoryResult } from '../testing/contract-store.ts';
import { sleep } from '../testing/wait.ts';
import type { OnlineStore } from './online-store.ts';

export type OnlineFactoryResult = StoreFactoryResult<OnlineStore>;

export function onlineContract(name: string, factory: () => Promise<OnlineFactoryResult>): void {
  const withStore = storeFixture(factory);

  describe(`OnlineStore contract: ${name}`, { timeout: 60_000 }, () => {
    it('sums the latest report of every node', async () => {
      await withStore(async (s) => {
        await s.report(
          'n1',
          new Map([
            ['r1', 10],
            ['r2', 1],
          ]),
          60_000,
        );
        await s.report('n2', new Map([['r1', 5]]), 60_000);
        assert.deepEqual(
          [...(await s.totals(['r1', 'r2', 'r3']))],
          [
            ['r1', 15],
            ['r2', 1],
            ['r3', 0],
          ],
        );
        await s.report('n1', new Map([['r1', 3]]), 60_000);
        assert.deepEqual(
          [...(await s.totals(['r1', 'r2']))],
          [
            ['r1', 8],
            ['r2', 0],
          ],
        );
      });
    });

    it('drops a node that stops reporting, and a forgotten node at once', async () => {
      await withStore(async (s) => {
        await s.report('dead', new Map([['r', 100]]), 1000);
        await s.report('alive', new Map([['r', 7]]), 60_000);
        await s.report('leaving', new Map([['r', 2]]), 60_000);
        await s.forget('leaving');
        assert.equal((await s.totals(['r'])).get('r'), 107);
        await sleep(1300);
        assert.equal((await s.totals(['r'])).get('r'), 7);
      });
    });

    it('reports users online while they are marked, offline after the TTL', async () => {
      await withStore(async (s) => {
        const before = Date.now();
        await s.touchUsers(['alice', 'bob', '用户 7'], 60_000);
        await s.touchUsers(['carol'], 1000);
        const st = await s.userStatus(['alice', 'bob', '用户 7', 'carol', 'dave']);
        for (const u of ['alice', 'bob', '用户 7', 'carol']) {
          const at = st.get(u);
          assert.ok(
            at !== undefined && at >= before - 5000 && at <= Date.now() + 5000,
            `${u} online with a recent mark`,
          );
        }
        assert.equal(st.get('dave'), undefined);
        await sleep(1300);
        const later = await s.userStatus(['alice', 'carol']);
        assert.notEqual(later.get('alice'), undefined);
        assert.equal(later.get('carol'), undefined, 'mark expired');
      });
    });

    it('counts cumulative unique viewers per room', async () => {
      await withStore(async (s) => {
        await s.addUnique('u1', ['a', 'b', 'c']);
        await s.addUnique('u1', ['b', 'c', 'd']);
        await s.addUnique('u2', ['a']);
        assert.equal(await s.unique('u1'), 4);
        assert.equal(await s.unique('u2'), 1);
        assert.equal(await s.unique('none'), 0);
        const many = Array.from({ length: 5000 }, (_, i) => `v${i}`);
        await s.addUnique('big', many);
        const n = await s.unique('big');
        assert.ok(Math.abs(n - 5000) / 5000 < 0.02, `unique ${n} within 2% of 5000`);
      });
    });
  });
}
