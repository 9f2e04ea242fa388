// A measured window: everything read at its start and at its end, and the figures derived from
// the two readings (deliveries, CPU, efficiency, drops, bottleneck). Pure functions over the
// readings, so the arithmetic is in one place and testable.

import type { AgentStats } from '../agent/server-agent.ts';
import {
  F,
  GROUP,
  GROUP_NAMES,
  hotValue,
  type CheckCounters,
  type CounterSnapshot,
} from '../generator/counters.ts';
import type { MarkReport } from '../generator/ipc.ts';
import type { ProcSample } from '../systems/proc.ts';
import type {
  Efficiency,
  GeneratorResult,
  GroupFigures,
  PhaseResult,
  ServerProcessResult,
  Verdict,
} from '../report/result.ts';
import type { GroupName } from '../generator/counters.ts';

export interface ApiTotals {
  sent: number;
  accepted: number;
  backlogDropped: number;
  errors: Map<string, number>;
  acceptedByChannel: Float64Array;
  /** Over the whole phase (warm-up and drain included). */
  acceptedAllByChannel: Float64Array;
  /** Publications the plan asked for over the whole phase, sent or not. */
  offeredAllByChannel: Float64Array;
}

export interface Reading {
  at: number;
  gens: MarkReport[];
  servers: (ProcSample | undefined)[];
  machineBusyS: number;
  coordCpuUs: number;
  api: ApiTotals;
  /** CPU seconds of the bus's Redis server, when the phase uses one and it was found. */
  busCpuS: number | undefined;
}

const MB = 1024 * 1024;
const VIEWER_GROUPS = [GROUP.count, GROUP.decode, GROUP.deflate, GROUP.probe] as const;
const PLAIN_GROUPS = [GROUP.count, GROUP.decode, GROUP.probe] as const;

function sumHot(gens: readonly MarkReport[], group: number, field: number): number {
  return gens.reduce((a, g) => a + hotValue(g.snapshot, group, field), 0);
}

function delta(
  a: readonly MarkReport[],
  b: readonly MarkReport[],
  groups: readonly number[],
  field: number,
): number {
  let d = 0;
  for (const g of groups) d += sumHot(b, g, field) - sumHot(a, g, field);
  return d;
}

function mapDelta(a: Record<string, number>, b: Record<string, number>, into: Record<string, number>): void {
  for (const [k, v] of Object.entries(b)) {
    const d = v - (a[k] ?? 0);
    if (d !== 0) into[k] = (into[k] ?? 0) + d;
  }
}

function checksDelta(a: readonly MarkReport[], b: readonly MarkReport[]): CheckCounters {
  const out: CheckCounters = {
    checked: 0,
    contentMismatch: 0,
    duplicates: 0,
    reorders: 0,
    gaps: 0,
    conflated: 0,
    engine: 0,
    malformed: 0,
    giftChecked: 0,
    giftGaps: 0,
  };
  b.forEach((m, i) => {
    const s = a[i]?.snapshot.checks;
    for (const k of Object.keys(out) as (keyof CheckCounters)[])
      out[k] += m.snapshot.checks[k] - (s?.[k] ?? 0);
  });
  return out;
}

export interface WindowFigures {
  wallS: number;
  received: number;
  expected: number;
  frames: number;
  bytes: number;
  groups: Record<GroupName, GroupFigures>;
  deflateNegotiated: number;
  publishSent: number;
  publishAccepted: number;
  publishErrors: Record<string, number>;
  backlogDropped: number;
  closes: Record<string, number>;
  checks: CheckCounters;
  servers: ServerProcessResult[];
  serverCpuS: number;
  generators: GeneratorResult[];
  coordCpuS: number;
  busyCores: number;
  efficiency: Efficiency;
}

