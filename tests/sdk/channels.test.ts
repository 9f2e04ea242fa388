// Subscribing, publishing (HTTP API and client), history, presence, server-side subscription
// management, several devices of one user and subscription tokens, all through the official SDK.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Centrifuge, Subscription } from 'centrifuge';
import {
  connectToken,
  HMAC_SECRET,
  once,
  sdkClient,
  startServer,
  waitFor,
  type TestServer,
} from '../helpers/harness.ts';
import { SignJWT } from 'jose';

type Pub = { data: unknown; offset?: number; info?: { user: string } };

async function connected(s: TestServer, user?: string): Promise<Centrifuge> {
  const c = sdkClient(
    s.wsUrl,
    user === undefined ? {} : { token: await connectToken({ sub: user }, { expiresInSeconds: 3600 }) },
  );
  const p = once(c, 'connected');
  c.connect();
  await p;
  return c;
}

async function subscribed(
  c: Centrifuge,
  channel: string,
  opts: Record<string, unknown> = {},
): Promise<{ sub: Subscription; pubs: Pub[] }> {
  const sub = c.newSubscription(channel, opts);
  const pubs: Pub[] = [];
  sub.on('publication', (ctx) => pubs.push(ctx as Pub));
  const p = once(sub, 'subscribed');
  sub.subscribe();
  await p;
  return { sub, pubs };
}

const sign = (claims: Record<string, unknown>): Promise<string> =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(HMAC_SECRET));

