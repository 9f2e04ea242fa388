// The result of a load phase (goim, live, churn, slow) from the readings at both ends of its
// measured window and what happened in between (churn, storm, abort).

import type { AgentStats } from '../agent/server-agent.ts';
import type { ConnectReport, StormReport } from '../generator/ipc.ts';
import type { SampleBatch } from '../generator/samples.ts';
import type { ChurnResult, PhaseResult, SlowResult, TimelinePoint } from '../report/result.ts';
import { latency } from '../stats/latency.ts';
import { percentiles } from '../stats/percentiles.ts';
import { metricsDelta } from '../systems/metrics-scrape.ts';
import { mergeConnect } from './fleet.ts';
import { bottleneck, figures, type Reading } from './measure.ts';
import { baseResult, type PhaseEnv } from './phase-env.ts';
import { roomResult } from './room-result.ts';
import type { TextLog } from './api-publisher.ts';

export interface LoadPhaseReadings {
  env: PhaseEnv;
  start: Reading;
  end: Reading;
  agent: (AgentStats | undefined)[];
  pids: number[];
  generatorPids: number[];
  metrics0: Map<string, number>;
  metrics1: Map<string, number>;
  samples: SampleBatch[];
  /** Client publishes the plan asked for with no publisher to send them. */
  clientMisses: number;
  churnReports: ConnectReport[];
  churnSeconds: number;
  /** Wall seconds from the first churn round's start to the last one's end. */
  churnWallS: number;
  /** Chat publish times by text key, for latency of merged lines. */
  textLog: TextLog;
  storm: StormReport | undefined;
  stormCpuS: number;
  /** Why the window ended early ('' = it did not). */
  aborted: string;
  connect: ConnectReport;
  connectS: number;
  engineApplied: string[];
  busPid: number | undefined;
  fleet: NonNullable<PhaseResult['fleet']>;
  timeline: TimelinePoint[];
}

const cpuCount = (list: string): number =>
  list.split(',').reduce((a, part) => {
    const [x, y] = part.split('-').map(Number);
    return a + (y !== undefined && x !== undefined ? y - x + 1 : 1);
  }, 0);

