// Failure behaviour against a private redis-server (so killing connections or the server never
// disturbs the shared one), reached through a TCP fault proxy: black hole, connection resets,
// CLIENT KILL TYPE pubsub, and kill -9 + restart.

import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BusEndpoint, BusHandler, BusMessage } from '@roomcast/server';
import { HistoryUnavailableError } from '@roomcast/server';
import { sleep, uniquePrefix, waitFor } from '@roomcast/server/testing';
import { createRedisAdapters, type RedisAdapters } from './adapters.ts';
import { RedisTimeoutError, RedisUnavailableError } from './errors.ts';
import { FaultProxy } from './testing/fault-proxy.ts';
import { rawCommand, RedisServerProcess, redisServerSkipReason } from './testing/redis-server.ts';

const skip = redisServerSkipReason();
const limits = { size: 100, ttlMs: 0, metaTtlMs: 60_000 };

interface Watcher extends BusHandler {
  messages: Array<{ channel: string; msg: BusMessage }>;
  resets: number;
}

function watcher(): Watcher {
  const w: Watcher = {
    messages: [],
    resets: 0,
    onMessage(channel, msg) {
      w.messages.push({ channel, msg });
    },
    onControl() {},
    onReset() {
      w.resets++;
    },
  };
  return w;
}

const pub = (n: number): BusMessage => ({ type: 'pub', pub: { offset: 0, data: JSON.stringify({ n }) } });

/** Time a promise takes to reject; fails the test if it resolves or takes longer than `maxMs`. */
async function rejectsWithin(p: Promise<unknown>, maxMs: number): Promise<{ ms: number; err: unknown }> {
  const t0 = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    p.then(
      () => ({ settled: 'resolved' as const, err: undefined }),
      (err: unknown) => ({ settled: 'rejected' as const, err }),
    ),
    new Promise<{ settled: 'hung'; err: undefined }>((resolve) => {
      timer = setTimeout(() => resolve({ settled: 'hung', err: undefined }), maxMs + 2000);
    }),
  ]);
  clearTimeout(timer);
  const ms = Date.now() - t0;
  assert.equal(outcome.settled, 'rejected', `expected a rejection, got ${outcome.settled} after ${ms} ms`);
  assert.ok(ms <= maxMs, `rejected after ${ms} ms, more than ${maxMs} ms`);
  return { ms, err: outcome.err };
}

