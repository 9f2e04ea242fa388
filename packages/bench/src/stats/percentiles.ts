// Percentiles and CDF points over plain arrays of numbers (exact: samples are sorted).

export interface Percentiles {
  n: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export const EMPTY_PERCENTILES: Percentiles = { n: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };

function sorted(values: ArrayLike<number>): Float64Array {
  const a = Float64Array.from(values);
  a.sort();
  return a;
}

function at(a: Float64Array, q: number): number {
  if (a.length === 0) return 0;
  return a[Math.min(a.length - 1, Math.max(0, Math.ceil(q * a.length) - 1))] ?? 0;
}

export function percentiles(values: ArrayLike<number>): Percentiles {
  const a = sorted(values);
  if (a.length === 0) return EMPTY_PERCENTILES;
  let sum = 0;
  for (const v of a) sum += v;
  return {
    n: a.length,
    mean: sum / a.length,
    p50: at(a, 0.5),
    p90: at(a, 0.9),
    p99: at(a, 0.99),
    max: a[a.length - 1] ?? 0,
  };
}

/** [value, cumulative fraction] points: `points` quantiles plus the tail (p99, p99.9, max). */
export function cdf(values: ArrayLike<number>, points = 50): [number, number][] {
  const a = sorted(values);
  if (a.length === 0) return [];
  const out: [number, number][] = [];
  const qs = Array.from({ length: points }, (_, i) => (i + 1) / points).filter((q) => q < 0.99);
  for (const q of [...qs, 0.99, 0.999, 1]) out.push([at(a, q), q]);
  return out;
}

export function median(values: readonly number[]): number {
  return at(sorted(values), 0.5);
}
