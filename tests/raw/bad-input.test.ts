// Bad input on raw sockets: every case gets its documented close code, the process stays up,
// and a bystander client keeps receiving.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Centrifuge } from 'centrifuge';
import { once, sdkClient, sleep, startServer, waitFor, type TestServer } from '../helpers/harness.ts';
import { clientFrame, closeCodeOf, rawClient, rawUpgrade } from '../helpers/raw.ts';

describe('bad input (raw sockets)', () => {
  let s: TestServer;
  let bystanderPubs: unknown[];

  before(async () => {
    s = await startServer(
      { client: { maxPayloadBytes: 4096, maxFragments: 8, connectTimeoutSeconds: 1 } },
      { manualTeardown: true },
    );
    const c = sdkClient(s.wsUrl, {}, true);
    bystander = c;
    const sub = c.newSubscription('live:bystander');
    bystanderPubs = [];
    sub.on('publication', (ctx) => bystanderPubs.push(ctx.data));
    sub.subscribe();
    c.connect();
    await once(sub, 'subscribed');
  });

  let bystander: Centrifuge | undefined;
  after(async () => {
    bystander?.disconnect();
    await s.close();
  });

  const bystanderStillServed = async (): Promise<void> => {
    const before = bystanderPubs.length;
    const r = await s.api('publish', { channel: 'live:bystander', data: { ok: true } });
    assert.deepEqual(r.body, { result: {} });
    await waitFor(() => bystanderPubs.length === before + 1, { what: 'bystander delivery' });
  };

  const closesWith = async (
    code: number,
    act: (c: Awaited<ReturnType<typeof rawClient>>) => void,
    connectFirst = true,
  ): Promise<void> => {
    const c = await rawClient(s.wsUrl);
    if (connectFirst) {
      c.send(JSON.stringify({ id: 1, connect: {} }));
      await waitFor(() => c.messages.length > 0, { what: 'connect reply' });
    }
    act(c);
    const closed = await c.closed;
    assert.equal(closed.code, code, `close reason: ${closed.reason}`);
    await bystanderStillServed();
  };

  it('binary frame in JSON mode → 3501', async () => {
    await closesWith(3501, (c) => c.send(Buffer.from('{"id":2,"subscribe":{"channel":"live:a"}}'), true));
  });

  it('malformed JSON → 3501', async () => {
    await closesWith(3501, (c) => c.send('{"id":2,"subscribe":'));
  });

  it('unknown command → 3501', async () => {
    await closesWith(3501, (c) => c.send('{"id":2,"teleport":{}}'));
  });

  it('missing id on a command that needs a reply → 3501', async () => {
    await closesWith(3501, (c) => c.send('{"subscribe":{"channel":"live:a"}}'));
  });

  it('JSON that is not an object, wrong field types, huge ids → 3501', async () => {
    await closesWith(3501, (c) => c.send('[1,2,3]'));
    await closesWith(3501, (c) => c.send('{"id":2,"subscribe":{"channel":42}}'));
    await closesWith(3501, (c) => c.send('{"id":99999999999999,"presence":{"channel":"live:a"}}'));
  });

  it('deeply nested data → 3501', async () => {
    const deep = '['.repeat(200) + ']'.repeat(200);
    await closesWith(3501, (c) => c.send(`{"id":2,"publish":{"channel":"live:a","data":${deep}}}`));
  });

  it('oversized frame → 1009 (message too big)', async () => {
    await closesWith(1009, (c) =>
      c.send(JSON.stringify({ id: 2, publish: { channel: 'live:a', data: 'x'.repeat(8000) } })),
    );
  });

  it('commands before connect → 3501', async () => {
    await closesWith(3501, (c) => c.send('{"id":1,"subscribe":{"channel":"live:a"}}'), false);
  });

  it('a second connect → 3501', async () => {
    await closesWith(3501, (c) => c.send('{"id":2,"connect":{}}'));
  });

  it('subscribe in the same frame as connect, and before the connect reply, is processed in order', async () => {
    const c = await rawClient(s.wsUrl);
    c.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"gift:order"}}');
    c.send('{"id":3,"subscribe":{"channel":"live:order"}}');
    await waitFor(() => c.messages.join('\n').split('\n').length >= 3, { what: 'three replies' });
    const replies = c.messages
      .join('\n')
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      replies.map((r) => r['id']),
      [1, 2, 3],
    );
    assert.ok(replies[0]?.['connect']);
    assert.ok(replies[1]?.['subscribe']);
    assert.ok(replies[2]?.['subscribe']);
    c.ws.close();
  });

  it('a socket that never sends connect is closed 3502 (stale) after the deadline', async () => {
    const c = await rawClient(s.wsUrl);
    const closed = await Promise.race([c.closed, sleep(4000).then(() => ({ code: -1, reason: 'timeout' }))]);
    assert.equal(closed.code, 3502);
  });

  it('too many fragments → 1008; reserved bits and bad opcodes → 1002', async () => {
    const frag = await rawUpgrade(s.port);
    const parts = [clientFrame(0x1, Buffer.from('{"id":1,'), false)];
    for (let i = 0; i < 20; i++) parts.push(clientFrame(0x0, Buffer.from(' '), false));
    frag.socket.write(Buffer.concat(parts));
    await waitFor(() => closeCodeOf(frag.received) !== undefined, { what: 'close frame' });
    assert.equal(closeCodeOf(frag.received), 1008);
    frag.socket.destroy();

    const rsv = await rawUpgrade(s.port);
    rsv.socket.write(clientFrame(0x1, Buffer.from('{}'), true, 0b011));
    await waitFor(() => closeCodeOf(rsv.received) !== undefined, { what: 'close frame' });
    assert.equal(closeCodeOf(rsv.received), 1002);
    rsv.socket.destroy();

    const op = await rawUpgrade(s.port);
    op.socket.write(clientFrame(0x3, Buffer.from('x')));
    await waitFor(() => closeCodeOf(op.received) !== undefined, { what: 'close frame' });
    assert.equal(closeCodeOf(op.received), 1002);
    op.socket.destroy();
    await bystanderStillServed();
  });

  it('invalid UTF-8 in a text frame → 1007', async () => {
    const bad = await rawUpgrade(s.port);
    bad.socket.write(clientFrame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])));
    await waitFor(() => closeCodeOf(bad.received) !== undefined, { what: 'close frame' });
    assert.equal(closeCodeOf(bad.received), 1007);
    bad.socket.destroy();
    await bystanderStillServed();
  });

  it('accepts compressed commands from a permessage-deflate client', async () => {
    const c = await rawClient(s.wsUrl);
    c.ws.close();
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(s.wsUrl, { perMessageDeflate: { threshold: 0 } });
    const got: string[] = [];
    ws.on('message', (d: Buffer) => got.push(...d.toString().split('\n')));
    await once(ws, 'open');
    assert.match(ws.extensions, /permessage-deflate/);
    ws.send('{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"live:zipped"}}');
    await waitFor(() => got.length >= 2, { what: 'replies to compressed commands' });
    assert.deepEqual(
      got.map((l) => (JSON.parse(l) as { id: number }).id),
      [1, 2],
    );
    ws.close();
  });

  it('refuses other paths with 404 and cross-site origins with 403', async () => {
    await assert.rejects(rawClient(s.wsUrl.replace('/connection/websocket', '/elsewhere')), /HTTP 404/);
    await assert.rejects(rawClient(s.wsUrl, { Origin: 'https://evil.example' }), /HTTP 403/);
    const same = await rawClient(s.wsUrl, { Origin: `http://127.0.0.1:${s.port}` });
    same.ws.close();
  });
});

