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

  private readonly users = new Map<string, { at: number; expiresAt: number }>();

  async touchUsers(users: readonly string[], ttlMs: number): Promise<void> {
    const now = this.now();
    for (const u of users) this.users.set(u, { at: now, expiresAt: now + ttlMs });
    if (this.users.size > 1024 && Math.random() < 0.01) {
      for (const [u, e] of this.users) if (e.expiresAt <= now) this.users.delete(u);
    }
  }

  async userStatus(users: readonly string[]): Promise<Map<string, number | undefined>> {
    const now = this.now();
    const out = new Map<string, number | undefined>();
    for (const u of users) {
      const e = this.users.get(u);
      out.set(u, e && e.expiresAt > now ? e.at : undefined);
    }
    return out;
  }
}
