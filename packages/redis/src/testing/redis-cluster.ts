// A throwaway 3-master Redis Cluster for tests: three private redis-server processes on free
// ports, joined with `redis-cli --cluster create`, ready once every node says cluster_state:ok.
// stop() kills exactly those PIDs and removes the temp dir.

import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sleep } from '@roomcast/server/testing';
import { rawCommand, RedisServerProcess } from './redis-server.ts';

const run = promisify(execFile);

export class TestRedisCluster {
  readonly nodes: readonly RedisServerProcess[];
  readonly #dir: string;

  private constructor(nodes: readonly RedisServerProcess[], dir: string) {
    this.nodes = nodes;
    this.#dir = dir;
  }

  get urls(): string[] {
    return this.nodes.map((n) => n.url);
  }

  static async start(masters = 3, readyTimeoutMs = 20_000): Promise<TestRedisCluster> {
    const dir = await mkdtemp(join(tmpdir(), 'roomcast-redis-cluster-'));
    const nodes: RedisServerProcess[] = [];
    const cluster = new TestRedisCluster(nodes, dir);
    try {
      for (let i = 0; i < masters; i++) nodes.push(await RedisServerProcess.start(dir, { cluster: true }));
      await run(
        'redis-cli',
        [
          '--cluster',
          'create',
          ...nodes.map((n) => `127.0.0.1:${n.port}`),
          '--cluster-replicas',
          '0',
          '--cluster-yes',
        ],
        { timeout: 15_000 },
      );
      const deadline = Date.now() + readyTimeoutMs;
      for (const n of nodes) {
        for (;;) {
          const info = await rawCommand(n.port, 'CLUSTER INFO').catch(() => '');
          if (info.includes('cluster_state:ok')) break;
          if (Date.now() > deadline)
            throw new Error(`cluster node ${n.port} not ok within ${readyTimeoutMs} ms`);
          await sleep(100);
        }
      }
      return cluster;
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
    await rm(this.#dir, { recursive: true, force: true });
  }
}
