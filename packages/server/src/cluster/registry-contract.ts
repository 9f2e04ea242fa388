// Contract suite every NodeRegistry adapter must pass.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storeFixture } from '../testing/contract-store.ts';
import { sleep } from '../testing/wait.ts';
import type { NodeEntry, NodeRegistry } from './node-registry.ts';

export interface RegistryFactoryResult {
  registry: NodeRegistry;
  cleanup?: () => Promise<void>;
}

const entry = (id: string, extra: Partial<NodeEntry> = {}): NodeEntry => ({
  id,
  name: `node-${id}`,
  url: `ws://127.0.0.1:${8000 + id.length}`,
  connections: 10,
  cpu: 0.25,
  eventLoopDelayMs: 1.5,
  draining: false,
  updatedAt: 1_700_000_000_000,
  metrics: { subscriptions: 3 },
  ...extra,
});

export function registryContract(name: string, factory: () => Promise<RegistryFactoryResult>): void {
  const withRegistry = storeFixture(async () => {
    const { registry, cleanup } = await factory();
    return cleanup ? { store: registry, cleanup } : { store: registry };
  });

  describe(`NodeRegistry contract: ${name}`, { timeout: 60_000 }, () => {
    it('lists heartbeating nodes with their load, replacing older entries', async () => {
      await withRegistry(async (r) => {
        await r.heartbeat(entry('a'), 60_000);
        await r.heartbeat(entry('bb', { draining: true }), 60_000);
        await r.heartbeat(entry('a', { connections: 99 }), 60_000);
        const list = (await r.list()).sort((x, y) => x.id.localeCompare(y.id));
        assert.deepEqual(list, [entry('a', { connections: 99 }), entry('bb', { draining: true })]);
      });
    });

    it('forgets nodes that stop heartbeating, and removed nodes at once', async () => {
      await withRegistry(async (r) => {
        await r.heartbeat(entry('old'), 1000);
        await r.heartbeat(entry('gone'), 60_000);
        await r.heartbeat(entry('live'), 60_000);
        await r.remove('gone');
        await sleep(1300);
        assert.deepEqual(
          (await r.list()).map((n) => n.id),
          ['live'],
        );
      });
    });
  });
}