export function figures(
  start: Reading,
  end: Reading,
  agent: readonly (AgentStats | undefined)[],
  pids: readonly number[],
): WindowFigures {
  const wallS = Math.max((end.at - start.at) / 1000, 1e-6);
  const a = start.gens;
  const b = end.gens;
  const received = delta(a, b, VIEWER_GROUPS, F.msgs);
  const frames = delta(a, b, VIEWER_GROUPS, F.frames);
  const bytes = delta(a, b, VIEWER_GROUPS, F.bytes);
  const plainMsgs = delta(a, b, PLAIN_GROUPS, F.msgs);
  const plainBytes = delta(a, b, PLAIN_GROUPS, F.bytes);
  const deflMsgs = delta(a, b, [GROUP.deflate], F.msgs);
  const deflBytes = delta(a, b, [GROUP.deflate], F.bytes);
  const deflateNegotiated = b.reduce((x, m) => x + m.snapshot.deflateNegotiated, 0);

  // Expected deliveries: accepted publications per channel × readers subscribed at the start.
  const channels = start.api.acceptedByChannel.length;
  const live = new Float64Array(channels);
  for (const m of a) m.liveByChannel.forEach((n, ch) => (live[ch] = (live[ch] ?? 0) + n));
  let expected = 0;
  for (let ch = 0; ch < channels; ch++) {
    let acc = (end.api.acceptedByChannel[ch] ?? 0) - (start.api.acceptedByChannel[ch] ?? 0);
    b.forEach(
      (m, i) =>
        (acc += (m.snapshot.acceptedByChannel[ch] ?? 0) - (a[i]?.snapshot.acceptedByChannel[ch] ?? 0)),
    );
    expected += acc * (live[ch] ?? 0);
  }

  const groups = {} as Record<GroupName, GroupFigures>;
  GROUP_NAMES.forEach((name, g) => {
    groups[name] = {
      frames: delta(a, b, [g], F.frames),
      bytes: delta(a, b, [g], F.bytes),
      msgs: delta(a, b, [g], F.msgs),
      live: sumHot(b, g, F.live),
      giftMsgs: delta(a, b, [g], F.giftMsgs),
      giftFrames: delta(a, b, [g], F.giftFrames),
      giftBytes: delta(a, b, [g], F.giftBytes),
    };
  });

  const publishErrors: Record<string, number> = {};
  const closes: Record<string, number> = {};
  let publishSent = end.api.sent - start.api.sent;
  let publishAccepted = end.api.accepted - start.api.accepted;
  for (const [k, v] of end.api.errors) {
    const d = v - (start.api.errors.get(k) ?? 0);
    if (d !== 0) publishErrors[k] = d;
  }
  b.forEach((m, i) => {
    const s: CounterSnapshot | undefined = a[i]?.snapshot;
    publishSent += m.snapshot.publishSent - (s?.publishSent ?? 0);
    publishAccepted += m.snapshot.publishAccepted - (s?.publishAccepted ?? 0);
    mapDelta(s?.publishErrors ?? {}, m.snapshot.publishErrors, publishErrors);
    mapDelta(s?.closes ?? {}, m.snapshot.closes, closes);
  });

  const servers: ServerProcessResult[] = pids.map((pid, i) => {
    const s0 = start.servers[i];
    const s1 = end.servers[i];
    // A process that died in the window has no end reading: its figures stay at the start.
    const cpuS = s0 && s1 ? s1.cpuS - s0.cpuS : 0;
    const ag = agent[i];
    return {
      pid,
      cpuS,
      util: cpuS / wallS,
      rssStartMb: (s0?.rssBytes ?? 0) / MB,
      rssEndMb: ((s1 ?? s0)?.rssBytes ?? 0) / MB,
      rssPeakMb: ((s1 ?? s0)?.hwmBytes ?? 0) / MB,
      eldP50Ms: ag ? ag.eldP50Ms : null,
      eldP99Ms: ag ? ag.eldP99Ms : null,
      eldMaxMs: ag ? ag.eldMaxMs : null,
      elu: ag ? ag.elu : null,
    };
  });
  const serverCpuS = servers.reduce((x, s) => x + s.cpuS, 0);
  const generators: GeneratorResult[] = b.map((m) => ({
    pid: 0,
    cpuS: m.cpuUs / 1e6,
    util: m.cpuUs / Math.max(m.wallUs, 1),
    eldP99Ms: m.eldP99Ms,
    eldMaxMs: m.eldMaxMs,
  }));
  const coordCpuS = (end.coordCpuUs - start.coordCpuUs) / 1e6;
  const per = (x: number, y: number): number | null => (y > 0 && x > 0 ? x / y : null);
  return {
    wallS,
    received,
    expected,
    frames,
    bytes,
    groups,
    deflateNegotiated,
    publishSent,
    publishAccepted,
    publishErrors,
    backlogDropped: end.api.backlogDropped - start.api.backlogDropped,
    closes,
    checks: checksDelta(a, b),
    servers,
    serverCpuS,
    generators,
    coordCpuS,
    busyCores: (end.machineBusyS - start.machineBusyS) / wallS,
    efficiency: {
      cpuUsPerDelivery: per(serverCpuS * 1e6, received),
      deliveriesPerCpuS: per(received, serverCpuS),
      framesPerCpuS: per(frames, serverCpuS),
      framesPerDelivery: per(frames, received),
      msgsPerFrame: per(received, frames),
      bytesPerDelivery: per(plainBytes, plainMsgs),
      compressedBytesPerDelivery: deflateNegotiated > 0 ? per(deflBytes, deflMsgs) : null,
    },
  };
}

