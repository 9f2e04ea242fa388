import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, configLeaves, defaultConfig, loadConfig } from './load.ts';

describe('config', () => {
  it('ships live:, gift: and user: namespaces', () => {
    const names = defaultConfig().namespaces.map((n) => n.name);
    assert.deepEqual(names, ['live', 'gift', 'user']);
  });

  it('has the env names the docs promise, on documented leaves', () => {
    const envs = new Set(configLeaves().map((l) => l.env));
    for (const e of [
      'ROOMCAST_PORT',
      'ROOMCAST_API_KEY',
      'ROOMCAST_TOKEN_HMAC_SECRET',
      'ROOMCAST_ALLOW_ANONYMOUS',
    ]) {
      assert.ok(envs.has(e), e);
    }
    for (const l of configLeaves()) assert.ok(l.description.length > 0, `${l.path} has a doc`);
  });

  it('layers defaults < dev < env < flags', () => {
    const c = loadConfig({
      dev: true,
      env: {
        ROOMCAST_PORT: '9100',
        ROOMCAST_ALLOW_ANONYMOUS: 'false',
        ROOMCAST_ALLOWED_ORIGINS: 'https://a.com, https://b.com',
      },
      flags: { 'http.port': '9200' },
    });
    assert.equal(c.http.port, 9200);
    assert.equal(c.client.allowAnonymous, false);
    assert.equal(c.api.key, 'dev-api-key');
    assert.deepEqual(c.client.allowedOrigins, ['https://a.com', 'https://b.com']);
  });

  it('reports every invalid key', () => {
    assert.throws(
      () => loadConfig({ flags: { 'client.pongTimeoutSeconds': '30' } }),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.includes('pongTimeoutSeconds')),
    );
    assert.throws(() => loadConfig({ env: { ROOMCAST_PORT: 'abc' } }), /ROOMCAST_PORT/);
  });
});
