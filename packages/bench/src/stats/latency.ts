// Latency from the samples of every generator. A message's first arrival over all sampled
// receivers (each room's first subscriber is a probe, written to first) stands for the moment
// the server flushed it, so:
//   window wait = first arrival − publish  (server-side wait: ingress, bus, batching window)
//   fan-out     = arrival − first arrival  (writing the frame to every other viewer)
//   total       = arrival − publish
// All times come from one monotonic clock shared by the processes of the machine.

import type { SampleBatch } from '../generator/samples.ts';
import { kindAt, LATENCY_CLASSES, type LatencyClass } from '../plan/kinds.ts';
import { cdf, percentiles, type Percentiles } from './percentiles.ts';

export interface LatencySplit {
  total: Percentiles;
  windowWait: Percentiles;
  fanout: Percentiles;
}

export interface LatencyResult {
  samples: number;
  droppedSamples: number;
  total: Percentiles;
  windowWait: Percentiles;
  fanout: Percentiles;
  byClass: Record<LatencyClass, Percentiles>;
  /** Total, window wait and fan-out per latency class. */
  splitByClass: Record<LatencyClass, LatencySplit>;
  /** [ms, fraction] points of the total latency CDF. */
  cdf: [number, number][];
}

export function latency(batches: readonly SampleBatch[]): LatencyResult {
  const first = new Map<number, number>();
  let n = 0;
  let dropped = 0;
  for (const b of batches) {
    n += b.key.length;
    dropped += b.dropped;
    for (let i = 0; i < b.key.length; i++) {
      const k = b.key[i] as number;
      const r = b.recvUs[i] as number;
      const f = first.get(k);
      if (f === undefined || r < f) first.set(k, r);
    }
  }
  const total = new Float64Array(n);
  const wait = new Float64Array(n);
  const fan = new Float64Array(n);
  const byClass = new Map<LatencyClass, number[]>(LATENCY_CLASSES.map((c) => [c, []]));
  const waitByClass = new Map<LatencyClass, number[]>(LATENCY_CLASSES.map((c) => [c, []]));
  const fanByClass = new Map<LatencyClass, number[]>(LATENCY_CLASSES.map((c) => [c, []]));
  let j = 0;
  for (const b of batches) {
    for (let i = 0; i < b.key.length; i++) {
      const pub = b.pubUs[i] as number;
      const recv = b.recvUs[i] as number;
      const f = first.get(b.key[i] as number) ?? recv;
      const ms = (recv - pub) / 1000;
      total[j] = ms;
      wait[j] = (f - pub) / 1000;
      fan[j] = (recv - f) / 1000;
      const cls = kindAt(b.kind[i] as number).latencyClass;
      byClass.get(cls)?.push(ms);
      waitByClass.get(cls)?.push(wait[j] as number);
      fanByClass.get(cls)?.push(fan[j] as number);
      j++;
    }
  }
  const classes = {} as Record<LatencyClass, Percentiles>;
  const split = {} as Record<LatencyClass, LatencySplit>;
  for (const c of LATENCY_CLASSES) {
    classes[c] = percentiles(byClass.get(c) ?? []);
    split[c] = {
      total: classes[c],
      windowWait: percentiles(waitByClass.get(c) ?? []),
      fanout: percentiles(fanByClass.get(c) ?? []),
    };
  }
  return {
    samples: n,
    droppedSamples: dropped,
    total: percentiles(total),
    windowWait: percentiles(wait),
    fanout: percentiles(fan),
    byClass: classes,
    splitByClass: split,
    cdf: cdf(total),
  };
}
