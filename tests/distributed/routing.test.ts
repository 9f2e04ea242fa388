// SPEC F4 routing on three `roomcast serve` processes sharing Redis: a publication made on any
// gateway reaches the viewers on every gateway, and a gateway is subscribed to a room's bus
// channel only while it has viewers of that room (checked in Redis itself with PUBSUB
// SHARDNUMSUB, or NUMSUB for plain pub/sub), dropping to 0 once they left.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisSkipReason } from '@roomcast/redis/testing';
import { waitFor } from '@roomcast/server/testing';
import { Fleet, infoNodes, type Gateway } from './fixtures/fleet.ts';
import { Viewer } from './fixtures/viewer.ts';

const skip = await redisSkipReason();

describe('routing across three gateways', { skip, timeout: 90_000 }, () => {
  for (const mode of ['sharded', 'plain'] as const) {
    it(`reaches every gateway's viewers and subscribes only gateways with viewers (${mode} pub/sub)`, async (t) => {
      const fleet = new Fleet(`route-${mode}`);
      const viewers: Viewer[] = [];
      t.after(async () => {
        for (const v of viewers) v.stop();
        await fleet.stop();
      });
      const args = [`--redis.pubsub=${mode}`];
      const [[a, b], c] = await Promise.all([
        fleet.startMany(2, { args }, mode) as Promise<[Gateway, Gateway]>,
        // As on another host: c announces the URL clients reach it by.
        fleet.start({ args, name: `${mode}2`, publicHost: 'gw-c.example.internal' }),
      ]);
      assert.match(a.output(), new RegExp(`\\(${mode} pub/sub\\)`), 'the gateway uses the asked flavour');
      const redis = await fleet.admin();
      /** Subscribers Redis counts on a roomcast channel's bus channel. */
      const busSubscribers = async (channel: string): Promise<number> => {
        const name = redis.keys.busChannel(channel);
        const reply = await redis.commands.send(name, [
          'PUBSUB',
          mode === 'sharded' ? 'SHARDNUMSUB' : 'NUMSUB',
          name,
        ]);
        assert.ok(Array.isArray(reply) && reply[0] === name, `PUBSUB reply ${JSON.stringify(reply)}`);
        return Number(reply[1]);
      };
      const viewer = async (gw: Gateway, channel: string): Promise<Viewer> => {
        const v = new Viewer({ url: gw.wsUrl, channel });
        viewers.push(v);
        await v.start();
        return v;
      };
      let nextId = 1;
      const publish = async (gw: Gateway, channel: string): Promise<number> => {
        const id = nextId++;
        const r = await gw.api('publish', { channel, data: { id, room: channel } });
        assert.ok(
          r.status === 200 && r.body.error === undefined,
          `publish via ${gw.name}: ${JSON.stringify(r)}`,
        );
        return id;
      };

      await waitFor(async () => (await infoNodes(a)).length === 3, {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: 'info lists the three nodes',
      });
      const announced = `ws://gw-c.example.internal:${c.port}`;
      assert.equal((await infoNodes(a)).find((n) => n.name === c.name)?.url, announced);
      const entry = (await (await fetch(`${b.httpUrl}/entry?count=10`)).json()) as {
        nodes: Array<{ url: string }>;
      };
      assert.ok(
        entry.nodes.some((n) => n.url === `${announced}/connection/websocket`),
        `the entry scheduler hands out c's public URL: ${JSON.stringify(entry)}`,
      );

      // One viewer of gift:everywhere on each gateway; a publication on each gateway reaches all.
      const all = [
        await viewer(a, 'gift:everywhere'),
        await viewer(b, 'gift:everywhere'),
        await viewer(c, 'gift:everywhere'),
      ];
      assert.equal(await busSubscribers('gift:everywhere'), 3);
      for (const gw of [a, b, c]) {
        const id = await publish(gw, 'gift:everywhere');
        await waitFor(() => all.every((v) => v.idSet.has(id)), {
          timeoutMs: 5000,
          what: `gift ${id} published via ${gw.name} on all three gateways`,
        });
      }

      // Viewers of gift:ab only on a (two) and b (one): Redis counts two subscribers, and c,
      // which has none, still publishes to them.
      const ab = [await viewer(a, 'gift:ab'), await viewer(a, 'gift:ab'), await viewer(b, 'gift:ab')];
      assert.equal(await busSubscribers('gift:ab'), 2, 'only the two gateways with viewers subscribe');
      const id = await publish(c, 'gift:ab');
      await waitFor(() => ab.every((v) => v.idSet.has(id)), { timeoutMs: 5000, what: 'gift:ab via c' });
      assert.ok(
        all.every((v) => !v.idSet.has(id)),
        'other rooms get nothing',
      );

      // The lossy live: namespace routes the same way (a viewer on c only).
      const live = await viewer(c, 'live:only-c');
      assert.equal(await busSubscribers('live:only-c'), 1);
      const liveId = await publish(a, 'live:only-c');
      await waitFor(() => live.idSet.has(liveId), { timeoutMs: 5000, what: 'live:only-c via a' });

      // The last local viewer leaving unsubscribes the gateway from the room.
      ab[2]?.stop();
      await waitFor(async () => (await busSubscribers('gift:ab')) === 1, {
        timeoutMs: 5000,
        intervalMs: 50,
        what: 'b unsubscribed after its last viewer left',
      });
      ab[0]?.stop();
      assert.equal(await busSubscribers('gift:ab'), 1, 'a still has a viewer');
      ab[1]?.stop();
      live.stop();
      await waitFor(
        async () => (await busSubscribers('gift:ab')) === 0 && (await busSubscribers('live:only-c')) === 0,
        { timeoutMs: 5000, intervalMs: 50, what: 'no gateway subscribed once every viewer left' },
      );
      assert.equal(await busSubscribers('gift:everywhere'), 3, 'rooms with viewers stay routed');
    });
  }
});