export interface BottleneckInput {
  servers: readonly ServerProcessResult[];
  generators: readonly GeneratorResult[];
  coordUtil: number;
  busyCores: number;
  cores: number;
  pinned: boolean;
  serverCores: number;
  generatorCores: number;
}

/** Saturation: one core of a process, or the cores its processes were pinned to. */
const SATURATED = 0.85;

export function bottleneck(i: BottleneckInput): PhaseResult['bottleneck'] {
  const serverMax = Math.max(0, ...i.servers.map((s) => s.util));
  const serverLoad =
    i.servers.reduce((a, s) => a + s.util, 0) / Math.max(1, i.pinned ? i.serverCores : i.servers.length);
  const genMax = Math.max(0, ...i.generators.map((g) => g.util));
  const genLoad =
    (i.generators.reduce((a, g) => a + g.util, 0) + (i.pinned ? 0 : i.coordUtil)) /
    Math.max(1, i.pinned ? i.generatorCores : i.cores);
  const machine = i.busyCores / Math.max(1, i.cores);
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const elu = Math.max(0, ...i.servers.map((s) => s.elu ?? 0));
  const facts = `server ${pct(serverMax)} of a core${elu > 0 ? ` (event loop ${pct(elu)} busy)` : ''}, generators ${pct(genMax)} (max) / ${pct(genLoad)} of their cores, machine ${pct(machine)} busy`;
  let verdict: Verdict = 'none';
  let note = `nothing saturated: the offered load was served (${facts})`;
  if (serverMax >= SATURATED || serverLoad >= SATURATED) {
    verdict = 'server';
    note =
      genMax >= SATURATED || genLoad >= SATURATED
        ? `WARNING server- and generator-bound: both were saturated; CPU per delivery holds, receive latencies include the generator's queueing (${facts})`
        : `server-bound: rates are the server's capacity (${facts})`;
  } else if (genMax >= SATURATED || genLoad >= SATURATED) {
    verdict = 'generator';
    note = `WARNING generator-bound: the load generator, not the server, was the bottleneck; rates and latencies understate the server (${facts})`;
  } else if (machine >= 0.9) {
    verdict = 'machine';
    note =
      elu >= 0.9
        ? `WARNING machine-bound: the server's event loop was saturated but it got only ${pct(serverMax)} of a core (other load on its core); rates understate the server, CPU per delivery is still measured (${facts})`
        : `WARNING machine-bound: all cores were busy (other load included); rates may understate the server (${facts})`;
  }
  return { verdict, note };
}

export function sumGenerator(reports: readonly MarkReport[], group: number): number {
  return sumHot(reports, group, F.live);
}

/** A counter's value since the generators started (not a window delta), over viewer groups. */
export function viewerTotal(reports: readonly MarkReport[], field: number): number {
  return VIEWER_GROUPS.reduce<number>((a, g) => a + sumHot(reports, g, field), 0);
}
