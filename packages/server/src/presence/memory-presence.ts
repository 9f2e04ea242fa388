// In-memory PresenceStore: the embedded default and the reference implementation.

import type { ClientInfo } from '@roomcast/protocol';
import type { PresenceStats, PresenceStore } from './presence-store.ts';

interface Entry {
  info: ClientInfo;
  expiresAt: number;
}

export class MemoryPresenceStore implements PresenceStore {
  private readonly channels = new Map<string, Map<string, Entry>>();
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  private live(channel: string): Map<string, Entry> | undefined {
    const m = this.channels.get(channel);
    if (!m) return undefined;
    const now = this.now();
    for (const [id, e] of m) if (e.expiresAt <= now) m.delete(id);
    if (m.size === 0) {
      this.channels.delete(channel);
      return undefined;
    }
    return m;
  }

  async add(channel: string, clientId: string, info: ClientInfo, ttlMs: number): Promise<void> {
    let m = this.channels.get(channel);
    if (!m) this.channels.set(channel, (m = new Map<string, Entry>()));
    m.set(clientId, { info, expiresAt: this.now() + ttlMs });
  }

  async remove(channel: string, clientId: string): Promise<void> {
    const m = this.channels.get(channel);
    if (!m) return;
    m.delete(clientId);
    if (m.size === 0) this.channels.delete(channel);
  }

  async get(channel: string): Promise<Record<string, ClientInfo>> {
    const out: Record<string, ClientInfo> = {};
    const m = this.live(channel);
    if (m) for (const [id, e] of m) out[id] = e.info;
    return out;
  }

  async stats(channel: string): Promise<PresenceStats> {
    const m = this.live(channel);
    if (!m) return { numClients: 0, numUsers: 0 };
    const users = new Set<string>();
    for (const e of m.values()) users.add(e.info.user);
    return { numClients: m.size, numUsers: users.size };
  }
}
