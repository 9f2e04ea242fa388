// Three nodes on one shared in-memory bus (and shared stores): a publication on one reaches
// subscribers on all three, and a node subscribes a channel on the bus only while it has local
// subscribers (the mcast route).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryBus, MemoryHistoryStore, MemoryPresenceStore } from '@roomcast/server';
import type { Centrifuge } from 'centrifuge';
import { once, sdkClient, sleep, startServer, waitFor, type TestServer } from '../helpers/harness.ts';

async function viewer(s: TestServer, channel: string, pubs: unknown[]): Promise<Centrifuge> {
  const c = sdkClient(s.wsUrl);
  const sub = c.newSubscription(channel);
  sub.on('publication', (ctx) => pubs.push(ctx.data));
  const p = once(sub, 'subscribed');
  sub.subscribe();
  c.connect();
  await p;
  return c;
}

describe('three nodes, one memory bus', () => {
  it('fans a publication out to subscribers on every node', async () => {
    const bus = new MemoryBus();
    const history = new MemoryHistoryStore();
    const presence = new MemoryPresenceStore();
    const nodes = [
      await startServer({}, { bus, history, presence }),
      await startServer({}, { bus, history, presence }),
      await startServer({}, { bus, history, presence }),
    ];
    const got: unknown[][] = [[], [], []];
    for (let i = 0; i < 3; i++) await viewer(nodes[i] as TestServer, 'gift:shared', got[i] as unknown[]);
    const r = await nodes[1]?.api('publish', { channel: 'gift:shared', data: { gift: 'rocket' } });
    assert.equal(r?.body.result?.['offset'], 1);
    await waitFor(() => got.every((g) => g.length === 1), { what: 'all three nodes' });
    assert.deepEqual(got, [[{ gift: 'rocket' }], [{ gift: 'rocket' }], [{ gift: 'rocket' }]]);

    const lonely = await startServer({}, { bus, history, presence });
    await viewer(lonely, 'live:only-here', []);
    assert.equal(bus.subscribers('live:only-here'), 1, 'only the node with a viewer subscribes');
    assert.equal(bus.subscribers('gift:shared'), 3);
    await lonely.close();
    await waitFor(() => bus.subscribers('live:only-here') === 0, {
      what: 'route removed after the last viewer left',
    });
    await history.close();
  });

  it('moves server API control (disconnect) to the node holding the session', async () => {
    const bus = new MemoryBus();
    const a = await startServer({}, { bus });
    const b = await startServer({}, { bus });
    const c = sdkClient(b.wsUrl, {});
    c.connect();
    const { client } = await once<{ client: string }>(c, 'connected');
    const down = once<{ code: number }>(c, 'disconnected');
    await a.api('disconnect', { client, disconnect: { code: 3503, reason: 'bye' } });
    assert.equal((await down).code, 3503);
    await sleep(10);
  });
});
