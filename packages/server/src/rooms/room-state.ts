// Per-room state on one node: moderation (mutes, bans, closed), upstream rate buckets, settings
// overrides and the numbers `room_stats` reports. Moderation arrives as control messages on the
// bus, so every node holds the same mutes and bans.

import type { RoomOptions } from '../config/schema.ts';
import { TokenBucket } from './token-bucket.ts';

/** Overridable per room with `room_settings`. */
export interface RoomSettings {
  windowMs?: number;
  maxPerSecond?: number;
  publishRate?: number;
  userRate?: number;
  userBurst?: number;
}

export type DropReason = 'cap' | 'stale' | 'overflow';
export type RejectReason = 'user_rate' | 'room_rate' | 'muted' | 'banned' | 'too_large' | 'reserved_type';

const RATE_SECONDS = 10;

export class RoomState {
  readonly id: string;
  settings: RoomSettings = {};
  readonly mutes = new Map<string, number>();
  readonly bans = new Map<string, number>();
  roomBucket: TokenBucket | undefined;
  readonly userBuckets = new Map<string, TokenBucket>();
  readonly likeBuckets = new Map<string, TokenBucket>();
  /** Last entry notice per user (re-entries within a minute are not announced again). */
  readonly entries = new Map<string, number>();
  readonly drops: Record<DropReason, number> = { cap: 0, stale: 0, overflow: 0 };
  readonly rejected: Record<RejectReason, number> = {
    user_rate: 0,
    room_rate: 0,
    muted: 0,
    banned: 0,
    too_large: 0,
    reserved_type: 0,
  };
  accepted = 0;
  merged = 0;
  batches = 0;
  deliveries = 0;
  lastActive: number;
  /** Accepted client publishes by unix second (the last RATE_SECONDS + 1 seconds). */
  private readonly rate = new Map<number, number>();

  constructor(id: string, now: number) {
    this.id = id;
    this.lastActive = now;
  }

  effective(base: RoomOptions): RoomOptions {
    return { ...base, ...this.settings };
  }

  private static active(map: Map<string, number>, user: string, now: number): boolean {
    const until = map.get(user);
    if (until === undefined) return false;
    if (until > now) return true;
    map.delete(user);
    return false;
  }

  muted(user: string, now: number): boolean {
    return RoomState.active(this.mutes, user, now);
  }

  banned(user: string, now: number): boolean {
    return RoomState.active(this.bans, user, now);
  }

  countAccepted(now: number): void {
    this.accepted++;
    const s = Math.floor(now / 1000);
    this.rate.set(s, (this.rate.get(s) ?? 0) + 1);
    for (const k of this.rate.keys()) if (k < s - RATE_SECONDS) this.rate.delete(k);
  }

  /** Accepted client publishes per second over the last RATE_SECONDS full seconds. */
  publishRate(now: number): number {
    const s = Math.floor(now / 1000);
    let sum = 0;
    for (const [k, n] of this.rate) if (k >= s - RATE_SECONDS && k < s) sum += n;
    return sum / RATE_SECONDS;
  }

  /** True when nothing here needs keeping (no moderation, idle buckets). */
  idle(now: number, idleMs: number): boolean {
    if (now - this.lastActive < idleMs) return false;
    for (const [u] of this.mutes) if (this.muted(u, now)) return false;
    for (const [u] of this.bans) if (this.banned(u, now)) return false;
    return Object.keys(this.settings).length === 0;
  }
}
