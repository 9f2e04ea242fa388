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
  /** The part of msgs / frames / bytes on gift-namespace channels. */
  giftMsgs: number;
  giftFrames: number;
  giftBytes: number;
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
  /** Viewers that left (half with a close frame, half by dropping the socket). */
  leaves: number;
  /** Wall seconds of the churn period (every leave-and-rejoin round, storm excluded). */
  churnWallS: number;
  /** (leaves + joins) ÷ churn wall seconds: the join/leave rate the servers sustained. */
  joinsLeavesPerSecond: number;
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

/** One room's figures (room workload): what the live-room engine issue asks for. */
export interface RoomResult {
  viewers: number;
  /** Seconds of publishing the per-second figures are taken over. */
  publishSeconds: number;
  /** WebSocket data frames per viewer per second (both channels). */
  framesPerViewerPerS: number;
  /** Frames per viewer per second on the live channel and on the gift channel. */
  liveFramesPerViewerPerS: number;
  giftFramesPerViewerPerS: number;
  /** Live-channel publications per viewer per second, then without online-count pushes. */
  livePerViewerPerS: number;
  onlinePerViewerPerS: number | null;
  chatPerViewerPerS: number;
  chatPublishedPerS: number;
  /** Gifts the plan asked to publish over the whole phase (sent or left in the publisher's backlog). */
  giftsOffered: number;
  /** Gifts accepted by the server over the whole phase, and gift pushes counted by viewers. */
  giftsAccepted: number;
  giftViewers: number;
  giftsExpected: number;
  giftsDelivered: number;
  /** Delivered ÷ (accepted × viewers): what the server acknowledged reached everyone. */
  giftsDeliveredRatio: number | null;
  /** Delivered ÷ (offered × viewers): gifts the backend wanted to send that reached everyone. */
  giftsDeliveredOfOffered: number | null;
  /** Gift sequence numbers missing at sampled (decoding) viewers. */
  giftGapsSampled: number;
  giftsCheckedSampled: number;
  /** Server-reported drops by reason and merged messages (roomcast's /metrics). */
  drops: Record<string, number>;
  merged: number | null;
  /** Server-side histograms of the room engine. */
  serverWindowWait: HistogramSummary | null;
  serverFanout: HistogramSummary | null;
  /** Wire bytes per delivered message on plain and on deflate receivers, by channel. */
  bytes: {
    all: { plain: number | null; deflate: number | null };
    chat: { plain: number | null; deflate: number | null };
    gift: { plain: number | null; deflate: number | null };
  };
}

export interface HistogramSummary {
  count: number;
  meanMs: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  p50BucketMs: [number, number] | null;
  p99BucketMs: [number, number] | null;
}

/** One second of a phase, from the progress ticker (server CPU from /proc). */
export interface TimelinePoint {
  /** Seconds since the phase started. */
  t: number;
  state: string;
  /** Server CPU (all server processes) over the last second, in cores. */
  serverCpu: number;
  /** Deliveries and frames per second counted by viewers. */
  msgsPerS: number;
  framesPerS: number;
  viewers: number;
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
  server: {
    processes: ServerProcessResult[];
    cpuS: number;
    util: number;
    metrics: Record<string, number>;
    /** The Redis server of the bus over the window (Redis phases with a known PID), else null. */
    bus?: { pid: number; cpuS: number; util: number } | null;
  };
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
  room?: RoomResult | null;
  /** Server processes of the phase and the bus they used. */
  fleet?: { servers: number; workers: number; redis: boolean };
  timeline?: TimelinePoint[];
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
