// SPEC F4 on a Redis Cluster: two `roomcast serve` processes given only
// ROOMCAST_REDIS_CLUSTER_NODES (three private masters). Rooms' shard channels spread over the
// masters (sharded pub/sub), each gateway subscribes only the rooms it has viewers of, and a
// publication on either gateway reaches the viewers on both.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRedisAdapters } from '@roomcast/redis';
import { redisServerSkipReason } from '@roomcast/redis/testing';
import { waitFor } from '@roomcast/server/testing';
import { Fleet, type Gateway } from './fixtures/fleet.ts';
import { Viewer } from './fixtures/viewer.ts';

const skip = redisServerSkipReason();
const ROOMS = Array.from({ length: 6 }, (_, i) => `gift:cluster-${i}`);

describe('gateways on a Redis Cluster', { skip, timeout: 90_000 }, () => {
  it('routes rooms over three masters and delivers across gateways', async (t) => {
    const fleet = new Fleet('cluster');
    const viewers: Viewer[] = [];
    t.after(async () => {
      for (const v of viewers) v.stop();
      await fleet.stop();
    });
    const cluster = await fleet.privateCluster();
    const [a, b] = (await fleet.startMany(2, {}, 'c')) as [Gateway, Gateway];
    assert.match(a.output(), /Redis cluster .*\(sharded pub\/sub\)/, 'cluster mode with sharded pub/sub');

    // Every room has a viewer on a; rooms 0..2 also on b.
    for (const [i, room] of ROOMS.entries()) {
      viewers.push(new Viewer({ url: a.wsUrl, channel: room }));
      if (i < 3) viewers.push(new Viewer({ url: b.wsUrl, channel: room }));
    }
    await Promise.all(viewers.map((v) => v.start()));

    // One plain connection per master: PUBSUB SHARDNUMSUB/SHARDCHANNELS answer for the node they
    // are sent to (a master that does not own the channel's slot says 0), so sum over masters.
    const masters = await Promise.all(
      cluster.urls.map((url) => createRedisAdapters({ url, prefix: fleet.prefix, onError: () => undefined })),
    );
    t.after(() => Promise.all(masters.map((m) => m.close())));
    const onMasters = async (args: string[]): Promise<unknown[]> =>
      Promise.all(masters.map((m) => m.commands.send(undefined, args)));
    for (const [i, room] of ROOMS.entries()) {
      const bus = masters[0]!.keys.busChannel(room);
      const counts = (await onMasters(['PUBSUB', 'SHARDNUMSUB', bus])).map((r) =>
        Number((r as unknown[])[1]),
      );
      assert.equal(counts.filter((n) => n > 0).length, 1, `${room} lives on one master: ${counts.join('/')}`);
      assert.equal(
        counts.reduce((x, y) => x + y, 0),
        i < 3 ? 2 : 1,
        `${room}: only the gateways with viewers subscribe`,
      );
    }
    const perMaster = (await onMasters(['PUBSUB', 'SHARDCHANNELS', `${fleet.prefix}b:*`])).map(
      (r) => (r as unknown[]).length,
    );
    assert.equal(
      perMaster.reduce((x, y) => x + y, 0),
      ROOMS.length,
    );
    assert.ok(
      perMaster.filter((n) => n > 0).length >= 2,
      `rooms spread over masters: ${perMaster.join('/')}`,
    );

    let id = 0;
    const acked = new Map<string, number[]>();
    for (const gw of [a, b]) {
      for (const room of ROOMS) {
        const r = await gw.api('publish', { channel: room, data: { id: ++id } });
        assert.equal(typeof r.body.result?.['offset'], 'number', JSON.stringify(r));
        acked.set(room, [...(acked.get(room) ?? []), id]);
      }
    }
    await waitFor(() => viewers.every((v) => v.missing(acked.get(v.channel) ?? []).length === 0), {
      timeoutMs: 10_000,
      what: 'every publication at every viewer',
    });
    assert.deepEqual(
      viewers.flatMap((v) => v.silentGaps),
      [],
    );
    process.stdout.write(
      `redis cluster: rooms per master ${perMaster.join('/')}, ${id} gifts to ${viewers.length} viewers\n`,
    );
  });
});
