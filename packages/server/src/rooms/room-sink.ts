// The batching sink of one room channel at one gateway. Protected classes (system, gift, high)
// flush at the end of the current event-loop turn; chat, likes and entries wait for the room's
// window: a quiet room flushes on the leading edge (no added latency), a busy one at most once
// per window, whose length grows with the room's local size (small rooms: at once; big rooms:
// up to `windowMs`). Each flush conflates, selects under the per-viewer budget, encodes once
// and writes one shared frame to every viewer.

import { PRIORITY, type PubMessage } from '../bus/bus.ts';
import type { RoomOptions } from '../config/schema.ts';
import type { ChannelSink, Hub } from '../hub/hub.ts';
import type { LocalChannel } from '../hub/local-channel.ts';
import { conflate, isProtected, type Candidate } from './conflate.ts';
import { ClassQueues } from './queues.ts';
import type { RoomState } from './room-state.ts';
import { select } from './selector.ts';

const DROPPABLE = [PRIORITY.normal, PRIORITY.low] as const;

export interface SinkHooks {
  hub: Hub;
  /** Window wait of each delivered message (ms) and fan-out duration of each batch (ms). */
  observeWait(ms: number): void;
  observeFanout(ms: number): void;
  now(): number;
}

/** Window for a room with `n` local viewers: 0 up to `small`, `windowMs` from `large`, linear between. */
export function windowFor(
  n: number,
  o: Pick<RoomOptions, 'windowMs' | 'smallRoomViewers' | 'largeRoomViewers'>,
): number {
  if (n <= o.smallRoomViewers) return 0;
  if (n >= o.largeRoomViewers) return o.windowMs;
  return Math.round(
    (o.windowMs * (n - o.smallRoomViewers)) / Math.max(1, o.largeRoomViewers - o.smallRoomViewers),
  );
}

export class RoomSink implements ChannelSink {
  readonly room: RoomState;
  private readonly base: RoomOptions;
  private readonly hooks: SinkHooks;
  private readonly queues = new ClassQueues();
  private urgent: PubMessage[] = [];
  private urgentScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastFlush = 0;
  private allowance: number;
  private allowanceAt: number;
  private ch: LocalChannel | undefined;
  private disposed = false;

  constructor(room: RoomState, base: RoomOptions, hooks: SinkHooks) {
    this.room = room;
    this.base = base;
    this.hooks = hooks;
    this.allowance = base.maxPerSecond;
    this.allowanceAt = hooks.now();
  }

  private get opts(): RoomOptions {
    return this.room.effective(this.base);
  }

  accept(ch: LocalChannel, msg: PubMessage): void {
    if (this.disposed) return;
    this.ch = ch;
    const level = msg.priority ?? PRIORITY.normal;
    if (isProtected(level)) {
      this.urgent.push(msg);
      if (!this.urgentScheduled) {
        this.urgentScheduled = true;
        setImmediate(() => this.flushUrgent());
      }
      return;
    }
    const dropped = this.queues.push(msg, level, this.opts.queueLimit);
    if (dropped) this.room.drops.overflow++;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.immediate || !this.ch) return;
    const wait = this.lastFlush + windowFor(this.ch.size, this.opts) - this.hooks.now();
    if (wait <= 0) this.immediate = setImmediate(() => this.flush());
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  private refill(now: number): number {
    const k = this.opts.maxPerSecond;
    this.allowance = Math.min(k, this.allowance + ((now - this.allowanceAt) / 1000) * k);
    this.allowanceAt = now;
    return Math.max(0, Math.floor(this.allowance + 1e-9));
  }

  private spend(n: number): void {
    this.allowance = Math.max(-this.opts.maxPerSecond, this.allowance - n);
  }

  private flushUrgent(): void {
    this.urgentScheduled = false;
    const msgs = this.urgent;
    this.urgent = [];
    if (this.disposed || !this.ch || msgs.length === 0) return;
    this.refill(this.hooks.now());
    this.spend(msgs.length);
    this.send(this.ch, msgs);
  }

  /** Flushes the window: conflate, select under the budget, encode once, write to all. */
  flush(): void {
    this.timer = undefined;
    this.immediate = undefined;
    const ch = this.ch;
    if (this.disposed || !ch) return;
    const now = this.hooks.now();
    const opts = this.opts;
    const budget = this.refill(now);
    const taken = this.queues.take(DROPPABLE);
    const byLevel: Candidate[][] = [[], [], [], [], []];
    for (const level of DROPPABLE) {
      const items = taken[level] ?? [];
      if (items.length === 0) continue;
      if (opts.conflate) {
        const c = conflate(items);
        byLevel[level] = c.candidates;
        this.room.merged += c.merged;
      } else {
        byLevel[level] = items.map((q) => ({ ...q, weight: 1, newest: q.msg.pub.time ?? 0 }));
      }
    }
    const shares = [
      opts.quotas.system,
      opts.quotas.gift,
      opts.quotas.high,
      opts.quotas.normal,
      opts.quotas.low,
    ];
    const r = select({
      byLevel,
      budget,
      shares,
      staleBefore: opts.staleSeconds > 0 ? now - opts.staleSeconds * 1000 : 0,
    });
    this.room.drops.cap += r.drops.cap;
    this.room.drops.stale += r.drops.stale;
    if (r.chosen.length > 0) {
      this.lastFlush = now;
      this.spend(r.chosen.length);
      for (const c of r.chosen) if (c.newest > 0) this.hooks.observeWait(now - c.newest);
      this.send(
        ch,
        r.chosen.map((c) => c.msg),
      );
    }
    if (this.queues.size > 0) this.schedule();
  }

  private send(ch: LocalChannel, msgs: PubMessage[]): void {
    if (ch.size === 0) return;
    const started = this.hooks.now();
    this.room.batches++;
    this.room.deliveries += ch.size * msgs.length;
    this.hooks.hub.broadcast(ch, msgs, this.hooks.hub.encodePubs(ch.name, msgs), true, () =>
      this.hooks.observeFanout(this.hooks.now() - started),
    );
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }
}
