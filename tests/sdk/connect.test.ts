// Connecting with the official centrifuge SDK: anonymous, JWT with each pinned algorithm, and
// the codes for refused tokens.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { SignJWT, importPKCS8, base64url } from 'jose';
import { connectToken, HMAC_SECRET, once, sdkClient, startServer, waitFor } from '../helpers/harness.ts';

type Ctx = { code: number; reason: string };

describe('connect', () => {
  it('connects anonymously when allowed', async () => {
    const s = await startServer();
    const c = sdkClient(s.wsUrl);
    const connected = once<{ client: string; transport: string }>(c, 'connected');
    c.connect();
    const ctx = await connected;
    assert.match(ctx.client, /^[0-9a-f-]{36}$/);
    assert.equal(ctx.transport, 'websocket');
  });

  it('refuses anonymous connections when not allowed: error 101, final', async () => {
    const s = await startServer({ client: { allowAnonymous: false } });
    const c = sdkClient(s.wsUrl);
    const disconnected = once<Ctx>(c, 'disconnected');
    c.connect();
    assert.equal((await disconnected).code, 101);
  });

  it('connects with an HS256 token and takes the user from sub', async () => {
    const s = await startServer({ client: { allowAnonymous: false } });
    const c = sdkClient(s.wsUrl, { token: await connectToken({ sub: 'alice' }, { expiresInSeconds: 3600 }) });
    const connected = once(c, 'connected');
    c.connect();
    await connected;
    await waitFor(() => s.server.node.users.has('alice'));
  });

  for (const [name, alg, gen] of [
    ['RS256', 'RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
    ['ES256', 'ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['EdDSA', 'EdDSA', () => generateKeyPairSync('ed25519')],
  ] as const) {
    it(`connects with an ${name} token against the configured public key`, async () => {
      const { publicKey, privateKey } = gen();
      const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const keyField =
        alg === 'RS256' ? 'rsaPublicKey' : alg === 'ES256' ? 'ecdsaPublicKey' : 'ed25519PublicKey';
      const s = await startServer({ client: { allowAnonymous: false }, token: { [keyField]: pem } });
      const pk = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), alg);
      const token = await new SignJWT({ sub: 'bob' })
        .setProtectedHeader({ alg })
        .setExpirationTime('1h')
        .sign(pk);
      const c = sdkClient(s.wsUrl, { token });
      const connected = once(c, 'connected');
      c.connect();
      await connected;
    });
  }

  it('an expired token gets 109, the SDK fetches a new one and connects', async () => {
    const s = await startServer({ client: { allowAnonymous: false } });
    let calls = 0;
    const c = sdkClient(s.wsUrl, {
      token: await connectToken({ sub: 'u1', exp: Math.floor(Date.now() / 1000) - 10 }),
      getToken: async () => {
        calls++;
        return connectToken({ sub: 'u1' }, { expiresInSeconds: 3600 });
      },
    });
    const connected = once(c, 'connected');
    c.connect();
    await connected;
    assert.equal(calls, 1);
  });

  const rejects = async (token: string, extra: Record<string, unknown> = {}): Promise<Ctx> => {
    const s = await startServer({ client: { allowAnonymous: false }, ...extra });
    const c = sdkClient(s.wsUrl, { token });
    const disconnected = once<Ctx>(c, 'disconnected');
    c.connect();
    return disconnected;
  };

  it('an invalid signature closes with 3500 (final)', async () => {
    const ctx = await rejects(
      await connectToken({ sub: 'u' }, { secret: 'some-other-secret-some-other-secret' }),
    );
    assert.equal(ctx.code, 3500);
  });

  it('alg:none is refused with 3500', async () => {
    const unsigned = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ sub: 'u' }))}.`;
    assert.equal((await rejects(unsigned)).code, 3500);
  });

  it('an HS256 token signed with the RSA public key is refused with 3500', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const forged = await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(pem));
    assert.equal((await rejects(forged, { token: { hmacSecret: '', rsaPublicKey: pem } })).code, 3500);
  });

  it('a tampered payload, a future nbf and a wrong audience are refused with 3500', async () => {
    const good = await connectToken({ sub: 'u' });
    const [h, , sig] = good.split('.');
    const tampered = `${h}.${base64url.encode(JSON.stringify({ sub: 'admin' }))}.${sig}`;
    assert.equal((await rejects(tampered)).code, 3500);
    const nbf = await connectToken({ sub: 'u', nbf: Math.floor(Date.now() / 1000) + 3600 });
    assert.equal((await rejects(nbf)).code, 3500);
    const aud = await connectToken({ sub: 'u', aud: 'other' });
    assert.equal(
      (await rejects(aud, { token: { hmacSecret: HMAC_SECRET, audience: 'roomcast' } })).code,
      3500,
    );
  });

  it('an anonymous token (empty sub) is refused with 3507 when anonymous is not allowed', async () => {
    assert.equal((await rejects(await connectToken({ sub: '' }))).code, 3507);
  });

  it('refreshes an expiring connection through getToken without reconnecting', async () => {
    const s = await startServer({ client: { allowAnonymous: false } });
    let refreshes = 0;
    const c = sdkClient(s.wsUrl, {
      token: await connectToken({ sub: 'u2' }, { expiresInSeconds: 2 }),
      getToken: async () => {
        refreshes++;
        return connectToken({ sub: 'u2' }, { expiresInSeconds: 3600 });
      },
    });
    let disconnects = 0;
    c.on('connecting', () => disconnects++);
    const connected = once<{ client: string }>(c, 'connected');
    c.connect();
    const first = await connected;
    await waitFor(() => refreshes >= 1, { timeoutMs: 6000, what: 'refresh' });
    await waitFor(() => (s.server.node.clients.get(first.client)?.expireAt ?? 0) > Date.now() / 1000 + 60, {
      what: 'new expiry',
    });
    assert.equal(c.state, 'connected');
    assert.equal(disconnects, 1); // only the initial connecting
  });

  it('rpc answers 108 (not available) when no proxy is configured', async () => {
    const s = await startServer();
    const c = sdkClient(s.wsUrl);
    c.connect();
    await once(c, 'connected');
    await assert.rejects(c.rpc('anything', {}), (err: { code: number }) => err.code === 108);
  });
});
