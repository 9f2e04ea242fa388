// What a phase runs with, and the result skeleton every phase (failed ones too) starts from.

import type { BenchOptions } from '../cli/options.ts';
import type { Plan } from '../plan/workloads.ts';
import type { PhaseResult } from '../report/result.ts';
import { EMPTY_PERCENTILES } from '../stats/percentiles.ts';
import type { DefaultConfig, EngineKnobs } from '../systems/roomcast-config.ts';
import type { SystemDef } from '../systems/systems.ts';
import type { Children } from './children.ts';
import type { ProgressLine } from './progress.ts';

export interface PhaseEnv {
  o: BenchOptions;
  runId: string;
  system: SystemDef;
  plan: Plan;
  repetition: number;
  children: Children;
  tmpDir: string;
  defaults: DefaultConfig | undefined;
  knobs: EngineKnobs | undefined;
  apiKey: string;
  secret: string;
  ticks: number;
  cores: number;
  pinned: boolean;
  progress: ProgressLine;
}

const EMPTY_GROUP = { frames: 0, bytes: 0, msgs: 0, live: 0, giftMsgs: 0, giftFrames: 0, giftBytes: 0 };

/** The fixed parts of a result, for failed phases too. */
export function baseResult(env: PhaseEnv): PhaseResult {
  return {
    workload: env.plan.workload,
    system: env.system.name,
    repetition: env.repetition,
    status: 'failed',
    description: env.plan.description,
    settings: env.plan.settings,
    engineApplied: [],
    wallS: 0,
    phaseS: 0,
    connections: {
      planned: env.plan.viewers.length + env.plan.publishers.length,
      connected: 0,
      failed: 0,
      failures: {},
      connectS: 0,
      connectLatencyMs: EMPTY_PERCENTILES,
    },
    publish: { plannedPerSecond: 0, sent: 0, accepted: 0, perSecond: 0, errors: {}, backlogDropped: 0 },
    deliveries: { received: 0, expected: 0, ratio: null, perSecond: 0 },
    frames: 0,
    bytes: 0,
    groups: {
      count: { ...EMPTY_GROUP },
      decode: { ...EMPTY_GROUP },
      deflate: { ...EMPTY_GROUP },
      probe: { ...EMPTY_GROUP },
      publisher: { ...EMPTY_GROUP },
      slow: { ...EMPTY_GROUP },
    },
    deflateNegotiated: 0,
    server: { processes: [], cpuS: 0, util: 0, metrics: {} },
    efficiency: {
      cpuUsPerDelivery: null,
      deliveriesPerCpuS: null,
      framesPerCpuS: null,
      framesPerDelivery: null,
      msgsPerFrame: null,
      bytesPerDelivery: null,
      compressedBytesPerDelivery: null,
    },
    latency: null,
    checks: {
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
    },
    drops: { missing: 0, closes: {}, server: {} },
    generators: [],
    coordinator: { cpuS: 0, util: 0 },
    machine: { cores: env.cores, busyCores: 0, foreignCores: 0 },
    bottleneck: { verdict: 'none', note: '' },
    churn: null,
    idle: null,
    slow: null,
  };
}
