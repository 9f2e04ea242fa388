// The entry scheduler and draining on three nodes sharing one bus, stores and registry:
// /entry answers the least-loaded non-draining node; a drained node's clients move to the
// others over the drain period and recover their reliable streams without loss.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MemoryBus,
  MemoryHistoryStore,
  MemoryNodeRegistry,
  MemoryOnlineStore,
  MemoryPresenceStore,
} from '@roomcast/server';
import WebSocket from 'ws';
import { once, sdkClient, sleep, startServer, waitFor, type TestServer } from '../helpers/harness.ts';

async function cluster(n: number): Promise<TestServer[]> {
  const shared = {
    bus: new MemoryBus(),
    history: new MemoryHistoryStore(),
    presence: new MemoryPresenceStore(),
    online: new MemoryOnlineStore(),
    registry: new MemoryNodeRegistry(),
  };
  const nodes: TestServer[] = [];
  for (let i = 0; i < n; i++) nodes.push(await startServer({ node: { name: `n${i}` } }, shared));
  return nodes;
}

/** A WebSocket class that connects to whichever URL `pick()` names at each (re)connect. */
function rotating(pick: () => string): typeof WebSocket {
  return class extends WebSocket {
    constructor(_url: string, protocols?: string | string[]) {
      super(pick(), protocols);
    }
  } as typeof WebSocket;
}

describe('entry scheduler and drain', () => {
  it('answers the least-loaded non-draining node and lists every node in info', async () => {
    const [a, b, c] = (await cluster(3)) as [TestServer, TestServer, TestServer];
    for (const s of [a, a, b]) {
      const cl = sdkClient(s.wsUrl);
      cl.connect();
      await once(cl, 'connected');
    }
    await a.server.node.heartbeat.beat();
    await b.server.node.heartbeat.beat();
    await c.server.node.heartbeat.beat();
    const entry = (await (await fetch(`${a.httpUrl}/entry?count=3`)).json()) as {
      url: string;
      nodes: Array<{ name: string; connections: number }>;
    };
    assert.equal(entry.url, c.wsUrl);
    assert.deepEqual(
      entry.nodes.map((n) => [n.name, n.connections]),
      [
        ['n2', 0],
        ['n1', 1],
        ['n0', 2],
      ],
    );
    const info = await b.api('info');
    const nodes = info.body.result?.['nodes'] as Array<{ name: string }>;
    assert.deepEqual(nodes.map((n) => n.name).sort(), ['n0', 'n1', 'n2']);
    assert.equal(nodes[0]?.name, 'n1', 'the answering node first');

    const r = await c.api('drain', { period_seconds: 0 });
    assert.deepEqual(r.body.result, { draining: true, clients: 0 });
    const after = (await (await fetch(`${a.httpUrl}/entry`)).json()) as {
      url: string;
      nodes: Array<{ name: string }>;
    };
    assert.ok(!after.nodes.some((n) => n.name === 'n2'), 'a draining node leaves the scheduler at once');
    assert.equal((await fetch(`${c.httpUrl}/health`)).status, 503);
  });

  it('drains a node over the period: its clients resume on the others without losing gifts', async () => {
    const nodes = (await cluster(3)) as [TestServer, TestServer, TestServer];
    const [a, b, c] = nodes;
    let next = 0;
    const others = [a.wsUrl, c.wsUrl];
    const viewers: Array<{ got: number[]; reconnects: number[] }> = [];
    for (let i = 0; i < 30; i++) {
      let first = true;
      const cl = sdkClient(b.wsUrl, {
        websocket: rotating(() => {
          if (first) {
            first = false;
            return b.wsUrl;
          }
          return others[next++ % others.length] as string;
        }),
        minReconnectDelay: 50,
        maxReconnectDelay: 200,
      });
      const v = { got: [] as number[], reconnects: [] as number[] };
      cl.on('connecting', (ctx) => {
        if (ctx.code !== 0) v.reconnects.push(ctx.code);
      });
      const sub = cl.newSubscription('gift:drained');
      sub.on('publication', (ctx) => v.got.push((ctx.data as { n: number }).n));
      sub.subscribe();
      cl.connect();
      await once(sub, 'subscribed');
      viewers.push(v);
    }
    assert.equal(b.server.node.connectedCount, 30);
    let n = 0;
    const publishing = (async () => {
      const until = Date.now() + 2500;
      while (Date.now() < until) {
        await a.api('publish', { channel: 'gift:drained', data: { n: ++n } });
        await sleep(10);
      }
    })();
    await sleep(200);
    const started = Date.now();
    await b.api('drain', { period_seconds: 1 });
    await waitFor(() => b.server.node.connectedCount === 0, { timeoutMs: 5000, what: 'node b empty' });
    const took = Date.now() - started;
    assert.ok(took >= 700 && took < 8000, `clients moved over the 1 s period, not at once (${took} ms)`);
    await publishing;
    await waitFor(() => a.server.node.connectedCount + c.server.node.connectedCount === 30, {
      what: 'all resumed elsewhere',
    });
    await waitFor(() => viewers.every((v) => v.got.length >= n), {
      timeoutMs: 5000,
      what: 'every gift delivered',
    });
    for (const v of viewers) {
      assert.deepEqual(
        [...new Set(v.got)].sort((x, y) => x - y),
        Array.from({ length: n }, (_, i) => i + 1),
        'no gift missing',
      );
      assert.deepEqual(v.reconnects.slice(0, 1), [4001], 'moved off with the drain code');
    }
  });
});
