// The roomcast CLI as users run it: config printing and checking, env variables, serve, and a
// graceful SIGTERM that hands clients a reconnect code.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultConfig } from '@roomcast/server';
import { once, sdkClient } from '../helpers/harness.ts';
import { freePort, runCli, startCli } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'roomcast-cli-'));

describe('roomcast CLI', () => {
  it('prints the default config as JSON equal to the schema defaults, and YAML that check-config accepts', async () => {
    const json = await runCli(['print-default-config', '--format', 'json']);
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.stdout), defaultConfig());
    const yaml = await runCli(['print-default-config']);
    assert.match(yaml.stdout, /# TCP port for WebSocket, HTTP API and pages; env ROOMCAST_PORT/);
    const file = join(dir, 'default.yaml');
    writeFileSync(file, yaml.stdout);
    const check = await runCli(['check-config', '--config', file]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stdout, /configuration OK/);
    assert.match(check.stdout, /live:, gift:, user:/);
  });

  it('check-config names every wrong key and exits 1', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ http: { port: 'eighty' }, client: { pingIntervalSeconds: 5, pongTimeoutSeconds: 9 } }),
    );
    const r = await runCli(['check-config', '--config', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /http\.port/);
    const r2 = await runCli(['check-config', '--config', join(dir, 'missing.json')]);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /cannot read config file/);
    const r3 = await runCli(['check-config'], { ROOMCAST_ALLOW_ANONYMOUS: 'perhaps' });
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /ROOMCAST_ALLOW_ANONYMOUS/);
  });

  it('gives helpful errors for unknown commands and options', async () => {
    const r = await runCli(['serv']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command "serv"/);
    const r2 = await runCli(['check-config', '--client.nope=1']);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /client\.nope: not a config key/);
  });

  it('serves with the env variables, refuses anonymous when told, and shuts down on SIGTERM with 3001', async () => {
    const port = await freePort();
    const { child, output } = await startCli(['serve'], {
      ROOMCAST_PORT: String(port),
      ROOMCAST_API_KEY: 'cli-key',
      ROOMCAST_TOKEN_HMAC_SECRET: 'cli-secret-cli-secret-cli-secret',
      ROOMCAST_ALLOW_ANONYMOUS: 'true',
      ROOMCAST_LOG_LEVEL: 'warn',
    });
    try {
      assert.match(output(), new RegExp(`ws://localhost:${port}/connection/websocket`));
      assert.match(output(), /\/status/);
      const res = await fetch(`http://127.0.0.1:${port}/api/info`, {
        method: 'POST',
        headers: { 'x-api-key': 'cli-key' },
        body: '{}',
      });
      assert.equal(res.status, 200);
      const c = sdkClient(`ws://127.0.0.1:${port}/connection/websocket`, {
        minReconnectDelay: 5000,
        maxReconnectDelay: 5000,
      });
      c.connect();
      await once(c, 'connected');
      const reconnecting = once<{ code: number }>(c, 'connecting');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal((await reconnecting).code, 3001);
      assert.equal(await exited, 0);
      c.disconnect();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses anonymous clients when ROOMCAST_ALLOW_ANONYMOUS=false', async () => {
    const port = await freePort();
    const { child } = await startCli(['serve'], {
      ROOMCAST_PORT: String(port),
      ROOMCAST_ALLOW_ANONYMOUS: 'false',
      ROOMCAST_LOG_LEVEL: 'warn',
    });
    try {
      const c = sdkClient(`ws://127.0.0.1:${port}/connection/websocket`);
      c.connect();
      assert.equal((await once<{ code: number }>(c, 'disconnected')).code, 101);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('roomcast drain moves a running node’s clients off and waits until it is empty', async () => {
    const port = await freePort();
    const { child } = await startCli(['serve'], {
      ROOMCAST_PORT: String(port),
      ROOMCAST_API_KEY: 'drain-key',
      ROOMCAST_ALLOW_ANONYMOUS: 'true',
      ROOMCAST_LOG_LEVEL: 'warn',
    });
    try {
      const c = sdkClient(`ws://127.0.0.1:${port}/connection/websocket`, {
        minReconnectDelay: 5000,
        maxReconnectDelay: 5000,
      });
      c.connect();
      await once(c, 'connected');
      const moved = once<{ code: number }>(c, 'connecting', 60_000); // the drain CLI starts a Node process first
      const r = await runCli(['drain', '--url', `http://127.0.0.1:${port}`, '--period', '0.5', '--wait'], {
        ROOMCAST_API_KEY: 'drain-key',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /draining .*: 1 clients to move/);
      assert.match(r.stdout, /drained/);
      assert.equal((await moved).code, 4001);
      const bad = await runCli(['drain', '--url', `http://127.0.0.1:${port}`], { ROOMCAST_API_KEY: 'wrong' });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /refused the API key/);
      c.disconnect();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('explains a port already in use', async () => {
    const port = await freePort();
    const { child } = await startCli(['serve', '--port', String(port)], { ROOMCAST_LOG_LEVEL: 'warn' });
    try {
      const r = await runCli(['serve', '--port', String(port)], { ROOMCAST_LOG_LEVEL: 'warn' });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /already in use/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