describe('redis adapters under faults', { skip, timeout: 90_000 }, () => {
  let dir = '';
  let server: RedisServerProcess;
  let proxy: FaultProxy;
  let adapters: RedisAdapters;
  let direct: RedisAdapters;
  const prefix = uniquePrefix('redis-faults');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'roomcast-redis-faults-'));
    server = await RedisServerProcess.start(dir);
    proxy = await FaultProxy.start('127.0.0.1', server.port);
    // Through the proxy: the side under test. Quick health checks keep the test short; the
    // command deadline stays at its 1 s default.
    adapters = await createRedisAdapters({ url: proxy.url, prefix, healthCheckMs: 300, onError: () => {} });
    // Straight to Redis: the other nodes of the fleet, unaffected by the proxy.
    direct = await createRedisAdapters({ url: server.url, prefix, onError: () => {} });
  });

  after(async () => {
    await adapters?.close();
    await direct?.close();
    await proxy?.close();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Subscribes `ep` and waits until a publish from the healthy side reaches it. */
  async function expectFlowing(
    ep: BusEndpoint,
    w: Watcher,
    channel: string,
    timeoutMs = 10_000,
  ): Promise<void> {
    await ep.subscribe(channel);
    const sender = await direct.bus.attach(watcher());
    try {
      const before = w.messages.length;
      const deadline = Date.now() + timeoutMs;
      // Retry: right after a reconnect the first publish may race the resubscription.
      while (w.messages.length === before) {
        if (Date.now() > deadline) throw new Error(`no message on ${channel} within ${timeoutMs} ms`);
        await sender.publish(channel, pub(Date.now()));
        await sleep(100);
      }
    } finally {
      await sender.close();
    }
  }

  it('black hole: publish and append reject within 2 s, then the endpoint recovers and resets', async () => {
    const w = watcher();
    const ep = await adapters.bus.attach(w);
    try {
      await expectFlowing(ep, w, 'live:bh');
      proxy.blackhole();
      const p = await rejectsWithin(ep.publish('live:bh', pub(1)), 2000);
      assert.ok(p.err instanceof RedisTimeoutError || p.err instanceof RedisUnavailableError, String(p.err));
      const a = await rejectsWithin(adapters.history.append('gift:bh', { data: '1' }, limits), 2000);
      assert.ok(a.err instanceof HistoryUnavailableError, String(a.err));
      // While it lasts, every call still fails fast.
      await rejectsWithin(ep.publishControl({ type: 'room', action: { op: 'close', room: 'r' } }), 2000);
      await sleep(1500);
      const resetsBefore = w.resets;
      proxy.heal();
      await waitFor(() => w.resets > resetsBefore, {
        timeoutMs: 10_000,
        what: 'onReset after the black hole',
      });
      await expectFlowing(ep, w, 'live:bh');
      await ep.publish('live:bh', pub(2));
      const r = await adapters.history.append('gift:bh', { data: '2' }, limits);
      assert.ok(r.publication.offset >= 1);
    } finally {
      proxy.heal();
      await ep.close();
    }
  });

  it('connection resets: calls fail fast while Redis is unreachable, then reconnect, resubscribe and reset', async () => {
    const w = watcher();
    const ep = await adapters.bus.attach(w);
    try {
      await expectFlowing(ep, w, 'live:rst');
      proxy.refuse();
      proxy.dropAll();
      const { err } = await rejectsWithin(ep.publish('live:rst', pub(1)), 1500);
      assert.ok(err instanceof RedisUnavailableError || err instanceof RedisTimeoutError, String(err));
      await rejectsWithin(adapters.presence.stats('live:rst'), 1500);
      await sleep(500);
      proxy.heal();
      await waitFor(() => w.resets >= 1, { timeoutMs: 10_000, what: 'onReset after resets' });
      await expectFlowing(ep, w, 'live:rst');
      assert.deepEqual(await adapters.presence.stats('live:rst'), { numClients: 0, numUsers: 0 });
    } finally {
      proxy.heal();
      await ep.close();
    }
  });

  it('CLIENT KILL TYPE pubsub: subscriber connections come back subscribed and reset', async () => {
    const w = watcher();
    const ep = await direct.bus.attach(w);
    try {
      await expectFlowing(ep, w, 'gift:kill');
      const killed = await rawCommand(server.port, 'CLIENT KILL TYPE pubsub');
      assert.match(killed, /^:[1-9]/, `killed ${killed.trim()}`);
      await waitFor(() => w.resets >= 1, { timeoutMs: 10_000, what: 'onReset after CLIENT KILL' });
      const numsub = await direct.commands.send(undefined, [
        'PUBSUB',
        'SHARDNUMSUB',
        direct.keys.busChannel('gift:kill'),
      ]);
      assert.deepEqual(numsub, [direct.keys.busChannel('gift:kill'), 1]);
      await expectFlowing(ep, w, 'gift:kill');
    } finally {
      await ep.close();
    }
  });

  it('kill -9 and restart: fail fast while down, then a new epoch (scripts reloaded) and a reset', async () => {
    const w = watcher();
    const ep = await direct.bus.attach(w);
    try {
      await ep.subscribe('gift:restart');
      const before = await direct.history.append('gift:restart', { data: '1' }, limits);
      await direct.history.append('gift:restart', { data: '2' }, limits);
      await server.stop();
      await rejectsWithin(direct.history.append('gift:restart', { data: '3' }, limits), 1500);
      await rejectsWithin(ep.publish('gift:restart', pub(3)), 1500);
      await server.restart();
      await waitFor(() => w.resets >= 1, { timeoutMs: 10_000, what: 'onReset after restart' });
      // The script cache is empty now: EVALSHA gets NOSCRIPT and the script is loaded again.
      const after = await direct.history.append('gift:restart', { data: '4' }, limits);
      assert.equal(after.publication.offset, 1);
      assert.notEqual(after.epoch, before.epoch, 'a lost stream gets a new epoch');
      await waitFor(() => w.messages.some((m) => m.msg.type === 'pub' && m.msg.epoch === after.epoch), {
        what: 'publication of the new epoch',
      });
    } finally {
      await ep.close();
    }
  });
});
