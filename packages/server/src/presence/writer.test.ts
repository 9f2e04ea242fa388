import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientInfo } from '@roomcast/protocol';
import { createLogger } from '../logger.ts';
import { MemoryPresenceStore } from './memory-presence.ts';
import type { PresenceStore } from './presence-store.ts';
import { PresenceWriter } from './writer.ts';

const info = (user: string, client: string): ClientInfo => ({ user, client });
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A store whose writes wait until released, recording how many were in flight at once. */
class SlowStore extends MemoryPresenceStore {
  inFlight = 0;
  maxInFlight = 0;
  calls: string[] = [];
  release: (() => void)[] = [];
  fail = false;
  async #gate(what: string): Promise<void> {
    this.calls.push(what);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((r) => this.release.push(r));
    this.inFlight--;
    if (this.fail) throw new Error('store down');
  }
  override async add(channel: string, client: string, i: ClientInfo, ttl: number): Promise<void> {
    await this.#gate(`add ${channel} ${client}`);
    return super.add(channel, client, i, ttl);
  }
  override async remove(channel: string, client: string): Promise<void> {
    await this.#gate(`remove ${channel} ${client}`);
    return super.remove(channel, client);
  }
  releaseAll(): void {
    for (const r of this.release.splice(0)) r();
  }
}

describe('presence writer', () => {
  it('writes on the next turn at a low rate', async () => {
    const store: PresenceStore = new MemoryPresenceStore();
    const w = new PresenceWriter(store, createLogger('silent'));
    w.add('live:a', 'c1', info('u1', 'c1'), 60_000);
    await w.drain();
    assert.deepEqual(Object.keys(await store.get('live:a')), ['c1']);
    w.remove('live:a', 'c1');
    await w.drain();
    assert.deepEqual(await store.get('live:a'), {});
  });

  it('keeps one batch in flight and only the latest operation per (channel, client) behind it', async () => {
    const store = new SlowStore();
    const w = new PresenceWriter(store, createLogger('silent'));
    w.add('live:a', 'c1', info('u1', 'c1'), 60_000);
    await turn();
    assert.deepEqual(store.calls, ['add live:a c1']);
    // While that batch waits: a storm of switches by two clients.
    for (let i = 0; i < 1000; i++) {
      w.remove('live:a', 'c2');
      w.add('live:b', 'c2', info('u2', 'c2'), 60_000);
      w.remove('live:b', 'c2');
      w.add('live:a', 'c2', info('u2', 'c2'), 60_000);
    }
    w.remove('live:a', 'c1');
    await turn();
    assert.equal(store.maxInFlight, 1, 'nothing else sent while a batch is in flight');
    store.releaseAll();
    for (let i = 0; i < 5; i++) await turn();
    assert.deepEqual(store.calls.slice(1).sort(), ['add live:a c2', 'remove live:a c1', 'remove live:b c2']);
    store.releaseAll();
    await w.drain();
    assert.deepEqual(Object.keys(await store.get('live:a')), ['c2']);
    assert.deepEqual(await store.get('live:b'), {});
    assert.equal(w.sent, 4);
    assert.ok(w.coalesced >= 3990);
  });

  it('counts failures and goes on with the next batch', async () => {
    const store = new SlowStore();
    store.fail = true;
    const w = new PresenceWriter(store, createLogger('silent'));
    w.add('live:a', 'c1', info('u1', 'c1'), 60_000);
    w.add('live:a', 'c2', info('u2', 'c2'), 60_000);
    await turn();
    store.releaseAll();
    await turn();
    store.fail = false;
    w.add('live:a', 'c3', info('u3', 'c3'), 60_000);
    for (let i = 0; i < 5 && store.release.length === 0; i++) await turn();
    store.releaseAll();
    await w.drain();
    assert.equal(w.failed, 2);
    assert.deepEqual(Object.keys(await store.get('live:a')), ['c3']);
  });
});
