// The shape of result.json. Every number in it was measured in the run that wrote it.

import type { BenchOptions, SystemName, WorkloadName } from '../cli/options.ts';
import type { CheckCounters, GroupName } from '../generator/counters.ts';
import type { LatencyResult } from '../stats/latency.ts';
import type { Percentiles } from '../stats/percentiles.ts';

export const RESULT_SCHEMA = 'roomcast-bench/1';

export interface GroupFigures {
  frames: number;
  bytes: number;
  msgs: number;
  live: number;
}

export interface ServerProcessResult {
  pid: number;
  cpuS: number;
  /** CPU seconds / wall seconds of the measured window (1 = one core busy). */
  util: number;
  rssStartMb: number;
  rssEndMb: number;
  rssPeakMb: number;
  eldP50Ms: number | null;
  eldP99Ms: number | null;
  eldMaxMs: number | null;
  elu: number | null;
}

export interface GeneratorResult {
  pid: number;
  cpuS: number;
  util: number;
  eldP99Ms: number;
  eldMaxMs: number;
}

export interface Efficiency {
  cpuUsPerDelivery: number | null;
  deliveriesPerCpuS: number | null;
  /** WebSocket data frames received by viewers per server CPU-second. */
  framesPerCpuS: number | null;
  framesPerDelivery: number | null;
  msgsPerFrame: number | null;
  /** Wire bytes per delivered message on plain receivers (frame headers included). */
  bytesPerDelivery: number | null;
  /** The same on receivers that negotiated permessage-deflate (null when none did). */
  compressedBytesPerDelivery: number | null;
}

export interface StormResult {
  dropped: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  t50Ms: number;
  t90Ms: number;
  t99Ms: number;
  t100Ms: number;
  serverCpuS: number;
}

export interface ChurnResult {
  joins: number;
  joinFailures: Record<string, number>;
  joinsPerSecond: number;
  joinLatencyMs: Percentiles;
  /** Server CPU µs per leave+join, churn seconds only (deliveries of the light traffic included). */
  cpuUsPerJoin: number | null;
  storm: StormResult | null;
}

export interface IdleStep {
  connections: number;
  rssMb: number;
  rssPerConnKiB: number;
  heapPerConnKiB: number | null;
  externalPerConnKiB: number | null;
  /** Server CPU µs per connection while this step connected. */
  cpuUsPerConnect: number;
}

export interface IdleResult {
  baselineRssMb: number;
  steps: IdleStep[];
}

export interface SlowResult {
  slowViewers: number;
  /** Server RSS growth over the measured window. */
  rssGrowthMb: number;
  /** Delivery ratio of the viewers that kept reading. */
  readersDeliveryRatio: number;
}

export type Verdict = 'server' | 'generator' | 'machine' | 'none';

export interface PhaseResult {
  workload: WorkloadName;
  system: SystemName;
  repetition: number;
  status: 'ok' | 'failed' | 'aborted';
  error?: string;
  description: string;
  settings: Record<string, string | number>;
  engineApplied: string[];
  /** Measured window: from the start mark to the end of the drain. */
  wallS: number;
  /** The whole phase, start to teardown. */
  phaseS: number;
  connections: {
    planned: number;
    connected: number;
    failed: number;
    failures: Record<string, number>;
    connectS: number;
    connectLatencyMs: Percentiles;
  };
  publish: {
    plannedPerSecond: number;
    sent: number;
    accepted: number;
    perSecond: number;
    errors: Record<string, number>;
    backlogDropped: number;
  };
  deliveries: { received: number; expected: number; ratio: number | null; perSecond: number };
  frames: number;
  bytes: number;
  groups: Record<GroupName, GroupFigures>;
  deflateNegotiated: number;
  server: { processes: ServerProcessResult[]; cpuS: number; util: number; metrics: Record<string, number> };
  efficiency: Efficiency;
  latency: LatencyResult | null;
  checks: CheckCounters;
  drops: {
    /** expected − received, when positive: deliveries no receiver counted. */
    missing: number;
    closes: Record<string, number>;
    /** From the server's own metrics (roomcast only): skipped frames, slow disconnects, engine drops. */
    server: Record<string, number>;
  };
  generators: GeneratorResult[];
  coordinator: { cpuS: number; util: number };
  machine: { cores: number; busyCores: number; foreignCores: number };
  bottleneck: { verdict: Verdict; note: string };
  churn: ChurnResult | null;
  idle: IdleResult | null;
  slow: SlowResult | null;
}

export interface Ratio {
  workload: WorkloadName;
  what: string;
  numerator: SystemName;
  denominator: SystemName;
  value: number;
  spread: [number, number] | null;
}

export interface TargetCheck {
  target: string;
  goal: string;
  measured: string;
  met: boolean | null;
  note: string;
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memGiB: number;
  openFilesLimit: number | null;
  node: string;
  kernel: string;
  loadAvgStart: number[];
  loadAvgEnd: number[];
  pinned: boolean;
}

export interface BenchResult {
  schema: typeof RESULT_SCHEMA;
  runId: string;
  label: string;
  startedAt: string;
  finishedAt: string;
  quick: boolean;
  machine: MachineInfo;
  options: BenchOptions;
  engine: { batchSwitch: string | null; roomKeys: string[]; note: string };
  phases: PhaseResult[];
  ratios: Ratio[];
  targets: TargetCheck[];
  warnings: string[];
}
