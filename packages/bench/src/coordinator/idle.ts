// The idle workload: connections that only hold a subscription, added in steps; at each step
// the server is asked to collect garbage (twice) and its RSS is read from /proc. RSS per
// connection = (RSS at N − RSS before any viewer) / N. Heap and external figures come from the
// agent inside the server; CPU per connect from /proc over each step.

import type { ConnectReport } from '../generator/ipc.ts';
import type { IdleStep, PhaseResult } from '../report/result.ts';
import { percentiles } from '../stats/percentiles.ts';
import type { ServerGroup } from '../systems/server-process.ts';
import type { Fleet } from './fleet.ts';
import { mergeConnect } from './fleet.ts';
import { baseResult, type PhaseEnv } from './phase-env.ts';

const SETTLE_MS = 1000;
const MB = 1048576;

export async function idleFlow(
  env: PhaseEnv,
  srv: ServerGroup,
  fleet: Fleet,
  probes: ConnectReport,
  setState: (s: string) => void,
): Promise<PhaseResult> {
  const t0 = performance.now();
  setState('baseline memory');
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const base = await srv.agentRead(true);
  const rss0 = srv.sample().reduce((a, s) => a + (s?.rssBytes ?? 0), 0);
  const heap0 = base.reduce((a, s) => a + (s?.heapUsed ?? 0), 0);
  const ext0 = base.reduce((a, s) => a + (s?.external ?? 0) + (s?.arrayBuffers ?? 0), 0);
  const hasAgent = base.every((s) => s !== undefined);
  const steps: IdleStep[] = [];
  const reports: ConnectReport[] = [probes];
  let attempted = probes.attempted;
  let connected = probes.ok;
  for (const n of env.plan.idleSteps) {
    setState(`connecting ${n}`);
    const cpuA = srv.sample();
    const r = await fleet.connectViewersUpTo(n, attempted);
    reports.push(r);
    attempted = Math.max(attempted, n);
    connected += r.ok;
    const cpuB = srv.sample();
    setState(`measuring at ${n}`);
    await new Promise((res) => setTimeout(res, SETTLE_MS));
    const ag = await srv.agentRead(true);
    const rss = srv.sample().reduce((a, s) => a + (s?.rssBytes ?? 0), 0);
    const heap = ag.reduce((a, s) => a + (s?.heapUsed ?? 0), 0);
    const ext = ag.reduce((a, s) => a + (s?.external ?? 0) + (s?.arrayBuffers ?? 0), 0);
    const cpuS = cpuB.reduce((a, s, i) => a + (s?.cpuS ?? 0) - (cpuA[i]?.cpuS ?? 0), 0);
    const conns = Math.max(connected, 1);
    steps.push({
      connections: connected,
      rssMb: rss / MB,
      rssPerConnKiB: (rss - rss0) / conns / 1024,
      heapPerConnKiB: hasAgent ? (heap - heap0) / conns / 1024 : null,
      externalPerConnKiB: hasAgent ? (ext - ext0) / conns / 1024 : null,
      cpuUsPerConnect: r.ok > 0 ? (cpuS * 1e6) / r.ok : 0,
    });
  }
  const all = mergeConnect(reports);
  const end = srv.sample();
  const result = baseResult(env);
  return {
    ...result,
    status: 'ok',
    wallS: (performance.now() - t0) / 1000,
    connections: {
      planned: env.plan.viewers.length,
      connected: all.ok,
      failed: all.failed,
      failures: all.failures,
      connectS: (performance.now() - t0) / 1000,
      connectLatencyMs: percentiles(all.latencyMs),
    },
    server: {
      processes: srv.pids.map((pid, i) => ({
        pid,
        cpuS: 0,
        util: 0,
        rssStartMb: rss0 / MB,
        rssEndMb: (end[i]?.rssBytes ?? 0) / MB,
        rssPeakMb: (end[i]?.hwmBytes ?? 0) / MB,
        eldP50Ms: null,
        eldP99Ms: null,
        eldMaxMs: null,
        elu: null,
      })),
      cpuS: 0,
      util: 0,
      metrics: {},
    },
    idle: { baselineRssMb: rss0 / MB, steps },
    bottleneck: { verdict: 'none', note: 'memory measurement: no load' },
  };
}
