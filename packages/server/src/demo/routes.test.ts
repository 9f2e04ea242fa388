// The demo backend endpoints against a real server on port 0: tokens, paid gifts through the
// backend path (validation, auth, idempotency), and bounded crowd bots that are real clients.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createServer, type RoomcastServer } from '../server.ts';
import { waitFor } from '../testing/wait.ts';
import { signDemoToken } from './tokens.ts';

const SECRET = 'demo-test-secret-long-enough-for-hs256';

async function start(demo: boolean): Promise<{ server: RoomcastServer; base: string }> {
  const server = createServer({
    config: {
      api: { key: 'k' },
      token: { hmacSecret: SECRET },
      client: { allowAnonymous: true },
      demo: { enabled: demo },
      log: { level: 'silent' },
    },
  });
  const l = await server.listen(0, '127.0.0.1');
  return { server, base: `http://127.0.0.1:${l.port}` };
}

const post = (url: string, body: unknown, token?: string): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });

async function giftHistory(base: string, room: string): Promise<Array<{ data: Record<string, unknown> }>> {
  const r = await fetch(`${base}/api/history`, {
    method: 'POST',
    headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
    body: JSON.stringify({ channel: `gift:${room}`, limit: 100 }),
  });
  const body = (await r.json()) as { result: { publications?: Array<{ data: Record<string, unknown> }> } };
  return body.result.publications ?? [];
}

describe('demo routes', () => {
  let s: { server: RoomcastServer; base: string };
  before(async () => {
    s = await start(true);
  });
  after(() => s.server.close({ timeoutMs: 2000 }));

  it('issues tokens for named users that the gift endpoint accepts', async () => {
    const res = await fetch(`${s.base}/demo/token?user=alice&name=Alice%20A`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; user: string; name: string };
    assert.deepEqual([body.user, body.name], ['alice', 'Alice A']);
    const gift = await post(`${s.base}/demo/gift`, { room: 'r1', gift: 'rocket', count: 2 }, body.token);
    assert.equal(gift.status, 200);
    const pubs = await giftHistory(s.base, 'r1');
    assert.equal(pubs.length, 1);
    const data = pubs[0]?.data;
    assert.equal(data?.['type'], 'gift');
    assert.equal(data?.['gift'], 'rocket');
    assert.equal(data?.['value'], 1000);
    assert.deepEqual(data?.['user'], { id: 'alice', name: 'Alice A' });
    assert.equal(typeof data?.['id'], 'string');
  });

  it('refuses gifts without a valid token or with a bad body', async () => {
    assert.equal((await post(`${s.base}/demo/gift`, { room: 'r2', gift: 'rose' })).status, 401);
    const forged = await signDemoToken('another-secret-that-is-long-enough', { id: 'eve', name: 'Eve' });
    assert.equal((await post(`${s.base}/demo/gift`, { room: 'r2', gift: 'rose' }, forged)).status, 401);
    const token = await signDemoToken(SECRET, { id: 'bob', name: 'Bob' });
    for (const body of [
      { room: 'r2', gift: 'diamond' },
      { room: 'bad room', gift: 'rose' },
      { room: 'r2', gift: 'rose', count: 0 },
      { room: 'r2', gift: 'rose', count: 1.5 },
      { room: 'r2', gift: 'rose', id: 'has space' },
    ]) {
      const res = await post(`${s.base}/demo/gift`, body, token);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.equal((await giftHistory(s.base, 'r2')).length, 0);
  });

  it('publishes a retried gift (same id) once', async () => {
    const token = await signDemoToken(SECRET, { id: 'carol', name: 'Carol' });
    const req = { room: 'r3', gift: 'rose', id: 'g-retry-1' };
    const a = (await (await post(`${s.base}/demo/gift`, req, token)).json()) as { offset: number };
    const b = (await (await post(`${s.base}/demo/gift`, req, token)).json()) as { offset: number };
    assert.equal(a.offset, b.offset);
    const other = await post(`${s.base}/demo/gift`, { ...req, id: 'g-retry-2' }, token);
    assert.equal(((await other.json()) as { offset: number }).offset, a.offset + 1);
    assert.deepEqual(
      (await giftHistory(s.base, 'r3')).map((p) => p.data['id']),
      ['g-retry-1', 'g-retry-2'],
    );
  });

  it('runs crowd bots as real viewers and stops them', async () => {
    const before = s.server.node.stats.publicationsIn.client;
    const res = await post(`${s.base}/demo/crowd`, { room: 'busy', bots: 4, seconds: 30 });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { bots: number }).bots, 4);
    await waitFor(async () => (await s.server.node.presence.stats('live:busy')).numClients === 4, {
      timeoutMs: 5000,
      what: '4 bots in presence',
    });
    const status = (await (await fetch(`${s.base}/demo/crowd?room=busy`)).json()) as {
      running: boolean;
      connected: number;
    };
    assert.deepEqual([status.running, status.connected], [true, 4]);
    // Bots like within 0.5-3 s of joining, through their own connections.
    await waitFor(() => s.server.node.stats.publicationsIn.client > before, {
      timeoutMs: 6000,
      what: 'bot publications',
    });
    const stop = await fetch(`${s.base}/demo/crowd?room=busy`, { method: 'DELETE' });
    assert.deepEqual(await stop.json(), { room: 'busy', stopped: true });
    await waitFor(async () => (await s.server.node.presence.stats('live:busy')).numClients === 0, {
      timeoutMs: 5000,
      what: 'bots gone',
    });
    const after = (await (await fetch(`${s.base}/demo/crowd?room=busy`)).json()) as { running: boolean };
    assert.equal(after.running, false);
  });

  it('ends a crowd by itself when its time is up, and bounds its size', async () => {
    const res = await post(`${s.base}/demo/crowd`, { room: 'short', bots: 2, seconds: 1 });
    assert.equal(res.status, 200);
    await waitFor(async () => (await s.server.node.presence.stats('live:short')).numClients === 2, {
      what: '2 bots',
    });
    await waitFor(async () => (await s.server.node.presence.stats('live:short')).numClients === 0, {
      timeoutMs: 4000,
      what: 'crowd over',
    });
    assert.equal((await post(`${s.base}/demo/crowd`, { room: 'x', bots: 51 })).status, 400);
    assert.equal((await post(`${s.base}/demo/crowd`, { room: 'x', seconds: 601 })).status, 400);
  });
});

describe('demo routes when demo.enabled is off', () => {
  it('are not there', async () => {
    const s = await start(false);
    after(() => s.server.close({ timeoutMs: 2000 }));
    assert.equal((await fetch(`${s.base}/demo/token?user=a`)).status, 404);
    assert.equal((await post(`${s.base}/demo/gift`, { room: 'r', gift: 'rose' })).status, 404);
    assert.equal((await post(`${s.base}/demo/crowd`, { room: 'r' })).status, 404);
  });
});
