// Preloaded (`node --import`) into every server under test, roomcast and baselines alike, so
// event-loop delay, event-loop utilisation and heap figures are taken the same way everywhere.
// It talks to the bench over the IPC channel only, and shuts its server down when the bench
// goes away, so no server outlives a run.

import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export type AgentRequest = { agent: 'reset'; req: number } | { agent: 'read'; req: number; gc: boolean };

export interface AgentStats {
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** Event-loop utilisation since the last reset (0..1). */
  elu: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

export type AgentReply = { agent: 'ok'; req: number } | { agent: 'stats'; req: number; stats: AgentStats };

function install(): void {
  const send = process.send?.bind(process);
  // Cluster workers inherit the preload but talk to their primary, not to the bench.
  if (!send || process.env['NODE_UNIQUE_ID'] !== undefined) return;
  const eld = monitorEventLoopDelay({ resolution: 10 });
  eld.enable();
  let eluMark = performance.eventLoopUtilization();
  const gc = (globalThis as { gc?: () => void }).gc;

  process.on('message', (m: unknown) => {
    if (typeof m !== 'object' || m === null || !('agent' in m)) return;
    const r = m as AgentRequest;
    if (r.agent === 'reset') {
      eld.reset();
      eluMark = performance.eventLoopUtilization();
      send({ agent: 'ok', req: r.req } satisfies AgentReply);
      return;
    }
    if (r.gc && gc) {
      gc();
      gc();
    }
    const mem = process.memoryUsage();
    const stats: AgentStats = {
      eldP50Ms: eld.percentile(50) / 1e6,
      eldP99Ms: eld.percentile(99) / 1e6,
      eldMaxMs: eld.max / 1e6,
      elu: performance.eventLoopUtilization(eluMark).utilization,
      rss: mem.rss,
      heapUsed: mem.heapUsed,
      external: mem.external,
      arrayBuffers: mem.arrayBuffers,
    };
    send({ agent: 'stats', req: r.req, stats } satisfies AgentReply);
  });
  process.channel?.unref();
  process.on('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
    setTimeout(() => process.exit(1), 5000).unref();
  });
}

install();
