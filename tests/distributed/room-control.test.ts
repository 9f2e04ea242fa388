// Room control across `roomcast serve` processes: a mute or a room rate setting sent to one
// gateway's API travels as a control message over Redis and is applied by every gateway (each
// keeps the room's state in its own memory). Per-room publish limits are counted per gateway.
// User online status is cluster-wide (marks in Redis).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Centrifuge } from 'centrifuge';
import { redisSkipReason } from '@roomcast/redis/testing';
import { waitFor } from '@roomcast/server/testing';
import { connectToken, HMAC_SECRET, once, sdkClient } from '../helpers/harness.ts';
import { Fleet, type Gateway } from './fixtures/fleet.ts';

const skip = await redisSkipReason();

/** The error code of a client publish, or 0 when it was accepted. */
async function publishCode(c: Centrifuge, channel: string, text: string): Promise<number> {
  try {
    await c.publish(channel, { type: 'chat', text });
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe('room control across gateways', { skip, timeout: 60_000 }, () => {
  it('a mute sent to one gateway applies on the others; room rates count per gateway', async (t) => {
    const fleet = new Fleet('control');
    t.after(() => fleet.stop());
    const [a, b] = (await fleet.startMany(2, { env: { ROOMCAST_TOKEN_HMAC_SECRET: HMAC_SECRET } }, 'r')) as [
      Gateway,
      Gateway,
    ];
    const connect = async (gw: Gateway, user: string): Promise<Centrifuge> => {
      const c = sdkClient(gw.wsUrl, { token: await connectToken({ sub: user }) }, true);
      t.after(() => c.disconnect());
      const up = once(c, 'connected');
      c.connect();
      await up;
      return c;
    };
    const aliceOnB = await connect(b, 'alice');
    assert.equal(await publishCode(aliceOnB, 'live:ctl', 'hello'), 0);
    // Online status is cluster-wide: alice, connected to b, is online when asked through a.
    await waitFor(
      async () => {
        const st = await a.api('user_status', { users: ['alice', 'nobody'] });
        const statuses = st.body.result?.['statuses'] as Array<{ user: string; online: boolean }> | undefined;
        return statuses?.map((x) => `${x.user}:${x.online}`).join() === 'alice:true,nobody:false';
      },
      { timeoutMs: 5000, intervalMs: 200, what: 'alice online through a' },
    );

    const r = await a.api('room_mute', { room: 'ctl', user: 'alice' });
    assert.deepEqual(r.body, { result: {} });
    await waitFor(async () => (await publishCode(aliceOnB, 'live:ctl', 'still here?')) === 420, {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'alice muted on b by a mute sent to a',
    });
    const aliceOnA = await connect(a, 'alice');
    assert.equal(await publishCode(aliceOnA, 'live:ctl', 'and here?'), 420, 'muted on a too');
    await b.api('room_unmute', { room: 'ctl', user: 'alice' });
    await waitFor(async () => (await publishCode(aliceOnA, 'live:ctl', 'back')) === 0, {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'unmute sent to b lifts it on a',
    });

    // publish_rate 2/s for the room, set through a: each gateway admits its own 2 per second.
    await a.api('room_settings', { room: 'rate', publish_rate: 2, user_rate: 100, user_burst: 100 });
    const users = await Promise.all([connect(a, 'u1'), connect(b, 'u2')]);
    await waitFor(
      async () => {
        const codes = await Promise.all(
          users.flatMap((c) => [1, 2, 3].map((i) => publishCode(c, 'live:rate', `m${i}`))),
        );
        // Per gateway: 2 accepted, the third refused with 424 (room rate).
        return codes.filter((x) => x === 0).length === 4 && codes.filter((x) => x === 424).length === 2;
      },
      { timeoutMs: 10_000, intervalMs: 1200, what: 'room rate applied per gateway (2 + 2 accepted)' },
    );
  });
});
