// Presence writes of a node, coalesced and bounded. Joins, leaves and TTL refreshes are not sent
// one by one as they happen: they go into a map keyed by (channel, client) that keeps only the
// latest operation, and one batch is in flight at a time. At a low rate a write leaves on the next
// turn of the event loop, as before; under a storm of room switches the map absorbs what cancels
// out (join then leave in the same batch) and the number of commands waiting on the store stays
// bounded by the number of (channel, client) pairs instead of growing with the rate until every
// command times out. Failures are logged once per batch, not once per write.

import type { ClientInfo } from '@roomcast/protocol';
import type { Logger } from '../logger.ts';
import type { PresenceStore } from './presence-store.ts';

/** The latest write of one (channel, client): an add (with its info) or a remove. */
type Op = { channel: string; client: string } & ({ info: ClientInfo; ttlMs: number } | { info?: undefined });

export class PresenceWriter {
  readonly #store: PresenceStore;
  readonly #log: Logger;
  #pending = new Map<string, Op>();
  #inFlight = false;
  #scheduled = false;
  #closed = false;
  /** Writes sent, failed, and absorbed by a later write of the same (channel, client) (for tests). */
  sent = 0;
  failed = 0;
  coalesced = 0;

  constructor(store: PresenceStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  add(channel: string, client: string, info: ClientInfo, ttlMs: number): void {
    this.#put({ channel, client, info, ttlMs });
  }

  remove(channel: string, client: string): void {
    this.#put({ channel, client });
  }

  /** Resolves when everything written so far has been sent (and answered or failed). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0 || this.#inFlight) await new Promise((r) => setTimeout(r, 5));
  }

  close(): void {
    this.#closed = true;
    this.#pending.clear();
  }

  #put(op: Op): void {
    if (this.#closed) return;
    const key = `${op.channel}\u0000${op.client}`;
    if (this.#pending.has(key)) this.coalesced++;
    this.#pending.set(key, op);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight || this.#pending.size === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#inFlight || this.#pending.size === 0) return;
    this.#inFlight = true;
    const batch = this.#pending;
    this.#pending = new Map();
    let failed = 0;
    let firstErr: unknown;
    await Promise.all(
      [...batch.values()].map((op) =>
        (op.info
          ? this.#store.add(op.channel, op.client, op.info, op.ttlMs)
          : this.#store.remove(op.channel, op.client)
        ).catch((err: unknown) => {
          failed++;
          firstErr ??= err;
        }),
      ),
    );
    this.sent += batch.size;
    this.failed += failed;
    if (failed > 0)
      this.#log.warn({ err: firstErr, failed, of: batch.size }, 'presence writes failed (first error shown)');
    this.#inFlight = false;
    this.#schedule();
  }
}
