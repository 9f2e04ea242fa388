// Contract suite every HistoryStore adapter must pass (see the rules in history-store.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeFixture, type StoreFactoryResult } from '../testing/contract-store.ts';
import { sleep } from '../testing/wait.ts';
import type { HistoryStore } from './history-store.ts';

export type HistoryFactoryResult = StoreFactoryResult<HistoryStore>;

const limits = { size: 10, ttlMs: 0, metaTtlMs: 60_000 };
const meta = { metaTtlMs: 60_000 };
const data = (n: number) => JSON.stringify({ n, text: '礼物 🎁' });

export function historyContract(name: string, factory: () => Promise<HistoryFactoryResult>): void {
  const withStore = storeFixture(factory);

  describe(`HistoryStore contract: ${name}`, { timeout: 60_000 }, () => {
    it('assigns continuous offsets from 1 with a stable epoch', async () => {
      await withStore(async (s) => {
        const r1 = await s.append('gift:1', { data: data(1) }, limits);
        const r2 = await s.append('gift:1', { data: data(2), info: { user: 'u', client: 'c' } }, limits);
        assert.equal(r1.publication.offset, 1);
        assert.equal(r2.publication.offset, 2);
        assert.equal(r1.epoch, r2.epoch);
        assert.ok(r1.epoch.length > 0);
        assert.equal(r1.duplicate, false);
        const h = await s.read('gift:1', { limit: -1 }, meta);
        assert.deepEqual(h.position, { offset: 2, epoch: r1.epoch });
        assert.deepEqual(
          h.publications.map((p) => [p.offset, p.data]),
          [
            [1, data(1)],
            [2, data(2)],
          ],
        );
        assert.deepEqual(h.publications[1]?.info, { user: 'u', client: 'c' });
      });
    });

    it('serialises concurrent appends (no duplicate or skipped offset)', async () => {
      await withStore(async (s) => {
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => s.append('c', { data: data(i) }, { ...limits, size: 100 })),
        );
        const offsets = results.map((r) => r.publication.offset).sort((a, b) => a - b);
        assert.deepEqual(
          offsets,
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
      });
    });

    it('keeps streams of different channels apart', async () => {
      await withStore(async (s) => {
        await s.append('a', { data: data(1) }, limits);
        await s.append('a', { data: data(2) }, limits);
        const b = await s.append('b', { data: data(3) }, limits);
        assert.equal(b.publication.offset, 1);
        assert.equal((await s.read('a', { limit: 0 }, meta)).position.offset, 2);
      });
    });

    it('reads since an offset, with limit, and in reverse', async () => {
      await withStore(async (s) => {
        let epoch = '';
        for (let i = 1; i <= 8; i++) epoch = (await s.append('r', { data: data(i) }, limits)).epoch;
        const since = await s.read('r', { since: { offset: 5, epoch }, limit: -1 }, meta);
        assert.deepEqual(
          since.publications.map((p) => p.offset),
          [6, 7, 8],
        );
        const limited = await s.read('r', { since: { offset: 2, epoch }, limit: 2 }, meta);
        assert.deepEqual(
          limited.publications.map((p) => p.offset),
          [3, 4],
        );
        const top = await s.read('r', { since: { offset: 8, epoch }, limit: 10 }, meta);
        assert.deepEqual(top.publications, []);
        const rev = await s.read('r', { limit: 3, reverse: true }, meta);
        assert.deepEqual(
          rev.publications.map((p) => p.offset),
          [8, 7, 6],
        );
        const revSince = await s.read('r', { since: { offset: 4, epoch }, limit: 10, reverse: true }, meta);
        assert.deepEqual(
          revSince.publications.map((p) => p.offset),
          [3, 2, 1],
        );
        const posOnly = await s.read('r', { limit: 0 }, meta);
        assert.deepEqual(posOnly.publications, []);
        assert.equal(posOnly.position.offset, 8);
      });
    });

    it('trims by size but keeps the position', async () => {
      await withStore(async (s) => {
        for (let i = 1; i <= 15; i++) await s.append('t', { data: data(i) }, { ...limits, size: 5 });
        const h = await s.read('t', { limit: -1 }, meta);
        assert.equal(h.position.offset, 15);
        assert.deepEqual(
          h.publications.map((p) => p.offset),
          [11, 12, 13, 14, 15],
        );
      });
    });

    it('trims by age but keeps the position', async () => {
      await withStore(async (s) => {
        await s.append('ttl', { data: data(1) }, { ...limits, ttlMs: 1000 });
        await sleep(1300);
        await s.append('ttl', { data: data(2) }, { ...limits, ttlMs: 1000 });
        const h = await s.read('ttl', { limit: -1 }, meta);
        assert.equal(h.position.offset, 2);
        assert.deepEqual(
          h.publications.map((p) => p.offset),
          [2],
        );
        await sleep(1300);
        const later = await s.read('ttl', { limit: -1 }, meta);
        assert.deepEqual(later.publications, []);
        assert.equal(later.position.offset, 2);
      });
    });

    it('gives an unknown channel a position 0 and a stable epoch', async () => {
      await withStore(async (s) => {
        const a = await s.read('new', { limit: 0 }, meta);
        const b = await s.read('new', { limit: 0 }, meta);
        assert.equal(a.position.offset, 0);
        assert.equal(a.position.epoch, b.position.epoch);
        const r = await s.append('new', { data: data(1) }, limits);
        assert.equal(r.epoch, a.position.epoch);
      });
    });

    it('forgets a stream after its meta TTL and starts a new epoch', async () => {
      await withStore(async (s) => {
        const r = await s.append('m', { data: data(1) }, { ...limits, metaTtlMs: 1000 });
        await sleep(1300);
        const h = await s.read('m', { limit: -1 }, { metaTtlMs: 1000 });
        assert.equal(h.position.offset, 0);
        assert.notEqual(h.position.epoch, r.epoch);
      });
    });

    it('remove drops publications and keeps the position', async () => {
      await withStore(async (s) => {
        const r = await s.append('rm', { data: data(1) }, limits);
        await s.append('rm', { data: data(2) }, limits);
        await s.remove('rm');
        const h = await s.read('rm', { limit: -1 }, meta);
        assert.deepEqual(h.publications, []);
        assert.deepEqual(h.position, { offset: 2, epoch: r.epoch });
        const next = await s.append('rm', { data: data(3) }, limits);
        assert.equal(next.publication.offset, 3);
      });
    });

    it('honours idempotency keys', async () => {
      await withStore(async (s) => {
        const a = await s.append('i', { data: data(1) }, { ...limits, idempotencyKey: 'k1' });
        const b = await s.append('i', { data: data(1) }, { ...limits, idempotencyKey: 'k1' });
        const c = await s.append('i', { data: data(2) }, { ...limits, idempotencyKey: 'k2' });
        assert.equal(b.duplicate, true);
        assert.equal(b.publication.offset, a.publication.offset);
        assert.equal(c.publication.offset, 2);
        assert.equal((await s.read('i', { limit: -1 }, meta)).publications.length, 2);
      });
    });

    it('stores tags and time', async () => {
      await withStore(async (s) => {
        await s.append('tg', { data: data(1), tags: { kind: 'gift' }, time: 1_700_000_000_123 }, limits);
        const [p] = (await s.read('tg', { limit: 1 }, meta)).publications;
        assert.deepEqual(p?.tags, { kind: 'gift' });
        assert.equal(p?.time, 1_700_000_000_123);
      });
    });
  });
}
