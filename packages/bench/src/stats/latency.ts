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
  /**
   * Merged chat lines ("666" ×35, no message id), one sample per original they stand for:
   * the `count` latest publications of that text before the line's first arrival (publisher
   * log). Null when no merged line was seen or no publisher log exists (client publishes).
   */
  merged: (LatencySplit & { lines: number; originals: number; unmatched: number }) | null;
  /** Chat: single lines and the originals of merged lines together. */
  chatAll: LatencySplit;
  /** [ms, fraction] points of the total latency CDF. */
  cdf: [number, number][];
}

/** Index of the last value < x in an ascending list, or -1. */
function lastBelow(list: readonly number[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

function mergedSplit(
  batches: readonly SampleBatch[],
  log: ReadonlyMap<number, readonly number[]>,
): { split: LatencySplit & { lines: number; originals: number; unmatched: number }; raw: number[][] } | null {
  const first = new Map<number, number>();
  let lines = 0;
  for (const b of batches) {
    const m = b.merged;
    for (let i = 0; i < m.frame.length; i++) {
      lines++;
      const k = m.frame[i] as number;
      const r = m.recvUs[i] as number;
      const f = first.get(k);
      if (f === undefined || r < f) first.set(k, r);
    }
  }
  if (lines === 0 || log.size === 0) return null;
  const total: number[] = [];
  const wait: number[] = [];
  const fan: number[] = [];
  let unmatched = 0;
  for (const b of batches) {
    const m = b.merged;
    for (let i = 0; i < m.frame.length; i++) {
      const recv = m.recvUs[i] as number;
      const f = first.get(m.frame[i] as number) ?? recv;
      const list = log.get(m.text[i] as number);
      const count = m.count[i] as number;
      const last = list ? lastBelow(list, f) : -1;
      const from = Math.max(0, last - count + 1);
      unmatched += count - (last - from + 1);
      for (let j = from; j <= last; j++) {
        const pub = (list as readonly number[])[j] as number;
        total.push((recv - pub) / 1000);
        wait.push((f - pub) / 1000);
        fan.push((recv - f) / 1000);
      }
    }
  }
  return {
    split: {
      total: percentiles(total),
      windowWait: percentiles(wait),
      fanout: percentiles(fan),
      lines,
      originals: total.length,
      unmatched,
    },
    raw: [total, wait, fan],
  };
}

export function latency(
  batches: readonly SampleBatch[],
  textLog: ReadonlyMap<number, readonly number[]> = new Map(),
): LatencyResult {
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
  const merged = mergedSplit(batches, textLog);
  const chatAll: LatencySplit = merged
    ? {
        total: percentiles([...(byClass.get('chat') ?? []), ...(merged.raw[0] ?? [])]),
        windowWait: percentiles([...(waitByClass.get('chat') ?? []), ...(merged.raw[1] ?? [])]),
        fanout: percentiles([...(fanByClass.get('chat') ?? []), ...(merged.raw[2] ?? [])]),
      }
    : split.chat;
  return {
    samples: n,
    droppedSamples: dropped,
    merged: merged?.split ?? null,
    chatAll,
    total: percentiles(total),
    windowWait: percentiles(wait),
    fanout: percentiles(fan),
    byClass: classes,
    splitByClass: split,
    cdf: cdf(total),
  };
}
