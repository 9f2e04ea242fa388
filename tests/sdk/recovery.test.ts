// Stream recovery with the official SDK (PROTOCOL.md §4.2), server pings and pongs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import WebSocket from 'ws';
import { once, sdkClient, sleep, startServer, waitFor } from '../helpers/harness.ts';

type Subscribed = { wasRecovering: boolean; recovered: boolean; hasRecoveredPublications: boolean };

describe('recovery', () => {
  it('recovers missed publications after a server-closed connection, in order (recovered:true)', async () => {
    const s = await startServer();
    const c = sdkClient(s.wsUrl, { minReconnectDelay: 1000, maxReconnectDelay: 1200 });
    const sub = c.newSubscription('gift:rec');
    const got: number[] = [];
    const offsets: number[] = [];
    sub.on('publication', (ctx) => {
      got.push((ctx.data as { n: number }).n);
      offsets.push(ctx.offset ?? -1);
    });
    const events: Subscribed[] = [];
    sub.on('subscribed', (ctx) => events.push(ctx as unknown as Subscribed));
    sub.subscribe();
    c.connect();
    await waitFor(() => events.length === 1, { what: 'first subscribe' });
    for (let n = 1; n <= 3; n++) await s.api('publish', { channel: 'gift:rec', data: { n } });
    await waitFor(() => got.length === 3);
    const connecting = once<{ code: number }>(c, 'connecting');
    // Close every session server-side with a reconnect code, then publish while it is away.
    s.server.gateway.closeAll({ code: 3001, reason: 'shutdown' });
    s.server.gateway.accepting = true;
    assert.equal((await connecting).code, 3001);
    for (let n = 4; n <= 10; n++) await s.api('publish', { channel: 'gift:rec', data: { n } });
    await waitFor(() => events.length === 2, { timeoutMs: 5000, what: 'resubscribe' });
    assert.deepEqual(
      { was: events[1]?.wasRecovering, rec: events[1]?.recovered, has: events[1]?.hasRecoveredPublications },
      { was: true, rec: true, has: true },
    );
    await waitFor(() => got.length === 10, { what: 'all 10' });
    assert.deepEqual(got, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual(offsets, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Live flow continues after recovery.
    await s.api('publish', { channel: 'gift:rec', data: { n: 11 } });
    await waitFor(() => got.length === 11);
  });

  it('tells the client recovered:false when history was trimmed past its position', async () => {
    const s = await startServer({
      namespaces: [{ name: 'small', subscribe: 'anyone', historySize: 2, recovery: true }],
    });
    const c = sdkClient(s.wsUrl, { minReconnectDelay: 1000, maxReconnectDelay: 1200 });
    const sub = c.newSubscription('small:x');
    const got: number[] = [];
    sub.on('publication', (ctx) => got.push((ctx.data as { n: number }).n));
    const events: Subscribed[] = [];
    sub.on('subscribed', (ctx) => events.push(ctx as unknown as Subscribed));
    sub.subscribe();
    c.connect();
    await waitFor(() => events.length === 1);
    await s.api('publish', { channel: 'small:x', data: { n: 1 } });
    await waitFor(() => got.length === 1);
    await s.api('disconnect', {
      user: '',
      client: [...s.server.node.clients.keys()][0],
      disconnect: { code: 3011, reason: 'reconnect' },
    });
    for (let n = 2; n <= 6; n++) await s.api('publish', { channel: 'small:x', data: { n } });
    await waitFor(() => events.length === 2, { what: 'resubscribe' });
    assert.equal(events[1]?.wasRecovering, true);
    assert.equal(events[1]?.recovered, false);
    await sleep(100);
    assert.deepEqual(got, [1], 'no publications are pushed when recovery failed');
    await s.api('publish', { channel: 'small:x', data: { n: 7 } });
    await waitFor(() => got.length === 2);
    assert.deepEqual(got, [1, 7]);
  });

  it('keeps an idle SDK client connected through server pings', async () => {
    const s = await startServer({ client: { pingIntervalSeconds: 1, pongTimeoutSeconds: 0 } });
    const c = sdkClient(s.wsUrl, { maxServerPingDelay: 1500 });
    let reconnects = 0;
    c.on('connecting', () => reconnects++);
    c.connect();
    await once(c, 'connected');
    await sleep(4000);
    assert.equal(c.state, 'connected');
    assert.equal(reconnects, 1);
  });

  it('answers pings with pongs from the SDK (pong required) and closes 3012 when a raw client never pongs', async () => {
    const s = await startServer({ client: { pingIntervalSeconds: 2, pongTimeoutSeconds: 1 } });
    const c = sdkClient(s.wsUrl);
    c.connect();
    await once(c, 'connected');
    const raw = new WebSocket(s.wsUrl);
    await once(raw, 'open');
    raw.send(JSON.stringify({ id: 1, connect: {} }));
    const closed = new Promise<number>((resolve) => raw.on('close', (code) => resolve(code)));
    const code = await Promise.race([closed, sleep(6000).then(() => -1)]);
    assert.equal(code, 3012);
    assert.equal(c.state, 'connected', 'the SDK client answered its pings');
  });

  it('the SDK reconnects when the server stops pinging (client-side ping timeout)', async () => {
    const s = await startServer({ client: { pingIntervalSeconds: 1, pongTimeoutSeconds: 0 } });
    const c = sdkClient(s.wsUrl, { maxServerPingDelay: 500 });
    c.connect();
    await once(c, 'connected');
    s.server.node.clock.stop();
    const ev = await once<{ code: number }>(c, 'connecting', 5000);
    assert.equal(ev.code, 2); // centrifuge-js "no ping"
    s.server.node.clock.start();
  });
});