describe('channels', () => {
  it('delivers API publications to subscribers in order, with offsets on gift:', async () => {
    const s = await startServer();
    const a = await subscribed(await connected(s), 'gift:room1');
    const b = await subscribed(await connected(s), 'gift:room1');
    for (let i = 1; i <= 20; i++) {
      const r = await s.api('publish', { channel: 'gift:room1', data: { gift: 'rose', n: i } });
      assert.deepEqual(r.body.result?.['offset'], i);
    }
    await waitFor(() => a.pubs.length === 20 && b.pubs.length === 20, { what: '20 publications each' });
    assert.deepEqual(
      a.pubs.map((p) => [(p.data as { n: number }).n, p.offset]),
      Array.from({ length: 20 }, (_, i) => [i + 1, i + 1]),
    );
  });

  it('lets an authenticated user publish danmaku on live: and refuses anonymous publish with 103', async () => {
    const s = await startServer();
    const viewer = await subscribed(await connected(s), 'live:r1');
    const alice = await connected(s, 'alice');
    await alice.publish('live:r1', { text: '你好 👋' });
    await waitFor(() => viewer.pubs.length === 1, { what: 'danmaku' });
    assert.deepEqual(viewer.pubs[0]?.data, { text: '你好 👋' });
    assert.equal(viewer.pubs[0]?.info?.user, 'alice');
    const anon = await connected(s);
    await assert.rejects(anon.publish('live:r1', { text: 'x' }), (e: { code: number }) => e.code === 103);
    await assert.rejects(alice.publish('gift:r1', { gift: 'free' }), (e: { code: number }) => e.code === 103);
  });

  it('answers history with publications, limits and reverse', async () => {
    const s = await startServer();
    for (let i = 1; i <= 5; i++) await s.api('publish', { channel: 'gift:h', data: { n: i } });
    const { sub } = await subscribed(await connected(s), 'gift:h');
    const h = await sub.history({ limit: 3 });
    assert.deepEqual(
      h.publications.map((p) => (p.data as { n: number }).n),
      [1, 2, 3],
    );
    assert.equal(h.offset, 5);
    const rev = await sub.history({ limit: 2, reverse: true });
    assert.deepEqual(
      rev.publications.map((p) => p.offset),
      [5, 4],
    );
    const api = await s.api('history', { channel: 'gift:h', limit: 2, since: { offset: 3, epoch: h.epoch } });
    assert.deepEqual(
      (api.body.result?.['publications'] as Array<{ offset: number }>).map((p) => p.offset),
      [4, 5],
    );
    const badEpoch = await s.api('history', {
      channel: 'gift:h',
      limit: 2,
      since: { offset: 3, epoch: 'nope' },
    });
    assert.equal(badEpoch.body.error?.code, 112);
  });

  it('reports presence and presence stats, anonymous counted as one user', async () => {
    const s = await startServer();
    const a = await subscribed(await connected(s, 'ann'), 'live:p');
    await subscribed(await connected(s), 'live:p');
    await subscribed(await connected(s), 'live:p');
    await waitFor(async () => (await a.sub.presenceStats()).numClients === 3, { what: 'presence' });
    assert.deepEqual(await a.sub.presenceStats(), { numClients: 3, numUsers: 2 });
    const p = await a.sub.presence();
    const users = Object.values(p.clients)
      .map((c) => c.user)
      .sort();
    assert.deepEqual(users, ['', '', 'ann']);
    const api = await s.api('presence_stats', { channel: 'live:p' });
    assert.deepEqual(api.body.result, { num_clients: 3, num_users: 2 });
  });

  it('delivers user:<id> to every device of that user and to nobody else', async () => {
    const s = await startServer();
    const phone = await subscribed(await connected(s, '42'), 'user:42');
    const laptop = await subscribed(await connected(s, '42'), 'user:42');
    const other = await connected(s, '43');
    const denied = other.newSubscription('user:42');
    const unsub = once<{ code: number }>(denied, 'unsubscribed');
    denied.subscribe();
    assert.equal((await unsub).code, 103);
    await s.api('publish', { channel: 'user:42', data: { dm: 'hi' } });
    await waitFor(() => phone.pubs.length === 1 && laptop.pubs.length === 1, { what: 'both devices' });
  });

  it('subscribes, unsubscribes and disconnects sessions through the server API', async () => {
    const s = await startServer();
    const c = await connected(s, 'u7');
    const serverPubs: unknown[] = [];
    c.on('publication', (ctx) => serverPubs.push(ctx.data));
    const subscribedEv = once<{ channel: string }>(c, 'subscribed');
    assert.deepEqual((await s.api('subscribe', { user: 'u7', channel: 'gift:srv' })).body, { result: {} });
    assert.equal((await subscribedEv).channel, 'gift:srv');
    await s.api('publish', { channel: 'gift:srv', data: { x: 1 } });
    await waitFor(() => serverPubs.length === 1, { what: 'server-side publication' });
    const unsubscribedEv = once<{ channel: string }>(c, 'unsubscribed');
    await s.api('unsubscribe', { user: 'u7', channel: 'gift:srv' });
    assert.equal((await unsubscribedEv).channel, 'gift:srv');

    const own = await subscribed(c, 'live:x');
    const unsubPush = once<{ code: number }>(own.sub, 'unsubscribed');
    await s.api('unsubscribe', { user: 'u7', channel: 'live:x' });
    assert.equal((await unsubPush).code, 2000);

    const disconnected = once<{ code: number }>(c, 'disconnected');
    await s.api('disconnect', { user: 'u7' });
    assert.equal((await disconnected).code, 3503);
  });

  it('reconnects after a 3xxx reconnect code and stays down after a 35xx code', async () => {
    const s = await startServer();
    const c = await connected(s, 'r1');
    const reconnecting = once<{ code: number }>(c, 'connecting');
    await s.api('disconnect', { user: 'r1', disconnect: { code: 3011, reason: 'force reconnect' } });
    assert.equal((await reconnecting).code, 3011);
    await once(c, 'connected');
    const down = once<{ code: number }>(c, 'disconnected');
    await s.api('disconnect', { user: 'r1', disconnect: { code: 3503, reason: 'bye' } });
    assert.equal((await down).code, 3503);
    assert.equal(c.state, 'disconnected');
  });

  it('requires a subscription token where the namespace says nobody may subscribe', async () => {
    const s = await startServer({
      namespaces: [{ name: 'vip', subscribe: 'nobody', historySize: 10, recovery: true }],
    });
    const c = await connected(s, 'v1');
    await subscribed(c, 'vip:room', { token: await sign({ sub: 'v1', channel: 'vip:room' }) });
    const noToken = c.newSubscription('vip:other');
    const refused = once<{ code: number }>(noToken, 'unsubscribed');
    noToken.subscribe();
    assert.equal((await refused).code, 103);
    const badSig = c.newSubscription('vip:bad', {
      token: await connectToken({ sub: 'v1', channel: 'vip:bad' }, { secret: 'x'.repeat(40) }),
    });
    const badRefused = once<{ code: number }>(badSig, 'unsubscribed');
    badSig.subscribe();
    assert.equal((await badRefused).code, 103);
    const wrongChannel = c.newSubscription('vip:third', {
      token: await sign({ sub: 'v1', channel: 'vip:room' }),
    });
    const gone = once<{ code: number }>(c, 'disconnected');
    wrongChannel.subscribe();
    assert.equal((await gone).code, 3500);
  });

  it('returns server-side subscriptions from the connection token and recovers them on reconnect', async () => {
    const s = await startServer();
    const token = await connectToken({ sub: 'tv', channels: ['gift:tok'] }, { expiresInSeconds: 3600 });
    const c = sdkClient(s.wsUrl, { token, minReconnectDelay: 800, maxReconnectDelay: 900 });
    const pubs: number[] = [];
    c.on('publication', (ctx) => pubs.push((ctx.data as { n: number }).n));
    const sub = once<{ channel: string }>(c, 'subscribed');
    c.connect();
    assert.equal((await sub).channel, 'gift:tok');
    await s.api('publish', { channel: 'gift:tok', data: { n: 1 } });
    await waitFor(() => pubs.length === 1);
    const resubscribed = new Promise<{ recovered: boolean }>((resolve) =>
      c.on('subscribed', (ctx) => resolve(ctx as unknown as { recovered: boolean })),
    );
    await s.api('disconnect', { user: 'tv', disconnect: { code: 3011, reason: 'force reconnect' } });
    await s.api('publish', { channel: 'gift:tok', data: { n: 2 } });
    await s.api('publish', { channel: 'gift:tok', data: { n: 3 } });
    assert.equal((await resubscribed).recovered, true);
    await waitFor(() => pubs.length === 3, { what: 'recovered server-side publications' });
    assert.deepEqual(pubs, [1, 2, 3]);
  });
});
