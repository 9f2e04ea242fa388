// Hub positions of reliable streams when a subscriber joins while publications are still on
// their way over the bus (found by tests/distributed/kill9.test.ts: a reconnect storm after a
// gateway kill made the live viewers of surviving gateways lose gifts silently).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusEndpoint, PubMessage } from '../bus/bus.ts';
import { Namespaces } from '../channels/namespaces.ts';
import { resolveConfig } from '../config/load.ts';
import type { SharedFrame } from '../gateway/frame.ts';
import { createLogger } from '../logger.ts';
import { NodeStats } from '../metrics/stats.ts';
import { Hub } from './hub.ts';
import { Subscription, type SubscriberConn } from './subscription.ts';

const endpoint: BusEndpoint = {
  subscribe: async () => undefined,
  unsubscribe: async () => undefined,
  publish: async () => undefined,
  publishControl: async () => undefined,
  close: async () => undefined,
};

/** A connection recording the offsets it was sent, and whether its stream was broken. */
class Conn implements SubscriberConn {
  readonly id: string;
  readonly user = '';
  readonly offsets: number[] = [];
  broken = 0;
  constructor(id: string) {
    this.id = id;
  }
  #record(text: string): void {
    for (const m of text.matchAll(/"offset":(\d+)/g)) this.offsets.push(Number(m[1]));
  }
  deliverShared(frame: SharedFrame): boolean {
    this.#record(frame.plain.toString('utf8'));
    return true;
  }
  deliverText(text: string): void {
    this.#record(text);
  }
  streamBroken(): void {
    this.broken++;
  }
}

const pub = (offset: number, epoch = 'e1'): PubMessage => ({
  type: 'pub',
  pub: { offset, data: `{"n":${offset}}` },
  epoch,
});
const flush = (): Promise<void> => new Promise((r) => setImmediate(r));

async function setup() {
  const policy = new Namespaces(resolveConfig({})).resolve('gift:r')?.policy;
  assert.ok(policy?.hasHistory);
  const hub = new Hub({
    endpoint: () => endpoint,
    log: createLogger('silent'),
    stats: new NodeStats(),
    compressionThreshold: 0,
    lingerMs: 0,
  });
  const join = async (id: string, readOffset: number, epoch = 'e1') => {
    const conn = new Conn(id);
    const sub = new Subscription(conn, 'gift:r');
    sub.positioned = true;
    const ch = await hub.add(sub, policy);
    hub.notePosition(ch, sub, readOffset, epoch);
    sub.live = true;
    return conn;
  };
  return { hub, join };
}

describe('hub stream positions', () => {
  it('keeps delivering to live subscribers what a newer subscriber read ahead of the bus', async () => {
    const { hub, join } = await setup();
    const old = await join('old', 10);
    hub.onMessage('gift:r', pub(11));
    await flush();
    // A new subscriber's history read saw offset 14, while 12..14 are still on the bus.
    const fresh = await join('fresh', 14);
    for (const o of [12, 13, 14, 15]) hub.onMessage('gift:r', pub(o));
    await flush();
    hub.onMessage('gift:r', pub(16));
    await flush();
    assert.deepEqual(old.offsets, [11, 12, 13, 14, 15, 16], 'nothing lost for the live subscriber');
    assert.deepEqual(fresh.offsets, [15, 16], 'what the reply carried is not sent again');
    assert.equal(old.broken + fresh.broken, 0);
  });

  it('does not send a new subscriber what its reply carried and was still waiting to be flushed', async () => {
    const { hub, join } = await setup();
    const old = await join('old', 10);
    hub.onMessage('gift:r', pub(11)); // admitted, flushed at the end of this turn
    const fresh = await join('fresh', 11); // its history read already had 11
    await flush();
    hub.onMessage('gift:r', pub(12));
    await flush();
    assert.deepEqual(old.offsets, [11, 12]);
    assert.deepEqual(fresh.offsets, [12]);
  });

  it('breaks live streams when a subscriber reads another epoch (stream reset under them)', async () => {
    const { hub, join } = await setup();
    const old = await join('old', 5, 'e1');
    const fresh = await join('fresh', 0, 'e2');
    assert.equal(old.broken, 1, 'the live subscriber resubscribes and is told');
    assert.equal(fresh.broken, 0);
    hub.onMessage('gift:r', pub(1, 'e2'));
    await flush();
    assert.deepEqual(fresh.offsets, [1]);
  });
});

describe('hub fan-out', () => {
  it('survives subscribers leaving during the fan-out loop, and the others still get the frame', async () => {
    const { hub, join } = await setup();
    const conns = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id, i) => join(id, 10 + 0 * i)));
    // "b" leaves synchronously while being written to (as a slow client closed at once would).
    const ch = hub.channels.get('gift:r');
    assert.ok(ch);
    const b = conns[1] as Conn;
    const subOfB = ch.subs.find((s) => s.conn === b);
    assert.ok(subOfB);
    b.deliverShared = (frame: SharedFrame) => {
      hub.remove(subOfB);
      Conn.prototype.deliverShared.call(b, frame);
      return false;
    };
    hub.onMessage('gift:r', pub(11));
    await flush();
    for (const c of conns) assert.deepEqual(c.offsets, [11], c.id);
    assert.equal(ch.size, 4);
  });
});

describe('hub bus routing', () => {
  it('keeps the bus subscription through a short linger, so leave-and-rejoin causes no churn', async () => {
    const calls: string[] = [];
    const recording: BusEndpoint = {
      ...endpoint,
      subscribe: async (ch) => void calls.push(`sub ${ch}`),
      unsubscribe: async (ch) => void calls.push(`unsub ${ch}`),
    };
    const policy = new Namespaces(resolveConfig({})).resolve('live:r')?.policy;
    assert.ok(policy);
    const hub = new Hub({
      endpoint: () => recording,
      log: createLogger('silent'),
      stats: new NodeStats(),
      compressionThreshold: 0,
      lingerMs: 150,
    });
    const a = new Subscription(new Conn('a'), 'live:r');
    await hub.add(a, policy);
    hub.remove(a);
    await new Promise((r) => setTimeout(r, 50));
    const b = new Subscription(new Conn('b'), 'live:r');
    await hub.add(b, policy);
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(calls, ['sub live:r'], 'rejoined within the linger: still subscribed, no churn');
    hub.remove(b);
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(calls, ['sub live:r', 'unsub live:r']);
    assert.equal(hub.busChannels.size, 0);
  });
});
