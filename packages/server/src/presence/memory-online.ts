// In-memory OnlineStore (exact unique counts with a Set; adapters may approximate).

import type { OnlineStore } from './online-store.ts';

export class MemoryOnlineStore implements OnlineStore {
  private readonly reports = new Map<string, { counts: Map<string, number>; expiresAt: number }>();
  private readonly uniques = new Map<string, Set<string>>();
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  async report(nodeId: string, counts: ReadonlyMap<string, number>, ttlMs: number): Promise<void> {
    this.reports.set(nodeId, { counts: new Map(counts), expiresAt: this.now() + ttlMs });
  }

  async forget(nodeId: string): Promise<void> {
    this.reports.delete(nodeId);
  }

  async totals(rooms: readonly string[]): Promise<Map<string, number>> {
    const now = this.now();
    const out = new Map<string, number>(rooms.map((r) => [r, 0]));
    for (const [id, r] of this.reports) {
      if (r.expiresAt <= now) {
        this.reports.delete(id);
        continue;
      }
      for (const room of rooms) out.set(room, (out.get(room) ?? 0) + (r.counts.get(room) ?? 0));
    }
    return out;
  }

  async addUnique(room: string, ids: readonly string[]): Promise<void> {
    let set = this.uniques.get(room);
    if (!set) this.uniques.set(room, (set = new Set()));
    for (const id of ids) set.add(id);
  }

  async unique(room: string): Promise<number> {
    return this.uniques.get(room)?.size ?? 0;
  }
}
