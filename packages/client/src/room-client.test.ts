// The helper against real roomcast servers in this process (port 0, room engine on), with the
// official SDK over `ws`: chat and de-duplication, counts, online counts (pushed, and the
// presence fallback), gifts through a transport and their recovery after a reconnect, errors
// from real server replies (mute, rates, size), kick/ban/close, the user channel.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { createServer, DEFAULT_NAMESPACES, type RoomcastServer } from '@roomcast/server';
import { waitFor, sleep } from '@roomcast/server/testing';
import { httpGiftTransport } from './gift-transport.ts';
import { RoomClient, tokenUser, type RoomClientOptions, type StatusEvent } from './room-client.ts';
import type { ChatEvent, GiftEvent, Room, RoomEvents } from './room.ts';
import { RoomError } from './errors.ts';

const SECRET = 'client-test-secret-long-enough-for-hs256';
const API_KEY = 'client-test-key';

let server: RoomcastServer;
let base: string;
let wsUrl: string;
/** A server whose room engine pushes no online counts: the presence fallback's case. */
let quiet: RoomcastServer;
let quietWsUrl: string;
/** A server whose rooms always wait for the batch window, so identical lines get merged. */
let batching: RoomcastServer;
let batchingWsUrl: string;
const clients: RoomClient[] = [];

async function start(
  live: Record<string, unknown>,
): Promise<{ server: RoomcastServer; wsUrl: string; base: string }> {
  const s = createServer({
    config: {
      api: { key: API_KEY },
      token: { hmacSecret: SECRET },
      client: { allowAnonymous: true },
      demo: { enabled: true },
      log: { level: 'silent' },
      namespaces: DEFAULT_NAMESPACES.map((n) =>
        n.name === 'live' ? { ...n, room: { ...n.room, ...live } } : n,
      ),
    },
  });
  const l = await s.listen(0, '127.0.0.1');
  return { server: s, wsUrl: l.websocketUrl, base: `http://127.0.0.1:${l.port}` };
}

before(async () => {
  // Online counts pushed every second (default 5) to keep the test short.
  ({ server, wsUrl, base } = await start({ onlineIntervalSeconds: 1 }));
  ({ server: quiet, wsUrl: quietWsUrl } = await start({ onlineIntervalSeconds: 0 }));
  ({ server: batching, wsUrl: batchingWsUrl } = await start({
    smallRoomViewers: 0,
    largeRoomViewers: 1,
    windowMs: 400,
  }));
});

after(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all([
    server.close({ timeoutMs: 2000 }),
    quiet.close({ timeoutMs: 2000 }),
    batching.close({ timeoutMs: 2000 }),
  ]);
});

const token = (id: string, name = id): Promise<string> =>
  new SignJWT({ sub: id, info: { name } })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));

