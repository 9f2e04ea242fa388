// The NodeRegistry port: which gateways are alive, their load, and whether they are draining.
// The entry scheduler (`GET /entry`) and the `info` API read it; each node heartbeats its entry.

export interface NodeEntry {
  id: string;
  name: string;
  /** Public base URL clients use for this node, e.g. "ws://10.0.0.5:8000". */
  url: string;
  connections: number;
  /** Process CPU use over the last heartbeat period, 0..1 per core summed (may exceed 1). */
  cpu: number;
  eventLoopDelayMs: number;
  draining: boolean;
  /** Unix ms of the heartbeat. */
  updatedAt: number;
  /** Free-form numbers for info (subscriptions, channels, rss...). */
  metrics?: Record<string, number>;
}

export interface NodeRegistry {
  /** Inserts or replaces the node's entry; it disappears after `ttlMs` without a heartbeat. */
  heartbeat(entry: NodeEntry, ttlMs: number): Promise<void>;
  /** Live nodes (expired ones are not listed). */
  list(): Promise<NodeEntry[]>;
  remove(id: string): Promise<void>;
  close?(): Promise<void>;
}

export class MemoryNodeRegistry implements NodeRegistry {
  private readonly nodes = new Map<string, { entry: NodeEntry; expiresAt: number }>();
  private readonly now: () => number;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
  }

  async heartbeat(entry: NodeEntry, ttlMs: number): Promise<void> {
    this.nodes.set(entry.id, { entry: { ...entry }, expiresAt: this.now() + ttlMs });
  }

  async list(): Promise<NodeEntry[]> {
    const now = this.now();
    const out: NodeEntry[] = [];
    for (const [id, n] of this.nodes) {
      if (n.expiresAt <= now) this.nodes.delete(id);
      else out.push(n.entry);
    }
    return out;
  }

  async remove(id: string): Promise<void> {
    this.nodes.delete(id);
  }
}