export function loadResult(r: LoadPhaseReadings): PhaseResult {
  const {
    env,
    start,
    end,
    agent,
    pids,
    generatorPids,
    metrics0,
    metrics1,
    samples,
    clientMisses,
    churnReports,
    churnSeconds,
    churnWallS,
    textLog,
    storm,
    stormCpuS,
    aborted,
    connect,
    connectS,
    engineApplied,
    busPid,
    fleet,
    timeline,
  } = r;
  const { o, plan } = env;
  const w = figures(start, end, agent, pids);
  const base = baseResult(env);
  const plannedPerSecond = plan.rates.filter((r) => r.from === undefined).reduce((a, r) => a + r.rate, 0);
  if (clientMisses > 0) w.publishErrors['no-publisher'] = clientMisses;
  const serverMetrics = metricsDelta(metrics0, metrics1);
  const drops: Record<string, number> = {};
  for (const [k, v] of Object.entries(serverMetrics))
    if (
      !/^roomcast_(deliveries|broadcasts|frames_out|frames_deflated|bytes_out|publications_in|client_publications_in|room_window_wait_seconds|room_fanout_seconds)/.test(
        k,
      )
    )
      drops[k] = v;
  const joins = mergeConnect(churnReports);
  const leaves = joins.attempted;
  const churn: ChurnResult | null = plan.churn
    ? {
        leaves,
        churnWallS,
        joinsLeavesPerSecond: churnWallS > 0 ? (leaves + joins.ok) / churnWallS : 0,
        joins: joins.ok,
        joinFailures: joins.failures,
        joinsPerSecond:
          churnWallS > 0 ? joins.ok / churnWallS : churnSeconds > 0 ? joins.ok / churnSeconds : 0,
        joinLatencyMs: percentiles(joins.latencyMs),
        cpuUsPerJoin: joins.ok > 0 ? ((w.serverCpuS - stormCpuS) * 1e6) / joins.ok : null,
        storm: storm
          ? {
              dropped: storm.dropped,
              ok: storm.ok,
              failed: storm.failed,
              failures: storm.failures,
              t50Ms: at(storm.doneMs, 0.5),
              t90Ms: at(storm.doneMs, 0.9),
              t99Ms: at(storm.doneMs, 0.99),
              t100Ms: storm.doneMs.at(-1) ?? 0,
              serverCpuS: stormCpuS,
            }
          : null,
      }
    : null;
  const slow: SlowResult | null = plan.slow
    ? {
        slowViewers: w.groups.slow.live,
        rssGrowthMb: w.servers.reduce((a, s) => a + s.rssEndMb - s.rssStartMb, 0),
        readersDeliveryRatio: w.expected > 0 ? w.received / w.expected : 0,
      }
    : null;
  const busy = w.busyCores;
  const ours = w.serverCpuS / w.wallS + w.generators.reduce((a, g) => a + g.util, 0) + w.coordCpuS / w.wallS;
  const result: PhaseResult = {
    ...base,
    status: aborted ? 'aborted' : 'ok',
    ...(aborted ? { error: aborted } : {}),
    engineApplied: engineApplied,
    wallS: w.wallS,
    connections: {
      planned: plan.viewers.length + plan.publishers.length,
      connected: connect.ok,
      failed: connect.failed,
      failures: connect.failures,
      connectS: connectS,
      connectLatencyMs: percentiles(connect.latencyMs),
    },
    publish: {
      plannedPerSecond,
      sent: w.publishSent,
      accepted: w.publishAccepted,
      perSecond: w.publishAccepted / plan.durationS,
      errors: w.publishErrors,
      backlogDropped: w.backlogDropped,
    },
    deliveries: {
      received: w.received,
      expected: w.expected,
      ratio: w.expected > 0 ? w.received / w.expected : null,
      perSecond: w.received / w.wallS,
    },
    frames: w.frames,
    bytes: w.bytes,
    groups: w.groups,
    deflateNegotiated: w.deflateNegotiated,
    server: {
      processes: w.servers,
      cpuS: w.serverCpuS,
      util: w.serverCpuS / w.wallS,
      metrics: serverMetrics,
      bus:
        busPid !== undefined && start.busCpuS !== undefined && end.busCpuS !== undefined
          ? { pid: busPid, cpuS: end.busCpuS - start.busCpuS, util: (end.busCpuS - start.busCpuS) / w.wallS }
          : null,
    },
    efficiency: w.efficiency,
    latency: latency(samples, textLog),
    checks: w.checks,
    drops: { missing: Math.max(0, w.expected - w.received), closes: w.closes, server: drops },
    generators: w.generators.map((g, i) => ({ ...g, pid: generatorPids[i] ?? 0 })),
    coordinator: { cpuS: w.coordCpuS, util: w.coordCpuS / w.wallS },
    machine: { cores: env.cores, busyCores: busy, foreignCores: Math.max(0, busy - ours) },
    bottleneck: bottleneck({
      servers: w.servers,
      generators: w.generators,
      coordUtil: w.coordCpuS / w.wallS,
      busyCores: busy,
      cores: env.cores,
      pinned: env.pinned,
      serverCores: cpuCount(o.serverCpus),
      generatorCores: cpuCount(o.generatorCpus),
    }),
    churn,
    slow,
    room:
      plan.workload === 'room' ? roomResult(plan, w, start, end, metrics0, metrics1, serverMetrics) : null,
    fleet,
    timeline,
  };
  return result;
}

function at(sortedValues: readonly number[], q: number): number {
  if (sortedValues.length === 0) return 0;
  return sortedValues[Math.min(sortedValues.length - 1, Math.ceil(q * sortedValues.length) - 1)] ?? 0;
}