describe('connection caps and origin allowlist', () => {
  it('caps connections per IP with HTTP 429', async () => {
    const s = await startServer({ client: { maxConnectionsPerIp: 3 } });
    const open = await Promise.all([1, 2, 3].map(() => rawClient(s.wsUrl)));
    await assert.rejects(rawClient(s.wsUrl), /HTTP 429/);
    open[0]?.ws.close();
    await open[0]?.closed;
    await waitFor(
      async () => {
        try {
          (await rawClient(s.wsUrl)).ws.close();
          return true;
        } catch {
          return false;
        }
      },
      { what: 'slot freed' },
    );
    for (const c of open) c.ws.close();
  });

  it('accepts only allowlisted origins when configured', async () => {
    const s = await startServer({
      client: { allowedOrigins: ['https://*.example.com', 'http://app.local:3000'] },
    });
    (await rawClient(s.wsUrl, { Origin: 'https://live.example.com' })).ws.close();
    (await rawClient(s.wsUrl, { Origin: 'http://app.local:3000' })).ws.close();
    await assert.rejects(rawClient(s.wsUrl, { Origin: 'https://example.com.evil.net' }), /HTTP 403/);
    await assert.rejects(rawClient(s.wsUrl, { Origin: 'http://live.example.com' }), /HTTP 403/);
    (await rawClient(s.wsUrl)).ws.close(); // no Origin: native client
  });
});