async function api(method: string, params: unknown): Promise<{ result?: unknown; error?: unknown }> {
  const res = await fetch(`${base}/api/${method}`, {
    method: 'POST',
    headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return (await res.json()) as { result?: unknown; error?: unknown };
}

/** A connected RoomClient (named when `user` is given), disconnected after the file. */
async function client(user?: string, opts: Partial<RoomClientOptions> = {}): Promise<RoomClient> {
  const t = user !== undefined ? await token(user, user[0]?.toUpperCase() + user.slice(1)) : undefined;
  const c = new RoomClient({
    url: wsUrl,
    websocket: WebSocket,
    ...(t !== undefined ? { token: t } : {}),
    onlinePollMs: 0,
    sdk: { minReconnectDelay: 100, maxReconnectDelay: 300 },
    ...opts,
  });
  clients.push(c);
  c.connect();
  await waitFor(() => c.connected, { what: `${user ?? 'anonymous'} connected` });
  return c;
}

function collect<K extends keyof RoomEvents>(room: Room, event: K): Array<RoomEvents[K]> {
  const out: Array<RoomEvents[K]> = [];
  room.on(event, (e) => out.push(e));
  return out;
}

async function joined(c: RoomClient, id: string): Promise<Room> {
  const r = c.joinRoom(id);
  await waitFor(() => r.ready, { what: `joined ${id}` });
  return r;
}

describe('RoomClient against a real server', () => {
  it('delivers chat both ways and emits the sender its own line once', async () => {
    const alice = await client('alice');
    const bob = await client('bob');
    const ra = await joined(alice, 'chat1');
    const rb = await joined(bob, 'chat1');
    const aChats = collect(ra, 'chat');
    const bChats = collect(rb, 'chat');
    const sent = await ra.sendChat('  主播好  ');
    assert.equal(sent.text, '主播好');
    assert.equal(sent.self, true);
    await waitFor(() => bChats.length === 1, { what: 'bob gets the line' });
    assert.deepEqual(bChats[0], {
      id: sent.id,
      text: '主播好',
      count: 1,
      user: { id: 'alice', name: 'Alice' },
      self: false,
    });
    await rb.sendChat('hi alice');
    await waitFor(() => aChats.length === 2, { what: 'alice gets bob' });
    await sleep(150); // the echo of alice's own line has long arrived by now
    assert.deepEqual(
      aChats.map((c: ChatEvent) => [c.text, c.self]),
      [
        ['主播好', true],
        ['hi alice', false],
      ],
    );
  });

  it('shows a merged line ("666" ×2) as the crowd\'s, next to the sender\'s own line', async () => {
    const alice = await client('alice', { url: batchingWsUrl });
    const bob = await client('bob', { url: batchingWsUrl });
    const [ra, rb] = [await joined(alice, 'merge1'), await joined(bob, 'merge1')];
    const watcher = await joined(await client(undefined, { url: batchingWsUrl }), 'merge1');
    const [aChats, wChats] = [collect(ra, 'chat'), collect(watcher, 'chat')];
    await Promise.all([ra.sendChat('666'), rb.sendChat('666')]);
    await waitFor(() => wChats.length === 1 && aChats.length === 2, { timeoutMs: 3000, what: 'merged line' });
    assert.deepEqual(
      wChats.map((c) => [c.text, c.count, c.id, c.self]),
      [['666', 2, undefined, false]],
    );
    assert.deepEqual(
      aChats.map((c) => [c.text, c.count, c.self]),
      [
        ['666', 1, true],
        ['666', 2, false],
      ],
    );
  });

  it('counts likes and entries in raw and merged forms, and aggregates like taps', async () => {
    // Observers are anonymous, so that the room engine (when running) announces no entry of theirs.
    const bob = await client('bob');
    const rb = await joined(bob, 'likes1');
    const ra = await joined(await client(), 'likes1');
    const likes = collect(ra, 'likes');
    const entries = collect(ra, 'entries');
    const before = server.node.stats.publicationsIn.client;
    await Promise.all([rb.like(), rb.like(), rb.like(2)]);
    await waitFor(() => ra.likes === 4, { what: '4 likes' });
    assert.equal(server.node.stats.publicationsIn.client - before, 1, 'three taps went out as one publish');
    assert.deepEqual(likes[0], { added: 4, total: 4 });
    const entries0 = ra.entries;
    await api('publish', { channel: 'live:likes1', data: { type: 'likes', count: 1203 } });
    await api('publish', { channel: 'live:likes1', data: { type: 'entry', user: { id: '7', name: 'Ann' } } });
    await api('publish', {
      channel: 'live:likes1',
      data: { type: 'entries', count: 38, users: [{ id: '8', name: 'Bo' }] },
    });
    await waitFor(() => ra.entries >= entries0 + 39 && ra.likes >= 1207, { what: 'entries and likes' });
    await sleep(100);
    assert.equal(ra.likes, 1207);
    assert.equal(ra.entries, entries0 + 39);
    assert.equal(likes.at(-1)?.total, 1207);
    assert.equal(entries.at(-1)?.total, ra.entries);
    const names = entries.flatMap((e) => e.users.map((u) => u.name));
    assert.ok(names.includes('Ann') && names.includes('Bo'), names.join());
  });

  it('counts online viewers from presence when the server pushes no counts', async () => {
    const alice = await client('alice', { url: quietWsUrl, onlinePollMs: 100 });
    const ra = alice.joinRoom('online1');
    const online = collect(ra, 'online');
    await waitFor(() => ra.online === 1, { what: 'online 1' });
    const bob = await client('bob', { url: quietWsUrl });
    await joined(bob, 'online1');
    await waitFor(() => ra.online === 2, { what: 'online 2' });
    bob.disconnect();
    await waitFor(() => ra.online === 1, { what: 'back to 1' });
    assert.ok(online.every((o) => o.source === 'presence'));
  });

  it('takes pushed online counts over presence once they come', async () => {
    const alice = await client('alice', { onlinePollMs: 100 });
    const ra = alice.joinRoom('online2');
    const online = collect(ra, 'online');
    await waitFor(() => online.some((o) => o.source === 'push'), { timeoutMs: 3000, what: 'a push' });
    const bob = await client('bob');
    await joined(bob, 'online2');
    await waitFor(() => ra.online === 2, { timeoutMs: 3000, what: 'online 2' });
    bob.disconnect();
    await waitFor(() => ra.online === 1, { timeoutMs: 3000, what: 'back to 1' });
    const firstPush = online.findIndex((o) => o.source === 'push');
    assert.ok(
      online.slice(firstPush).every((o) => o.source === 'push'),
      'no presence poll after the first push',
    );
    assert.equal(typeof online.at(-1)?.unique, 'number');
  });

  it('sends gifts through the transport and shows a gift missed while disconnected exactly once', async () => {
    const aliceToken = await token('alice', 'Alice');
    const alice = await client(undefined, {
      token: aliceToken,
      sendGift: httpGiftTransport({ url: `${base}/demo/gift`, token: () => aliceToken }),
    });
    const bob = await client('bob', { sdk: { minReconnectDelay: 800, maxReconnectDelay: 1000 } });
    const ra = await joined(alice, 'gift1');
    const rb = await joined(bob, 'gift1');
    const gifts = collect(rb, 'gift');
    const gaps = collect(rb, 'gap');
    const statuses: StatusEvent[] = [];
    bob.on('status', (s) => statuses.push(s));
    const first = await ra.sendGift('rose');
    await waitFor(() => gifts.length === 1, { what: 'first gift' });
    assert.deepEqual(
      { id: gifts[0]?.id, gift: gifts[0]?.gift, user: gifts[0]?.user, value: gifts[0]?.value },
      { id: first, gift: 'rose', user: { id: 'alice', name: 'Alice' }, value: 1 },
    );
    // Cut bob's connection (a reconnect code), and send while he is away.
    await api('disconnect', { user: 'bob', disconnect: { code: 3011, reason: 'cut' } });
    await waitFor(() => bob.status === 'reconnecting', { what: 'bob reconnecting' });
    const missed = await ra.sendGift('rocket', 2);
    // A redelivery of the same gift id (a backend retry without idempotency) must not show twice.
    await server.node.publish(
      'gift:gift1',
      JSON.stringify({ type: 'gift', id: missed, gift: 'rocket', count: 2, value: 1000 }),
      { source: 'api' },
    );
    await waitFor(() => bob.connected, { timeoutMs: 5000, what: 'bob back' });
    await waitFor(() => gifts.length === 2, { what: 'recovered gift' });
    await sleep(300);
    assert.deepEqual(
      gifts.map((g: GiftEvent) => [g.id, g.gift, g.count, g.replay]),
      [
        [first, 'rose', 1, false],
        [missed, 'rocket', 2, false],
      ],
    );
    assert.equal(gaps.length, 0, 'recovered without a gap');
    assert.deepEqual(
      statuses.map((s) => s.status),
      ['reconnecting', 'connected'],
    );
  });

  it('replays recent room state and gifts on join, flagged as replays', async () => {
    await api('publish', {
      channel: 'gift:replay1',
      data: { type: 'state', live: true, title: 'Late show' },
    });
    await api('publish', {
      channel: 'gift:replay1',
      data: { type: 'gift', id: 'old-1', gift: 'cake', count: 1, value: 50, user: { id: '1', name: 'Zed' } },
    });
    const carol = await client('carol');
    const r = carol.joinRoom('replay1');
    const states = collect(r, 'state');
    const gifts = collect(r, 'gift');
    await waitFor(() => gifts.length === 1 && states.length === 1, { what: 'backfill' });
    assert.deepEqual(states[0], { live: true, title: 'Late show' });
    assert.equal(gifts[0]?.replay, true);
    assert.equal(gifts[0]?.id, 'old-1');
  });

  it('turns server refusals into errors a UI can show', async () => {
    const viewer = await client();
    const rv = await joined(viewer, 'err1');
    await assert.rejects(rv.sendChat('hello'), (e: RoomError) => e.kind === 'sign_in_required');
    await assert.rejects(rv.like(), (e: RoomError) => e.kind === 'sign_in_required');

    const expectKind =
      (kind: string, code: number) =>
      (e: unknown): boolean => {
        assert.ok(e instanceof RoomError);
        assert.deepEqual(
          [e.kind, e.code, e.temporary],
          [kind, code, kind === 'rate_limited' || kind === 'room_busy'],
        );
        return true;
      };
    const muted = await joined(await client('mutey'), 'err1');
    await muted.sendChat('before the mute');
    await api('room_mute', { room: 'err1', user: 'mutey' });
    await assert.rejects(muted.sendChat('after the mute'), expectKind('muted', 420));

    const fast = await joined(await client('fast'), 'err1');
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((n) => fast.sendChat(`line ${n}`)));
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    assert.ok(refused.length >= 1, 'the per-user burst is 3');
    for (const e of refused) expectKind('rate_limited', 111)(e);

    const long = await joined(await client('long', { maxChatLength: 1000 }), 'err1');
    await assert.rejects(long.sendChat('x'.repeat(201)), expectKind('too_large', 423));

    await api('room_settings', { room: 'busy1', publish_rate: 1 });
    const b1 = await joined(await client('busya'), 'busy1');
    const b2 = await joined(await client('busyb'), 'busy1');
    await b1.sendChat('one');
    await assert.rejects(b2.sendChat('two'), expectKind('room_busy', 424));

    const offline = new RoomClient({ url: wsUrl, websocket: WebSocket, token: await token('dave') });
    clients.push(offline);
    const ro = offline.joinRoom('err1');
    await assert.rejects(ro.sendChat('anyone?'), (e: RoomError) => e.kind === 'offline');
    await assert.rejects(ro.sendChat('x'.repeat(201)), (e: RoomError) => e.kind === 'too_large');
    await assert.rejects(ro.sendChat('   '), (e: RoomError) => e.kind === 'invalid');
    await assert.rejects(ro.sendGift('rose'), (e: RoomError) => e.kind === 'gift_failed');
  });

  it('reports a kick, a ban and a closed room, and forgets the room', async () => {
    const erin = await client('erin');
    const r = await joined(erin, 'close1');
    const closed = collect(r, 'closed');
    await api('room_kick', { room: 'close1', user: 'erin' });
    await waitFor(() => closed.length === 1, { what: 'kicked' });
    assert.deepEqual([closed[0]?.reason, closed[0]?.code], ['kicked', 2101]);
    assert.deepEqual(erin.joined, []);
    const [session] = server.node.users.get('erin') ?? [];
    await waitFor(() => session?.subs.size === 1, { what: 'gift: left too (user: stays)' });
    assert.deepEqual([...(session?.subs.keys() ?? [])], ['user:erin']);

    const again = await joined(erin, 'close1');
    const closedAgain = collect(again, 'closed');
    await api('room_kick', { room: 'close1', user: 'erin', ban: true });
    await waitFor(() => closedAgain.length === 1, { what: 'banned' });
    assert.deepEqual([closedAgain[0]?.reason, closedAgain[0]?.code], ['banned', 2102]);
    const refused = collect(erin.joinRoom('close1'), 'closed');
    await waitFor(() => refused.length === 1, { what: 'subscribe refused' });
    assert.deepEqual([refused[0]?.reason, refused[0]?.code], ['banned', 421]);

    const gina = await client('gina');
    const rg = await joined(gina, 'close2');
    const closedG = collect(rg, 'closed');
    await api('room_close', { room: 'close2' });
    await waitFor(() => closedG.length === 1, { what: 'room closed' });
    assert.deepEqual([closedG[0]?.reason, closedG[0]?.code], ['closed', 2100]);
  });

  it("delivers the user's private messages once, recovered after a reconnect", async () => {
    const frank = await client('frank', { sdk: { minReconnectDelay: 600, maxReconnectDelay: 800 } });
    await joined(frank, 'pm1');
    const got: unknown[] = [];
    frank.on('private', (m) => got.push(m.data));
    await waitFor(
      async () =>
        ((await api('presence_stats', { channel: 'live:pm1' })).result as { num_clients?: number })
          ?.num_clients === 1,
    );
    await waitFor(() => [...(server.node.users.get('frank') ?? [])].some((c) => c.subs.has('user:frank')));
    await api('publish', { channel: 'user:frank', data: { id: 'm1', text: 'welcome' } });
    await waitFor(() => got.length === 1);
    await api('disconnect', { user: 'frank', disconnect: { code: 3011, reason: 'cut' } });
    await api('publish', { channel: 'user:frank', data: { id: 'm2', text: 'while away' } });
    await waitFor(() => got.length === 2, { timeoutMs: 5000, what: 'recovered private message' });
    await sleep(100);
    assert.deepEqual(got, [
      { id: 'm1', text: 'welcome' },
      { id: 'm2', text: 'while away' },
    ]);
  });
});

describe('tokenUser', () => {
  it('reads sub and info.name from a JWT without verifying it', () => {
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const jwt = `${b64({ alg: 'HS256' })}.${b64({ sub: 'u1', info: { name: 'Zoë 小明' } })}.sig`;
    assert.deepEqual(tokenUser(jwt), { id: 'u1', name: 'Zoë 小明' });
    assert.deepEqual(tokenUser(`${b64({})}.${b64({ sub: 'u2' })}.s`), { id: 'u2', name: 'u2' });
    assert.equal(tokenUser('not a jwt'), undefined);
    assert.equal(tokenUser(`${b64({})}.${b64({ sub: '' })}.s`), undefined);
  });
});
