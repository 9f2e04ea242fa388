// Messages between the coordinator and a generator process (structured clone over IPC with
// `serialization: 'advanced'`, so typed arrays travel as they are).

import type { CounterSnapshot } from './counters.ts';
import type { SampleBatch } from './samples.ts';

export type WireProtocol = 'centrifuge' | 'socketio';

export interface ConnSpec {
  /** Channel indices a viewer subscribes to (empty for publishers). */
  channels: number[];
  /** Receiver group (GROUP in counters.ts). */
  group: number;
  /** Index into the setup's server list. */
  server: number;
  /** Publisher stream id (publishers only), else -1. */
  stream: number;
  /** Connection token ('' = anonymous). */
  token: string;
}

export interface SetupMsg {
  type: 'setup';
  generator: number;
  protocol: WireProtocol;
  servers: { host: string; port: number }[];
  channels: string[];
  specs: ConnSpec[];
  /** Source addresses 127.0.0.2 … 127.0.0.(1 + sourceAddresses), rotated by global index. */
  sourceAddresses: number;
  /** Global index of this generator's first connection (for the rotation). */
  globalOffset: number;
  /** Connections in flight at once while connecting. */
  concurrency: number;
  connectTimeoutMs: number;
  sampleCapacity: number;
  /** Counting receivers read at most this often (0 = as data arrives). */
  lazyReadMs: number;
}

export type Request =
  | SetupMsg
  | { type: 'connect'; from: number; to: number }
  | { type: 'mark'; recording: boolean }
  | { type: 'samples' }
  | { type: 'peek' }
  | { type: 'slow' }
  | { type: 'churn'; count: number }
  | { type: 'storm'; concurrency: number; timeoutMs: number }
  | { type: 'stop' };

/** Fire-and-forget: publishes by client publishers, [slot, kind, channel] triples. */
export interface PublishMsg {
  type: 'pub';
  items: number[];
}

export interface ConnectReport {
  attempted: number;
  ok: number;
  failed: number;
  ms: number;
  failures: Record<string, number>;
  /** Connect-to-subscribed latency of each successful connection, ms. */
  latencyMs: number[];
}

export interface MarkReport {
  snapshot: CounterSnapshot;
  /** Live (subscribed, reading) viewers per channel index. */
  liveByChannel: number[];
  cpuUs: number;
  wallUs: number;
  eldP99Ms: number;
  eldMaxMs: number;
}

export interface StormReport {
  dropped: number;
  ok: number;
  failed: number;
  failures: Record<string, number>;
  /** Completion times since the storm began, ms, ascending. */
  doneMs: number[];
}

export type Reply =
  | { type: 'ok' }
  | { type: 'connect'; report: ConnectReport }
  | { type: 'mark'; report: MarkReport }
  | { type: 'samples'; batch: SampleBatch }
  | { type: 'peek'; msgs: number; frames: number }
  | { type: 'churn'; report: ConnectReport }
  | { type: 'storm'; report: StormReport }
  | { type: 'error'; message: string };

export type ToGenerator = { req: number; body: Request } | PublishMsg;

export interface Progress {
  type: 'progress';
  frames: number;
  bytes: number;
  msgs: number;
  live: number;
  cpuPct: number;
}

export type FromGenerator = { req: number; body: Reply } | Progress | { type: 'ready' };
