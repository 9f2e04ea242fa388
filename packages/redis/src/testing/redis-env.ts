// Test environment for the Redis adapters: the shared Redis every test uses (with a unique key
// prefix per adapters instance) and key cleanup by prefix. Never FLUSHDB: other suites share it.

import { connect } from 'node:net';
import { createClient } from 'redis';
import { uniquePrefix } from '@roomcast/server/testing';
import { createRedisAdapters, type RedisAdapters, type RedisAdaptersOptions } from '../adapters.ts';

export const TEST_REDIS_HOST = '127.0.0.1';
export const TEST_REDIS_PORT = 6379;
export const TEST_REDIS_URL = `redis://${TEST_REDIS_HOST}:${TEST_REDIS_PORT}`;

/** Why Redis tests must be skipped (nothing listening), or undefined when Redis answers. */
export async function redisSkipReason(url = TEST_REDIS_URL): Promise<string | undefined> {
  const { hostname, port } = new URL(url);
  const open = await new Promise<boolean>((resolve) => {
    const s = connect({ host: hostname, port: Number(port) });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1000, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
  return open ? undefined : `no Redis at ${url} (start redis-server on port ${port} to run these tests)`;
}

const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

/** Deletes every key starting with `prefix` on one Redis server (a cluster: call per master). */
export async function deleteKeysByPrefix(url: string, prefix: string, deadlineMs = 10_000): Promise<number> {
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => undefined);
  await client.connect();
  const deadline = Date.now() + deadlineMs;
  let cursor = '0';
  let deleted = 0;
  try {
    do {
      if (Date.now() > deadline) throw new Error(`key cleanup for ${prefix} passed its deadline`);
      const reply = await client.sendCommand([
        'SCAN',
        cursor,
        'MATCH',
        `${globEscape(prefix)}*`,
        'COUNT',
        '1000',
      ]);
      if (!Array.isArray(reply) || typeof reply[0] !== 'string' || !Array.isArray(reply[1])) {
        throw new Error('unexpected SCAN reply');
      }
      cursor = reply[0];
      // One key per UNLINK: keys of different channels live in different cluster slots.
      const keys = (reply[1] as unknown[]).filter((k): k is string => typeof k === 'string');
      await Promise.all(keys.map((k) => client.sendCommand(['UNLINK', k])));
      deleted += keys.length;
    } while (cursor !== '0');
  } finally {
    client.destroy();
  }
  return deleted;
}

/** Counts keys starting with `prefix` (to check that cleanup and expiry leave nothing). */
export async function countKeysByPrefix(url: string, prefix: string): Promise<number> {
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => undefined);
  await client.connect();
  let cursor = '0';
  let n = 0;
  try {
    do {
      const reply = await client.sendCommand([
        'SCAN',
        cursor,
        'MATCH',
        `${globEscape(prefix)}*`,
        'COUNT',
        '1000',
      ]);
      if (!Array.isArray(reply) || typeof reply[0] !== 'string' || !Array.isArray(reply[1])) {
        throw new Error('unexpected SCAN reply');
      }
      cursor = reply[0];
      n += reply[1].length;
    } while (cursor !== '0');
  } finally {
    client.destroy();
  }
  return n;
}

export interface TestAdapters {
  adapters: RedisAdapters;
  prefix: string;
  /** Closes the adapters and deletes every key they wrote. */
  cleanup: () => Promise<void>;
}

/** Adapters on the shared test Redis under a fresh unique prefix. */
export async function testAdapters(
  tag: string,
  opts: Partial<RedisAdaptersOptions> = {},
  cleanupUrls: readonly string[] = [TEST_REDIS_URL],
): Promise<TestAdapters> {
  const prefix = uniquePrefix(`redis-${tag}`);
  const adapters = await createRedisAdapters({ url: TEST_REDIS_URL, prefix, ...opts });
  return {
    adapters,
    prefix,
    cleanup: async () => {
      await adapters.close();
      for (const url of cleanupUrls) await deleteKeysByPrefix(url, prefix);
    },
  };
}
