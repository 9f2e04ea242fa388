// Each node heartbeats its load into the NodeRegistry (seed 001's scheduler input): connections,
// process CPU over the last period, event-loop delay, and whether it is draining. The entry
// scheduler and the `info` API read the registry.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../logger.ts';
import type { NodeEntry, NodeRegistry } from './node-registry.ts';

export const HEARTBEAT_MS = 2000;
export const HEARTBEAT_TTL_MS = 3 * HEARTBEAT_MS;

export interface HeartbeatSource {
  id: string;
  name: () => string;
  url: () => string;
  connections: () => number;
  draining: () => boolean;
  metrics: () => Record<string, number>;
}

export class Heartbeat {
  private readonly registry: NodeRegistry;
  private readonly src: HeartbeatSource;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private readonly loop: ReturnType<typeof monitorEventLoopDelay>;
  private cpu = process.cpuUsage();
  private at = performance.now();
  /** Last entry sent (what this node believes about itself). */
  last: NodeEntry | undefined;

  constructor(registry: NodeRegistry, src: HeartbeatSource, log: Logger) {
    this.registry = registry;
    this.src = src;
    this.log = log;
    this.loop = monitorEventLoopDelay({ resolution: 20 });
  }

  start(): void {
    this.loop.enable();
    void this.beat();
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Sends a heartbeat now (e.g. right after draining starts, so the scheduler stops at once). */
  async beat(): Promise<void> {
    const now = performance.now();
    const cpu = process.cpuUsage(this.cpu);
    const elapsedUs = Math.max(1, (now - this.at) * 1000);
    this.cpu = process.cpuUsage();
    this.at = now;
    const entry: NodeEntry = {
      id: this.src.id,
      name: this.src.name(),
      url: this.src.url(),
      connections: this.src.connections(),
      cpu: Math.round(((cpu.user + cpu.system) / elapsedUs) * 1000) / 1000,
      eventLoopDelayMs: Math.round((this.loop.percentile(99) / 1e6) * 100) / 100,
      draining: this.src.draining(),
      updatedAt: Date.now(),
      metrics: this.src.metrics(),
    };
    this.loop.reset();
    this.last = entry;
    try {
      await this.registry.heartbeat(entry, HEARTBEAT_TTL_MS);
    } catch (err) {
      this.log.warn({ err }, 'node heartbeat failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.loop.disable();
    await this.registry.remove(this.src.id).catch(() => undefined);
  }
}

/**
 * Scheduler order (seed 001): non-draining nodes, least loaded first. Load weighs connections
 * and CPU; a node whose event loop lags is pushed back.
 */
export function rankNodes(nodes: NodeEntry[]): NodeEntry[] {
  const score = (n: NodeEntry): number => n.connections * (1 + n.cpu) + (n.eventLoopDelayMs > 100 ? 1e9 : 0);
  return nodes.filter((n) => !n.draining).sort((a, b) => score(a) - score(b) || a.name.localeCompare(b.name));
}
