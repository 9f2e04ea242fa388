// A token bucket on an injectable clock: rate per second, burst capacity.

export class TokenBucket {
  private tokens: number;
  private at: number;
  rate: number;
  burst: number;

  constructor(rate: number, burst: number, now: number) {
    this.rate = rate;
    this.burst = burst;
    this.tokens = burst;
    this.at = now;
  }

  /** Takes `n` tokens if available. A rate of 0 means unlimited. */
  take(now: number, n = 1): boolean {
    if (this.rate <= 0) return true;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }

  /** True when the bucket is full (idle long enough to forget). */
  full(now: number): boolean {
    return this.rate <= 0 || this.tokens + ((now - this.at) / 1000) * this.rate >= this.burst;
  }
}
