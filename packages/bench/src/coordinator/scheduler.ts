// Turns a plan's rates into publishes: a 10 ms tick adds rate × elapsed to each rate's credit
// and emits one message per whole credit. Times are relative to the start of measurement, so
// bursts (`from`/`to`) land in the measured window whatever the warm-up.

import type { Plan, RateSpec } from '../plan/workloads.ts';

const TICK_MS = 10;

export interface SchedulerSinks {
  /** An HTTP API message of `kind` for `channel`. */
  api(kind: number, channel: number): void;
  /** A client message from the next publisher of `pool`. */
  client(pool: string, kind: number, channel: number): void;
  /** End of a tick: flush whatever was batched. */
  flush(): void;
}

export class Scheduler {
  private readonly rates: readonly RateSpec[];
  private readonly credit: Float64Array;
  private readonly sinks: SchedulerSinks;
  private readonly warmupS: number;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private last = 0;

  constructor(plan: Plan, warmupS: number, sinks: SchedulerSinks) {
    this.rates = plan.rates;
    this.credit = new Float64Array(plan.rates.length);
    this.sinks = sinks;
    this.warmupS = warmupS;
  }

  start(): void {
    this.t0 = performance.now();
    this.last = this.t0;
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Seconds since the start of measurement (negative during warm-up). */
  get t(): number {
    return (performance.now() - this.t0) / 1000 - this.warmupS;
  }

  private tick(): void {
    const now = performance.now();
    const dt = Math.min((now - this.last) / 1000, 0.5);
    this.last = now;
    const t = (now - this.t0) / 1000 - this.warmupS;
    for (let i = 0; i < this.rates.length; i++) {
      const r = this.rates[i] as RateSpec;
      if ((r.from !== undefined && t < r.from) || (r.to !== undefined && t >= r.to)) continue;
      let c = (this.credit[i] ?? 0) + r.rate * dt;
      while (c >= 1) {
        c -= 1;
        if (r.pool !== undefined) this.sinks.client(r.pool, r.kind, r.channel);
        else this.sinks.api(r.kind, r.channel);
      }
      this.credit[i] = c;
    }
    this.sinks.flush();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
