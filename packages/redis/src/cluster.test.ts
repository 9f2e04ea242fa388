// Bus and HistoryStore against a real 3-master Redis Cluster started for this file, plus the
// sharding check: shard channels (and each channel's keys) spread over the masters, and every
// key of a channel shares its shard channel's slot, whatever the channel name contains.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from 'redis';
import type { BusHandler, BusMessage } from '@roomcast/server';
import { busContract, historyContract, sleep, uniquePrefix, waitFor } from '@roomcast/server/testing';
import { createRedisAdapters, type RedisAdapters } from './adapters.ts';
import { replyStrings } from './lua.ts';
import { TestRedisCluster } from './testing/redis-cluster.ts';
import { deleteKeysByPrefix } from './testing/redis-env.ts';
import { rawCommand, redisServerSkipReason } from './testing/redis-server.ts';

const skip = redisServerSkipReason();

describe('redis adapters on a Redis Cluster (3 masters)', { skip, timeout: 120_000 }, () => {
  let cluster: TestRedisCluster | undefined;
  const urls = (): string[] => {
    if (!cluster) throw new Error('cluster not started');
    return cluster.urls;
  };

  async function clusterAdapters(
    tag: string,
  ): Promise<{ adapters: RedisAdapters; cleanup: () => Promise<void> }> {
    const prefix = uniquePrefix(`redis-cluster-${tag}`);
    const adapters = await createRedisAdapters({ cluster: { rootNodes: urls() }, prefix, onError: () => {} });
    return {
      adapters,
      cleanup: async () => {
        await adapters.close();
        for (const url of urls()) await deleteKeysByPrefix(url, prefix);
      },
    };
  }

  before(async () => {
    cluster = await TestRedisCluster.start(3);
  });

  after(async () => {
    await cluster?.stop();
  });

  busContract('redis cluster', async () => {
    const t = await clusterAdapters('bus');
    assert.equal(t.adapters.sharded, true);
    return { bus: t.adapters.bus, cleanup: t.cleanup };
  });

  historyContract('redis cluster', async () => {
    const t = await clusterAdapters('history');
    return { store: t.adapters.history, cleanup: t.cleanup };
  });

  it('spreads channels over the masters, keeping each channel on one slot', async () => {
    const { adapters, cleanup } = await clusterAdapters('spread');
    const got: Array<{ channel: string; msg: BusMessage }> = [];
    const handler: BusHandler = { onMessage: (channel, msg) => got.push({ channel, msg }), onControl() {} };
    const ep = await adapters.bus.attach(handler);
    const masters = urls().map((url) => createClient({ url }));
    try {
      const channels = Array.from(
        { length: 24 },
        (_, i) => [`gift:房间 ${i}`, `user:{${i}}`, `live:a b:c}{${i}`, `%7B${i}`][i % 4] ?? '',
      );
      for (const ch of channels) await ep.subscribe(ch);
      for (const ch of channels)
        await adapters.history.append(
          ch,
          { data: JSON.stringify(ch) },
          {
            size: 10,
            ttlMs: 0,
            metaTtlMs: 60_000,
            idempotencyKey: 'k',
          },
        );
      await waitFor(() => got.length === channels.length, { what: 'one publication per channel' });
      assert.deepEqual(got.map((g) => g.channel).sort(), [...channels].sort());

      // Which master holds each shard channel subscription and each key.
      for (const m of masters) {
        m.on('error', () => undefined);
        await m.connect();
      }
      const owner = new Map<string, number>();
      const perMaster: number[] = [];
      for (const [i, m] of masters.entries()) {
        const subs = replyStrings(
          await m.sendCommand(['PUBSUB', 'SHARDCHANNELS', `${adapters.keys.prefix}*`]),
          'PUBSUB SHARDCHANNELS',
        );
        perMaster.push(subs.length);
        for (const s of subs) {
          assert.equal(owner.has(s), false, `${s} subscribed on two masters`);
          owner.set(s, i);
        }
      }
      assert.ok(
        perMaster.filter((n) => n > 0).length >= 2,
        `shard channels per master: ${perMaster.join(', ')}`,
      );
      for (const ch of channels) {
        const home = owner.get(adapters.keys.busChannel(ch));
        assert.notEqual(home, undefined, `${ch} has a shard subscription`);
        const keys = [
          adapters.keys.historyMeta(ch),
          adapters.keys.historyStream(ch),
          adapters.keys.idempotency(ch, 'k'),
        ];
        for (const key of keys) {
          const where = await Promise.all(masters.map((m) => m.sendCommand(['EXISTS', key]).catch(() => 0)));
          assert.deepEqual(
            where.map((n) => n === 1),
            masters.map((_, i) => i === home),
            `${key} lives with ${ch}'s shard channel`,
          );
        }
        const slots = await Promise.all(
          [adapters.keys.busChannel(ch), ...keys].map((k) =>
            adapters.commands.send(k, ['CLUSTER', 'KEYSLOT', k]),
          ),
        );
        assert.equal(new Set(slots).size, 1, `one slot for ${ch}: ${slots.join(', ')}`);
      }
    } finally {
      for (const m of masters) m.destroy();
      await ep.close();
      await cleanup();
    }
  });

  it('resubscribes and resets after CLIENT KILL TYPE pubsub on every master', async () => {
    const { adapters, cleanup } = await clusterAdapters('kill');
    const got: string[] = [];
    let resets = 0;
    const ep = await adapters.bus.attach({
      onMessage: (channel) => got.push(channel),
      onControl() {},
      onReset: () => resets++,
    });
    try {
      const channels = Array.from({ length: 12 }, (_, i) => `gift:k${i}`);
      for (const ch of channels) await ep.subscribe(ch);
      let killed = 0;
      for (const n of cluster?.nodes ?? []) {
        const r = await rawCommand(n.port, 'CLIENT KILL TYPE pubsub');
        killed += Number(/^:(\d+)/.exec(r)?.[1] ?? 0);
      }
      assert.ok(killed >= 2, `killed ${killed} subscriber connections`);
      await waitFor(() => resets >= 1, { timeoutMs: 10_000, what: 'onReset after CLIENT KILL' });
      // Every channel flows again, without subscribing anew (retry: masters reconnect one by one).
      await waitFor(
        async () => {
          got.length = 0;
          await Promise.all(
            channels.map((ch) => ep.publish(ch, { type: 'pub', pub: { offset: 0, data: '1' } })),
          );
          await sleep(150);
          return channels.every((ch) => got.includes(ch));
        },
        { timeoutMs: 10_000, intervalMs: 50, what: 'all channels flowing after the kill' },
      );
    } finally {
      await ep.close();
      await cleanup();
    }
  });
});
