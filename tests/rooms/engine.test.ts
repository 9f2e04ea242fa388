// The live-room engine end to end with the official SDK and raw sockets: batching, priorities
// under overload, admission errors, conflation, online counts, room control, slow consumers
// and shared compressed frames.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Centrifuge, Subscription } from 'centrifuge';
import WebSocket from 'ws';
import {
  connectToken,
  once,
  sdkClient,
  sleep,
  startServer,
  waitFor,
  type TestServer,
} from '../helpers/harness.ts';
import { rawUpgrade, clientFrame } from '../helpers/raw.ts';

type Pub = { data: Record<string, unknown>; info?: { user: string } };

const liveNs = (room: Record<string, unknown>): Record<string, unknown> => ({
  namespaces: [
    {
      name: 'live',
      subscribe: 'anyone',
      publish: 'authenticated',
      roomScoped: true,
      room: { enabled: true, ...room },
    },
    { name: 'gift', subscribe: 'anyone', historySize: 100, recovery: true, roomScoped: true },
    { name: 'plain', subscribe: 'anyone', publish: 'authenticated' },
  ],
});

async function viewer(
  s: TestServer,
  channel: string,
  user?: string,
): Promise<{ c: Centrifuge; sub: Subscription; pubs: Pub[] }> {
  const c = sdkClient(
    s.wsUrl,
    user
      ? {
          token: await connectToken(
            { sub: user, info: { name: user.toUpperCase() } },
            { expiresInSeconds: 3600 },
          ),
        }
      : {},
  );
  const sub = c.newSubscription(channel);
  const pubs: Pub[] = [];
  sub.on('publication', (ctx) => pubs.push(ctx as unknown as Pub));
  const p = once(sub, 'subscribed');
  sub.subscribe();
  c.connect();
  await p;
  return { c, sub, pubs };
}

const chat = (p: Pub[]): Pub[] => p.filter((x) => x.data['type'] === 'chat');

