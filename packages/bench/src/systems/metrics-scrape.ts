// roomcast's own counters, read from GET /metrics at the start and the end of a measurement:
// what the server says it delivered, skipped and dropped (drops by reason), to set beside what
// the receivers counted. Only counters are kept; any counter whose name speaks of drops,
// skips or disconnects is included, so the room engine's drop counters appear when they land.

import type { Endpoint } from './server-process.ts';

const KEEP =
  /^roomcast_(deliveries|broadcasts|frames_out|frames_deflated|bytes_out|skipped_frames|publications_in|client_publications_in|disconnects|room_window_wait_seconds|room_fanout_seconds|[a-z_]*drop[a-z_]*|[a-z_]*skip[a-z_]*|[a-z_]*conflat[a-z_]*|[a-z_]*merge[a-z_]*|[a-z_]*reject[a-z_]*)/;

/** The room engine's latency histograms (seconds), read at both ends of the window. */
export const WINDOW_WAIT_HISTOGRAM = 'roomcast_room_window_wait_seconds';
export const FANOUT_HISTOGRAM = 'roomcast_room_fanout_seconds';

/** Parses Prometheus text into name{labels-without-node} → value, summing equal keys. */
export function parseMetrics(text: string, into: Map<string, number> = new Map()): Map<string, number> {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    if (sp < 0) continue;
    let name = line.slice(0, sp);
    const value = Number(line.slice(sp + 1));
    if (!Number.isFinite(value)) continue;
    const brace = name.indexOf('{');
    const base = brace < 0 ? name : name.slice(0, brace);
    if (!KEEP.test(base) || base.endsWith('_created')) continue;
    if (brace >= 0) {
      const labels = name
        .slice(brace + 1, -1)
        .split(',')
        .filter((l) => l !== '' && !l.startsWith('node='));
      name = labels.length > 0 ? `${base}{${labels.join(',')}}` : base;
    }
    into.set(name, (into.get(name) ?? 0) + value);
  }
  return into;
}

export async function scrapeMetrics(endpoints: readonly Endpoint[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await Promise.all(
    endpoints.map(async (e) => {
      try {
        const r = await fetch(`http://${e.host}:${e.port}/metrics`, { signal: AbortSignal.timeout(5000) });
        if (r.ok) parseMetrics(await r.text(), out);
      } catch {
        // A server that does not answer has no figures; the report shows none.
      }
    }),
  );
  return out;
}

/** end − start per key (counters only grow; a missing start counts as 0). */
export function metricsDelta(start: Map<string, number>, end: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of end) {
    const d = v - (start.get(k) ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

export interface HistogramFigures {
  /** Observations in the window. */
  count: number;
  /** Mean, ms. */
  meanMs: number | null;
  /** Quantiles in ms, linearly interpolated inside the bucket that holds them (Prometheus' histogram_quantile). */
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  /** Bucket bounds (ms) around p50 and p99: the resolution of the figures above. */
  p50BucketMs: [number, number] | null;
  p99BucketMs: [number, number] | null;
}

/**
 * Quantiles of a Prometheus histogram over the window: bucket deltas between two scrapes
 * (`<base>_bucket{le="…"}`, `<base>_sum`, `<base>_count`, summed over nodes). Null when nothing
 * was observed.
 */
export function histogram(
  start: Map<string, number>,
  end: Map<string, number>,
  base: string,
): HistogramFigures | null {
  const buckets: [number, number][] = [];
  const prefix = `${base}_bucket{le="`;
  const d = (k: string): number | undefined => {
    const v = end.get(k);
    return v === undefined ? undefined : v - (start.get(k) ?? 0);
  };
  for (const k of end.keys()) {
    if (!k.startsWith(prefix)) continue;
    const le = k.slice(prefix.length, k.indexOf('"', prefix.length));
    buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), d(k) ?? 0]);
  }
  const count = d(`${base}_count`) ?? 0;
  if (count <= 0 || buckets.length === 0) return null;
  buckets.sort((a, b) => a[0] - b[0]);
  const q = (phi: number): [number, [number, number]] => {
    const rank = phi * count;
    let prevLe = 0;
    let prevN = 0;
    for (const [le, n] of buckets) {
      if (n >= rank) {
        if (!Number.isFinite(le)) return [prevLe * 1000, [prevLe * 1000, Number.POSITIVE_INFINITY]];
        const inBucket = n - prevN;
        const x = inBucket > 0 ? prevLe + ((le - prevLe) * (rank - prevN)) / inBucket : le;
        return [x * 1000, [prevLe * 1000, le * 1000]];
      }
      prevLe = le;
      prevN = n;
    }
    return [prevLe * 1000, [prevLe * 1000, Number.POSITIVE_INFINITY]];
  };
  const [p50, b50] = q(0.5);
  const [p90] = q(0.9);
  const [p99, b99] = q(0.99);
  const sum = d(`${base}_sum`);
  return {
    count,
    meanMs: sum !== undefined ? (sum / count) * 1000 : null,
    p50Ms: p50,
    p90Ms: p90,
    p99Ms: p99,
    p50BucketMs: b50,
    p99BucketMs: b99,
  };
}
