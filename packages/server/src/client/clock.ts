// One 1-second timer per node drives every connection's periodic work, instead of timers per
// connection (which would cost memory per idle viewer):
// - pings: connections are spread over `pingInterval` buckets; each tick pings one bucket with
//   a single pre-framed `{}`; the bucket pinged `pongTimeout` ticks ago is checked for pongs;
// - connect deadline: sockets that have not sent a valid connect in time are closed (3502);
// - credential expiry: connections and subscriptions whose token expired and were not
//   refreshed within the grace period are closed (3005) or unsubscribed (2501).

import { Disconnects, Unsubscribes } from '@roomcast/protocol';
import { PING_FRAME } from '../gateway/frame.ts';
import type { Client } from './client.ts';

export interface ClockOptions {
  pingIntervalSeconds: number;
  pongTimeoutSeconds: number;
  connectTimeoutSeconds: number;
  expiredCloseDelaySeconds: number;
}

export class ClientClock {
  private tick = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly buckets: Set<Client>[];
  private readonly connecting = new Set<Client>();
  private readonly expiring = new Set<Client>();
  private readonly opts: ClockOptions;
  /** Extra per-tick work of the node (presence refresh, stats). */
  onTick: ((tick: number) => void) | undefined;

  constructor(opts: ClockOptions) {
    this.opts = opts;
    this.buckets = Array.from({ length: opts.pingIntervalSeconds }, () => new Set<Client>());
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.run(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  addConnecting(c: Client): void {
    this.connecting.add(c);
  }

  /** Moves a client from the connect deadline to a ping bucket. */
  addConnected(c: Client): void {
    this.connecting.delete(c);
    c.pingBucket = Math.floor(Math.random() * this.buckets.length);
    this.buckets[c.pingBucket]?.add(c);
    this.watchExpiry(c);
  }

  watchExpiry(c: Client): void {
    let due = c.expireAt > 0;
    if (!due) for (const s of c.subs.values()) if (s.expireAt > 0) due = true;
    if (due) this.expiring.add(c);
    else this.expiring.delete(c);
  }

  remove(c: Client): void {
    this.connecting.delete(c);
    this.expiring.delete(c);
    if (c.pingBucket >= 0) this.buckets[c.pingBucket]?.delete(c);
    c.pingBucket = -1;
  }

  private run(): void {
    const t = ++this.tick;
    const n = this.buckets.length;
    const pingBucket = this.buckets[t % n] as Set<Client>;
    for (const c of pingBucket) {
      c.lastPingTick = t;
      c.pongOk = false;
      c.flushOut();
      c.transport.write(PING_FRAME);
    }
    const p = this.opts.pongTimeoutSeconds;
    if (p > 0 && t > p) {
      const checkTick = t - p;
      for (const c of this.buckets[checkTick % n] as Set<Client>) {
        if (c.lastPingTick === checkTick && !c.pongOk) c.disconnect(Disconnects.noPong);
      }
    }
    if (this.connecting.size > 0) {
      const deadline = Date.now() - this.opts.connectTimeoutSeconds * 1000;
      for (const c of this.connecting) if (c.acceptedAt <= deadline) c.disconnect(Disconnects.stale);
    }
    if (this.expiring.size > 0) {
      const now = Math.floor(Date.now() / 1000);
      const grace = this.opts.expiredCloseDelaySeconds;
      for (const c of this.expiring) {
        if (c.expireAt > 0 && c.expireAt + grace <= now) {
          c.disconnect(Disconnects.expired);
          continue;
        }
        for (const s of c.subs.values()) {
          if (s.expireAt > 0 && s.expireAt + grace <= now) {
            const u = Unsubscribes.expired;
            c.unsubscribeByServer(s.channel, u.code, u.reason);
          }
        }
        this.watchExpiry(c);
      }
    }
    this.onTick?.(t);
  }
}