describe('room engine', () => {
  it('delivers a window of chat as ordinary publications, in order, in one frame', async () => {
    const s = await startServer(
      liveNs({
        smallRoomViewers: 0,
        largeRoomViewers: 1,
        windowMs: 400,
        maxPerSecond: 50,
        entryNotices: false,
        conflate: false,
      }),
    );
    const v = await viewer(s, 'live:batch');
    // A raw ws viewer counts frames.
    const raw = new WebSocket(s.wsUrl, { perMessageDeflate: false });
    const frames: string[] = [];
    raw.on('message', (d: Buffer) => frames.push(d.toString()));
    await once(raw, 'open');
    raw.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"live:batch"}}');
    await waitFor(() => frames.length >= 1);
    await sleep(450); // leave the leading-edge flush behind
    frames.length = 0;
    // One batch request, so the ten land inside one window however slow the machine is.
    const reply = await s.api('batch', {
      commands: Array.from({ length: 10 }, (_, i) => ({
        publish: { channel: 'live:batch', data: { type: 'chat', text: `m${i}` } },
      })),
    });
    assert.equal(JSON.stringify(reply).includes('"error"'), false, JSON.stringify(reply));
    await waitFor(() => v.pubs.length === 10, { what: '10 chat lines' });
    assert.deepEqual(
      v.pubs.map((p) => p.data['text']),
      Array.from({ length: 10 }, (_, i) => `m${i}`),
    );
    await waitFor(() => frames.join('\n').split('\n').length >= 10);
    assert.ok(frames.length <= 2, `10 messages arrived in ${frames.length} frames`);
    raw.close();
  });

  it('delivers every gift under 10× chat overload and caps chat per viewer', async () => {
    const s = await startServer(
      liveNs({
        smallRoomViewers: 0,
        largeRoomViewers: 1,
        windowMs: 250,
        maxPerSecond: 20,
        conflate: false,
        entryNotices: false,
        publishRate: 0,
      }),
    );
    const v = await viewer(s, 'live:storm');
    const started = Date.now();
    const sends: Promise<unknown>[] = [];
    for (let i = 0; i < 400; i++) {
      sends.push(s.api('publish', { channel: 'live:storm', data: { type: 'chat', text: `spam ${i}` } }));
      if (i % 20 === 0)
        sends.push(
          s.api('publish', { channel: 'live:storm', data: { type: 'gift', n: i / 20 }, priority: 'gift' }),
        );
    }
    await Promise.all(sends);
    const elapsed = (Date.now() - started) / 1000;
    await waitFor(() => v.pubs.filter((p) => p.data['type'] === 'gift').length === 20, {
      what: 'all 20 gifts',
    });
    await sleep(600);
    const gifts = v.pubs.filter((p) => p.data['type'] === 'gift').map((p) => p.data['n']);
    assert.deepEqual(
      gifts,
      Array.from({ length: 20 }, (_, i) => i),
      'every gift, in order',
    );
    const chats = chat(v.pubs).length;
    const allowed = 20 * (elapsed + 1.5);
    assert.ok(
      chats <= allowed,
      `chat delivered ${chats} ≤ ${allowed.toFixed(0)} (20/s cap over ${elapsed.toFixed(2)} s)`,
    );
    assert.ok(chats > 0);
    const stats = await s.api('room_stats', { room: 'storm' });
    const drops = stats.body.result?.['drops'] as Record<string, number>;
    assert.equal(drops['cap'], 400 - chats, 'every undelivered chat line is counted as a cap drop');
  });

  it('gives rejected client publishes real error replies (111, 423, 424, 420, 421, 103)', async () => {
    const s = await startServer(liveNs({ userRate: 1, userBurst: 2, maxTextLength: 10, publishRate: 3 }));
    const alice = await viewer(s, 'live:adm', 'alice');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 0,
        (e: { code: number }) => e.code,
      );
    assert.equal(await code(alice.c.publish('live:adm', { type: 'chat', text: 'hi' })), 0);
    assert.equal(await code(alice.c.publish('live:adm', { type: 'chat', text: 'hi again' })), 0);
    assert.equal(await code(alice.c.publish('live:adm', { type: 'chat', text: 'third' })), 111);
    assert.equal(await code(alice.c.publish('live:adm', { type: 'chat', text: 'x'.repeat(11) })), 423);
    assert.equal(await code(alice.c.publish('live:adm', { type: 'entry', user: { id: 'fake' } })), 103);
    const bob = await viewer(s, 'live:adm', 'bob');
    const carol = await viewer(s, 'live:adm', 'carol');
    assert.equal(await code(bob.c.publish('live:adm', { type: 'chat', text: 'b' })), 0);
    assert.equal(
      await code(carol.c.publish('live:adm', { type: 'chat', text: 'c' })),
      424,
      'room rate 3/s used up',
    );
    await s.api('room_mute', { room: 'adm', user: 'bob' });
    await sleep(1100);
    assert.equal(await code(bob.c.publish('live:adm', { type: 'chat', text: 'muted?' })), 420);
    await s.api('room_unmute', { room: 'adm', user: 'bob' });
    assert.equal(await code(bob.c.publish('live:adm', { type: 'chat', text: 'back' })), 0);
    const kicked = once<{ code: number }>(carol.sub, 'unsubscribed');
    await s.api('room_kick', { room: 'adm', user: 'carol', ban: true });
    assert.equal((await kicked).code, 2102);
    assert.equal(await code(carol.c.publish('live:adm', { type: 'chat', text: 'banned?' })), 421);
    const again = carol.c.newSubscription('live:adm2');
    again.subscribe();
    await once(again, 'subscribed');
    const denied = carol.c.newSubscription('gift:adm');
    const deniedEv = once<{ code: number }>(denied, 'unsubscribed');
    denied.subscribe();
    assert.equal((await deniedEv).code, 421, 'a banned user cannot enter the room’s other channels');
    const anon = await viewer(s, 'live:adm');
    assert.equal(await code(anon.c.publish('live:adm', { type: 'chat', text: 'anon' })), 103);
    const stats = await s.api('room_stats', { room: 'adm' });
    const rejected = stats.body.result?.['rejected'] as Record<string, number>;
    assert.equal(rejected['user_rate'], 1);
    assert.equal(rejected['too_large'], 1);
    assert.equal(rejected['room_rate'], 1);
    assert.equal(rejected['muted'], 1);
    assert.equal(rejected['banned'], 1);
  });

  it('conflates likes, entries and identical texts in a window into the documented shapes', async () => {
    const s = await startServer(
      liveNs({
        smallRoomViewers: 0,
        largeRoomViewers: 1,
        windowMs: 600,
        userRate: 0,
        likeRate: 0,
        publishRate: 0,
      }),
    );
    const v = await viewer(s, 'live:conf');
    const fans = await Promise.all(['f1', 'f2', 'f3', 'f4'].map((u) => viewer(s, 'live:other', u)));
    await sleep(700);
    // The first message of a quiet room goes out at once (leading edge); the rest wait the window.
    await s.api('publish', { channel: 'live:conf', data: { type: 'chat', text: 'warm-up' } });
    await waitFor(() => v.pubs.length === 1);
    v.pubs.length = 0;
    for (const f of fans) {
      await f.c.publish('live:conf', { type: 'chat', text: '666' });
      await f.c.publish('live:conf', { type: 'like', count: 2 });
    }
    for (const f of fans.slice(0, 2)) {
      const sub = f.c.newSubscription('live:conf');
      sub.subscribe();
      await once(sub, 'subscribed');
    }
    await waitFor(
      () =>
        v.pubs.some((p) => p.data['type'] === 'likes') && v.pubs.some((p) => p.data['type'] === 'entries'),
      {
        what: 'conflated messages',
      },
    );
    await sleep(700);
    const byType = Object.groupBy(v.pubs, (p) => String(p.data['type']));
    assert.deepEqual(
      byType['chat']?.map((p) => p.data),
      [{ type: 'chat', text: '666', count: 4 }],
    );
    assert.equal(byType['chat']?.[0]?.info?.user, 'f1');
    assert.deepEqual(
      byType['likes']?.map((p) => p.data),
      [{ type: 'likes', count: 8 }],
    );
    assert.deepEqual(
      byType['entries']?.map((p) => p.data),
      [
        {
          type: 'entries',
          count: 2,
          users: [
            { id: 'f1', name: 'F1' },
            { id: 'f2', name: 'F2' },
          ],
        },
      ],
    );
  });

  it('pushes exact online counts and unique viewers to the room', async () => {
    const s = await startServer(liveNs({ onlineIntervalSeconds: 1, entryNotices: false }));
    const a = await viewer(s, 'live:count');
    const b = await viewer(s, 'live:count', 'u2');
    const online = (p: Pub[]) => p.filter((x) => x.data['type'] === 'online').at(-1)?.data;
    await waitFor(() => online(a.pubs)?.['count'] === 2, { timeoutMs: 4000, what: 'online 2' });
    assert.deepEqual(online(a.pubs), { type: 'online', count: 2, unique: 2 });
    b.c.disconnect();
    await waitFor(() => online(a.pubs)?.['count'] === 1, { timeoutMs: 4000, what: 'online 1' });
    assert.deepEqual(online(a.pubs), { type: 'online', count: 1, unique: 2 });
    const stats = await s.api('room_stats', { room: 'count' });
    assert.equal(stats.body.result?.['online'], 1);
    assert.equal(stats.body.result?.['unique'], 2);
  });

  it('closes a room: every subscriber of live: and gift: gets 2100 and stays out', async () => {
    const s = await startServer(liveNs({}));
    const l = await viewer(s, 'live:closing');
    const g = await viewer(s, 'gift:closing');
    const e1 = once<{ code: number }>(l.sub, 'unsubscribed');
    const e2 = once<{ code: number }>(g.sub, 'unsubscribed');
    assert.deepEqual((await s.api('room_close', { room: 'closing' })).body, { result: {} });
    assert.equal((await e1).code, 2100);
    assert.equal((await e2).code, 2100);
    await sleep(300);
    assert.equal(l.sub.state, 'unsubscribed');
    assert.equal(s.server.node.hub.channels.get('live:closing')?.size ?? 0, 0);
  });

  it('applies room_settings at runtime and validates room API params', async () => {
    const s = await startServer(liveNs({ maxPerSecond: 20 }));
    assert.deepEqual((await s.api('room_settings', { room: 'r', max_per_second: 5, window_ms: 100 })).body, {
      result: {},
    });
    await waitFor(() => s.server.node.rooms.rooms.get('r')?.settings.maxPerSecond === 5);
    assert.equal((await s.api('room_settings', { room: 'r' })).body.error?.code, 107);
    assert.equal((await s.api('room_settings', { room: 'r', max_per_second: 0 })).body.error?.code, 107);
    assert.equal((await s.api('room_mute', { room: 'r' })).body.error?.code, 107);
    assert.equal((await s.api('room_kick', { user: 'x' })).body.error?.code, 107);
  });

  it('disconnects a viewer that stops reading with 3008 while the others keep receiving on time', async () => {
    const s = await startServer({
      ...liveNs({}),
      client: { queueSoftLimitBytes: 16384, queueHardLimitBytes: 65536 },
    });
    const fast = await viewer(s, 'plain:slow');
    const stalled = await rawUpgrade(s.port);
    stalled.socket.write(
      clientFrame(0x1, Buffer.from('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"plain:slow"}}')),
    );
    await waitFor(() => stalled.received.length > 0, { what: 'stalled client subscribed' });
    stalled.socket.pause(); // stops reading: the kernel buffers fill, then roomcast's queue
    const blob = 'x'.repeat(8000);
    const seen: number[] = [];
    fast.sub.on('publication', (ctx) => seen.push((ctx.data as { n: number }).n));
    for (let n = 0; n < 1500; n++) {
      await s.api('publish', { channel: 'plain:slow', data: { n, blob } });
      if (n % 100 === 0) await sleep(1);
    }
    await waitFor(() => seen.length >= 1500, { timeoutMs: 20000, what: 'fast viewer got everything' });
    const m = await (await fetch(`${s.httpUrl}/metrics`)).text();
    assert.match(m, /roomcast_disconnects_total\{[^}]*code="3008"[^}]*\} 1/);
    // This channel is lossy (no history): a reader that fell behind would have had frames
    // skipped. The fast viewer got every message, in order: its queue never backed up while
    // the stalled one filled and was cut off (skips counted are the stalled reader's only).
    assert.deepEqual(
      seen,
      Array.from({ length: 1500 }, (_, i) => i),
    );
    const limit = s.server.node.maxSkippedFrames + 1;
    assert.ok(
      s.server.node.stats.skippedFrames <= limit,
      `skipped ${s.server.node.stats.skippedFrames} (only the stalled reader)`,
    );
    stalled.socket.destroy();
  });

  it('sends one deflated frame per batch that the ws client inflates', async () => {
    const s = await startServer({
      ...liveNs({
        smallRoomViewers: 0,
        largeRoomViewers: 1,
        windowMs: 300,
        entryNotices: false,
        conflate: false,
      }),
      client: { compressionThresholdBytes: 64 },
    });
    const got: string[][] = [[], [], []];
    const sockets = got.map((bucket) => {
      const ws = new WebSocket(s.wsUrl); // perMessageDeflate offered by default
      ws.on('message', (d: Buffer) => bucket.push(...d.toString().split('\n')));
      return ws;
    });
    await Promise.all(sockets.map((ws) => once(ws, 'open')));
    for (const ws of sockets) {
      assert.match(ws.extensions, /permessage-deflate/);
      ws.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"live:zip"}}');
    }
    await waitFor(() => got.every((g) => g.length >= 2));
    await sleep(350);
    const before = s.server.node.stats.framesDeflated;
    for (let i = 0; i < 20; i++)
      await s.api('publish', {
        channel: 'live:zip',
        data: { type: 'chat', text: `弹幕 number ${i} 🎉 666` },
      });
    await waitFor(() => got.every((g) => g.filter((l) => l.includes('弹幕')).length === 20), {
      what: 'all 20 on all 3',
    });
    for (const g of got) {
      const texts = g
        .filter((l) => l.includes('弹幕'))
        .map((l) => (JSON.parse(l) as { push: { pub: { data: { text: string } } } }).push.pub.data.text);
      assert.deepEqual(
        texts,
        Array.from({ length: 20 }, (_, i) => `弹幕 number ${i} 🎉 666`),
      );
    }
    assert.ok(s.server.node.stats.framesDeflated - before >= 3, 'deflated frames were written');
    for (const ws of sockets) ws.close();
  });
});
