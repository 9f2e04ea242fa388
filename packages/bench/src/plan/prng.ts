// Deterministic pseudo-random numbers. The corpus must be reproducible from a message's id alone
// (stream, channel, sequence), so a sampled receiver can rebuild what was published and compare.

/** 32-bit FNV-1a style mix of a few integers. */
export function hash32(a: number, b = 0, c = 0, d = 0): number {
  let h = 0x811c9dc5;
  for (const v of [a, b, c, d]) {
    h = Math.imul(h ^ (v & 0xffff), 0x01000193);
    h = Math.imul(h ^ (v >>> 16), 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: small, fast, good enough for picking corpus lines. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(list: readonly T[]): T {
    const v = list[this.int(list.length)];
    if (v === undefined) throw new RangeError('pick from an empty list');
    return v;
  }
}
