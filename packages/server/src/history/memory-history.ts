// In-memory HistoryStore: the embedded default and the reference implementation.

import { randomBytes } from 'node:crypto';
import type { Publication } from '@roomcast/protocol';
import type {
  AppendOptions,
  AppendResult,
  HistoryQuery,
  HistoryResult,
  HistoryStore,
} from './history-store.ts';

interface Stream {
  epoch: string;
  top: number;
  /** Kept publications in offset order (oldest first); head index avoids shifting arrays. */
  pubs: Publication[];
  head: number;
  metaExpiresAt: number;
  /** Age limit of the last append (limits are per namespace and known at append time). */
  ttlMs: number;
  idempotency?: Map<string, { result: AppendResult; expiresAt: number }>;
}

const newEpoch = (): string => randomBytes(4).toString('hex');

export interface MemoryHistoryOptions {
  /** Clock, for tests. */
  now?: () => number;
  /** Sweep of expired streams (ms; 0 = only lazily on access). */
  sweepIntervalMs?: number;
}

export class MemoryHistoryStore implements HistoryStore {
  private readonly streams = new Map<string, Stream>();
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(opts: MemoryHistoryOptions = {}) {
    this.now = opts.now ?? Date.now;
    const every = opts.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.sweeper = setInterval(() => this.sweep(), every);
      this.sweeper.unref();
    }
  }

  private stream(channel: string, create: boolean, metaTtlMs: number): Stream | undefined {
    const now = this.now();
    let s = this.streams.get(channel);
    if (s && s.metaExpiresAt <= now) {
      this.streams.delete(channel);
      s = undefined;
    }
    if (!s && create) {
      s = { epoch: newEpoch(), top: 0, pubs: [], head: 0, metaExpiresAt: now + metaTtlMs, ttlMs: 0 };
      this.streams.set(channel, s);
    }
    return s;
  }

  private trim(s: Stream, size: number, ttlMs: number): void {
    const now = this.now();
    let head = s.head;
    const kept = s.pubs.length - head;
    if (kept > size) head += kept - size;
    if (ttlMs > 0) {
      while (head < s.pubs.length && (s.pubs[head]?.time ?? 0) + ttlMs <= now) head++;
    }
    s.head = head;
    // Compact once the dead prefix dominates, so memory stays proportional to `size`.
    if (s.head > 64 && s.head * 2 > s.pubs.length) {
      s.pubs = s.pubs.slice(s.head);
      s.head = 0;
    }
  }

  async append(
    channel: string,
    pub: Omit<Publication, 'offset'>,
    opts: AppendOptions,
  ): Promise<AppendResult> {
    const s = this.stream(channel, true, opts.metaTtlMs) as Stream;
    const now = this.now();
    if (opts.idempotencyKey !== undefined) {
      const hit = s.idempotency?.get(opts.idempotencyKey);
      if (hit && hit.expiresAt > now) return { ...hit.result, duplicate: true };
    }
    const stored: Publication = { ...pub, offset: ++s.top, time: pub.time ?? now };
    s.pubs.push(stored);
    s.metaExpiresAt = now + opts.metaTtlMs;
    s.ttlMs = opts.ttlMs;
    this.trim(s, Math.max(opts.size, 0), opts.ttlMs);
    const result: AppendResult = { publication: stored, epoch: s.epoch, duplicate: false };
    if (opts.idempotencyKey !== undefined) {
      s.idempotency ??= new Map();
      for (const [k, v] of s.idempotency) if (v.expiresAt <= now) s.idempotency.delete(k);
      s.idempotency.set(opts.idempotencyKey, { result, expiresAt: now + (opts.idempotencyTtlMs ?? 300_000) });
    }
    return result;
  }

  async read(channel: string, query: HistoryQuery, opts: { metaTtlMs: number }): Promise<HistoryResult> {
    const s = this.stream(channel, true, opts.metaTtlMs) as Stream;
    const position = { offset: s.top, epoch: s.epoch };
    if (query.limit === 0) return { publications: [], position };
    // Apply the age limit on read as well: no append may have trimmed since.
    this.trim(s, Infinity, s.ttlMs);
    const live = s.pubs.slice(s.head);
    let pubs: Publication[];
    if (query.reverse) {
      const before = query.since && query.since.offset > 0 ? query.since.offset : Infinity;
      pubs = live.filter((p) => p.offset < before).reverse();
    } else {
      const after = query.since?.offset ?? 0;
      pubs = live.filter((p) => p.offset > after);
    }
    if (query.limit > 0 && pubs.length > query.limit) pubs = pubs.slice(0, query.limit);
    return { publications: pubs, position };
  }

  async remove(channel: string): Promise<void> {
    const s = this.streams.get(channel);
    if (!s) return;
    s.pubs = [];
    s.head = 0;
  }

  sweep(): void {
    const now = this.now();
    for (const [ch, s] of this.streams) {
      if (s.metaExpiresAt <= now) {
        this.streams.delete(ch);
      }
    }
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}
