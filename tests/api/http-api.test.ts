// The server HTTP API: auth, error shapes and every method's result shape.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { API_KEY, once, sdkClient, startServer, waitFor } from '../helpers/harness.ts';

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'x-api-key': API_KEY, ...headers }, body });

describe('HTTP API', () => {
  it('authenticates with X-API-Key, Authorization: apikey, and ?api_key; 401 otherwise', async () => {
    const s = await startServer();
    const body = JSON.stringify({ channel: 'live:a', data: { x: 1 } });
    assert.equal((await post(`${s.httpUrl}/api/publish`, body)).status, 200);
    const viaAuth = await fetch(`${s.httpUrl}/api/publish`, {
      method: 'POST',
      headers: { authorization: `apikey ${API_KEY}` },
      body,
    });
    assert.equal(viaAuth.status, 200);
    assert.equal(
      (await fetch(`${s.httpUrl}/api/publish?api_key=${API_KEY}`, { method: 'POST', body })).status,
      200,
    );
    const wrong = await post(`${s.httpUrl}/api/publish`, body, { 'x-api-key': 'nope' });
    assert.equal(wrong.status, 401);
    assert.deepEqual(await wrong.json(), { error: { code: 101, message: 'unauthorized' } });
    assert.equal((await fetch(`${s.httpUrl}/api/publish`, { method: 'POST', body })).status, 401);
  });

  it('an empty configured key refuses every call', async () => {
    const s = await startServer({ api: { key: '' } });
    assert.equal((await post(`${s.httpUrl}/api/info`, '{}', { 'x-api-key': '' })).status, 401);
  });

  it('bad JSON → 400, unknown method → 404, GET → 405, all with an error body', async () => {
    const s = await startServer();
    const bad = await post(`${s.httpUrl}/api/publish`, '{"channel":');
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: number } }).error.code, 107);
    const unknown = await post(`${s.httpUrl}/api/teleport`, '{}');
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: { code: 104, message: 'method not found' } });
    const get = await fetch(`${s.httpUrl}/api/publish`);
    assert.equal(get.status, 405);
  });

  it('reports errors in the Centrifugo form (HTTP 200) or as HTTP statuses in transport mode', async () => {
    const s = await startServer();
    const r = await s.api('publish', { channel: 'nonamespace:x', data: {} });
    assert.equal(r.status, 200);
    assert.equal(r.body.error?.code, 102);
    const missing = await s.api('publish', { data: {} });
    assert.equal(missing.body.error?.code, 107);
    assert.match(missing.body.error?.message ?? '', /channel/);
    const t = await post(`${s.httpUrl}/api/history`, JSON.stringify({ channel: 'live:x' }), {
      'x-centrifugo-error-mode': 'transport',
    });
    assert.equal(t.status, 400);
    assert.equal(((await t.json()) as { error: { code: number } }).error.code, 108);
  });

  it('publishes to many channels with broadcast and runs batch commands in order', async () => {
    const s = await startServer();
    const b = await s.api('broadcast', { channels: ['gift:1', 'gift:2', 'bad:3'], data: { g: 1 } });
    const responses = b.body.result?.['responses'] as Array<{
      result?: { offset: number };
      error?: { code: number };
    }>;
    assert.equal(responses[0]?.result?.offset, 1);
    assert.equal(responses[1]?.result?.offset, 1);
    assert.equal(responses[2]?.error?.code, 102);
    const batch = await s.api('batch', {
      commands: [
        { publish: { channel: 'gift:b', data: { n: 1 } } },
        { publish: { channel: 'gift:b', data: { n: 2 } } },
        { nope: {} },
      ],
    });
    const replies = batch.body['replies'] as Array<Record<string, { offset?: number; code?: number }>>;
    assert.equal(replies[0]?.['publish']?.offset, 1);
    assert.equal(replies[1]?.['publish']?.offset, 2);
    assert.equal(replies[2]?.['error']?.code, 104);
  });

  it('accepts the legacy {method, params} form', async () => {
    const s = await startServer();
    const r = await post(
      `${s.httpUrl}/api`,
      JSON.stringify({ method: 'publish', params: { channel: 'gift:l', data: { x: 1 } } }),
    );
    assert.deepEqual(((await r.json()) as { result: { offset: number } }).result.offset, 1);
  });

  it('deduplicates publishes with an idempotency key', async () => {
    const s = await startServer();
    const a = await s.api('publish', { channel: 'gift:i', data: { x: 1 }, idempotency_key: 'k1' });
    const b = await s.api('publish', { channel: 'gift:i', data: { x: 1 }, idempotency_key: 'k1' });
    assert.deepEqual(a.body.result, b.body.result);
    const h = await s.api('history', { channel: 'gift:i', limit: -1 });
    assert.equal((h.body.result?.['publications'] as unknown[]).length, 1);
  });

  it('lists channels, node info and removes history keeping the position', async () => {
    const s = await startServer();
    const c = sdkClient(s.wsUrl);
    const sub = c.newSubscription('gift:listed');
    sub.subscribe();
    c.connect();
    await once(sub, 'subscribed');
    const ch = await s.api('channels', { pattern: 'gift:*' });
    assert.deepEqual(ch.body.result, { channels: { 'gift:listed': { num_clients: 1 } } });
    const info = await s.api('info');
    const nodes = info.body.result?.['nodes'] as Array<{ num_clients: number; uid: string }>;
    assert.equal(nodes.length, 1);
    assert.equal(nodes[0]?.num_clients, 1);
    await s.api('publish', { channel: 'gift:listed', data: { x: 1 } });
    await s.api('history_remove', { channel: 'gift:listed' });
    const h = await s.api('history', { channel: 'gift:listed', limit: 10 });
    assert.equal(h.body.result?.['offset'], 1);
    assert.equal(h.body.result?.['publications'], undefined);
  });

  it('refresh with expired:true closes the user’s connections with 3005', async () => {
    const s = await startServer();
    const { connectToken } = await import('../helpers/harness.ts');
    const c = sdkClient(s.wsUrl, { token: await connectToken({ sub: 'e1' }, { expiresInSeconds: 3600 }) });
    c.connect();
    await once(c, 'connected');
    const ev = once<{ code: number }>(c, 'connecting');
    await s.api('refresh', { user: 'e1', expired: true });
    assert.equal((await ev).code, 3005);
  });

  it('exposes /health, /metrics and a status page', async () => {
    const s = await startServer();
    assert.deepEqual(await (await fetch(`${s.httpUrl}/health`)).json(), { status: 'ok' });
    const c = sdkClient(s.wsUrl);
    c.connect();
    await once(c, 'connected');
    await waitFor(async () =>
      /roomcast_connections\{[^}]*\} 1/.test(await (await fetch(`${s.httpUrl}/metrics`)).text()),
    );
    const m = await (await fetch(`${s.httpUrl}/metrics`)).text();
    for (const name of [
      'roomcast_commands_total',
      'roomcast_deliveries_total',
      'roomcast_disconnects_total',
      'roomcast_subscriptions',
    ]) {
      assert.ok(m.includes(name), name);
    }
    const page = await fetch(`${s.httpUrl}/status`);
    assert.match(await page.text(), /roomcast/);
    const status = (await (await fetch(`${s.httpUrl}/status.json`)).json()) as { connections: number };
    assert.equal(status.connections, 1);
  });
});
