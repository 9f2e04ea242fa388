// Workload plans: rooms and channels, every viewer's channels and receiver group, publishing
// clients, publish rates (with bursts) and the events of a workload. A plan is data: the
// coordinator executes it the same way against every system.

import type { BenchOptions, WorkloadName } from '../cli/options.ts';
import { GROUP } from '../generator/counters.ts';
import { kindIndex, type KindName } from './kinds.ts';
import { MAX_STREAMS } from './message-id.ts';
import { Prng } from './prng.ts';
import { ratesBySize, zipfSizes } from './zipf.ts';

export interface RateSpec {
  kind: number;
  channel: number;
  /** Messages per second. */
  rate: number;
  /** Client publishes: the publisher pool that sends them. */
  pool?: string;
  /** Active window in seconds from the start of measurement (default: the whole phase). */
  from?: number;
  to?: number;
}

export interface ViewerSpec {
  channels: number[];
  group: number;
}

export interface PublisherSpec {
  /** Pool key, e.g. "r0:chat". */
  pool: string;
  /** Stream id (≥ FIRST_CLIENT_STREAM). */
  stream: number;
  user: string;
}

export interface Room {
  name: string;
  viewers: number;
  channels: number[];
}

export interface Plan {
  workload: WorkloadName;
  description: string;
  channels: string[];
  rooms: Room[];
  /** Probes first (one per room, in room order), then every other viewer. */
  viewers: ViewerSpec[];
  probes: number;
  publishers: PublisherSpec[];
  rates: RateSpec[];
  /** HTTP API publishers send one message per request (else: per-tick batches). */
  apiSingle: boolean;
  /** Room-engine options for roomcast's `live` namespace, applied where the server has them. */
  engine: Record<string, unknown>;
  churn?: { perSecond: number; stormAt: number | undefined };
  slow: boolean;
  /** Lazy reading of counting viewers is off (data must not wait in their buffers). */
  eagerReads?: boolean;
  idleSteps: number[];
  settings: Record<string, string | number>;
  /** Measured seconds of publishing. */
  durationS: number;
  /** Seconds of load before the window. */
  warmupS: number;
  /** Generator (client) processes at least. */
  minGenerators: number;
}

/** API streams use ids 1..63; client publisher p uses FIRST_CLIENT_STREAM + p. */
export const FIRST_CLIENT_STREAM = 64;
/** A chatting user publishes at most this often, under roomcast's per-user limit (1/s, burst 3). */
const USER_RATE = 0.5;

/** The live mix: share of a room's messages per kind (chat and likes come from clients). */
export const LIVE_MIX: readonly { kind: KindName; share: number }[] = [
  { kind: 'chat', share: 0.55 },
  { kind: 'like', share: 0.2 },
  { kind: 'entry', share: 0.12 },
  { kind: 'gift', share: 0.06 },
  { kind: 'high', share: 0.04 },
  { kind: 'system', share: 0.03 },
];

class Builder {
  readonly channels: string[] = [];
  readonly rooms: Room[] = [];
  readonly publishers: PublisherSpec[] = [];
  readonly rates: RateSpec[] = [];
  private readonly pools = new Map<string, number>();

  room(name: string, viewers: number, withGift: boolean): Room {
    const channels = [this.channel(`live:${name}`)];
    if (withGift) channels.push(this.channel(`gift:${name}`));
    const r = { name, viewers, channels };
    this.rooms.push(r);
    return r;
  }

  private channel(name: string): number {
    this.channels.push(name);
    return this.channels.length - 1;
  }

  /** A pool of `n` publishing users for client rates. */
  pool(key: string, n: number): void {
    const have = this.pools.get(key) ?? 0;
    for (let i = have; i < n; i++) {
      const p = this.publishers.length;
      if (FIRST_CLIENT_STREAM + p >= MAX_STREAMS) break;
      this.publishers.push({ pool: key, stream: FIRST_CLIENT_STREAM + p, user: `u${p + 1}` });
    }
    this.pools.set(key, Math.max(have, n));
  }

  rate(kind: KindName, channel: number, rate: number, extra: Partial<RateSpec> = {}): void {
    if (rate > 0) this.rates.push({ kind: kindIndex(kind), channel, rate, ...extra });
  }
}

/** Viewer list with receiver groups: one probe per room, then a seeded sample of decoders. */
function viewers(rooms: readonly Room[], o: BenchOptions, slowShare: number): ViewerSpec[] {
  const r = new Prng(o.seed * 7919 + 1);
  const probes: ViewerSpec[] = [];
  const rest: ViewerSpec[] = [];
  for (const room of rooms) {
    if (room.viewers <= 0) continue;
    probes.push({ channels: room.channels, group: GROUP.probe });
    for (let i = 1; i < room.viewers; i++) {
      let group: number = GROUP.count;
      if (slowShare > 0 && r.next() < slowShare) group = GROUP.slow;
      else if (r.next() < o.sample) group = r.next() < o.deflateShare ? GROUP.deflate : GROUP.decode;
      rest.push({ channels: room.channels, group });
    }
  }
  // Interleave rooms so connecting loads every room evenly.
  for (let i = rest.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    const t = rest[i] as ViewerSpec;
    rest[i] = rest[j] as ViewerSpec;
    rest[j] = t;
  }
  return [...probes, ...rest];
}

function finish(
  b: Builder,
  o: BenchOptions,
  p: Omit<
    Plan,
    | 'channels'
    | 'rooms'
    | 'viewers'
    | 'probes'
    | 'publishers'
    | 'rates'
    | 'durationS'
    | 'warmupS'
    | 'minGenerators'
  > &
    Partial<Pick<Plan, 'durationS' | 'warmupS' | 'minGenerators'>>,
  slowShare = 0,
): Plan {
  const v = viewers(b.rooms, o, slowShare);
  return {
    durationS: o.duration,
    warmupS: o.warmup,
    minGenerators: 1,
    ...p,
    channels: b.channels,
    rooms: b.rooms,
    viewers: v,
    probes: b.rooms.filter((r) => r.viewers > 0).length,
    publishers: b.publishers,
    rates: b.rates,
  };
}

export function goimPlan(o: BenchOptions): Plan {
  const b = new Builder();
  const room = b.room('goim', o.viewers, false);
  b.rate('tiny', room.channels[0] as number, o.goimRate);
  return finish(b, o, {
    workload: 'goim',
    description: `one room with all ${o.viewers} viewers, ${o.goimRate} tiny pushes/s through the HTTP API`,
    apiSingle: true,
    // goim delivers every push: no per-viewer cap, no merging of equal texts.
    engine: { maxPerSecond: 1000, conflate: false },
    slow: false,
    idleSteps: [],
    settings: { viewers: o.viewers, pushesPerSecond: o.goimRate },
  });
}

export function livePlan(o: BenchOptions): Plan {
  const b = new Builder();
  const sizes = zipfSizes(o.viewers, Math.min(o.rooms, o.viewers), o.zipf);
  const rates = ratesBySize(sizes, o.rate, 0.7);
  sizes.forEach((n, i) => b.room(`r${i}`, n, true));
  b.rooms.forEach((room, i) => {
    const r = rates[i] ?? 0;
    const [live, gift] = room.channels as [number, number];
    const clientRate = r * (0.55 + 0.2);
    const pool = `r${i}:chat`;
    b.pool(pool, Math.max(1, Math.ceil(clientRate / USER_RATE)));
    for (const m of LIVE_MIX) {
      const k = m.kind;
      const ch = k === 'gift' ? gift : live;
      b.rate(k, ch, r * m.share, k === 'chat' || k === 'like' ? { pool } : {});
    }
  });
  const big = b.rooms[0];
  if (big) {
    const [live, gift] = big.channels as [number, number];
    const stormAt = o.duration * 0.3;
    const floodAt = o.duration * 0.6;
    b.rate('gift', gift, o.giftStorm, { from: stormAt, to: stormAt + o.burstSeconds });
    b.pool('r0:flood', Math.ceil(o.flood));
    b.rate('flood', live, o.flood, { pool: 'r0:flood', from: floodAt, to: floodAt + o.burstSeconds });
  }
  return finish(b, o, {
    workload: 'live',
    description:
      `${sizes.length} rooms with Zipf(${o.zipf}) sizes (biggest ${sizes[0] ?? 0}), ${o.rate} msgs/s ` +
      `(chat 55%, likes 20% from clients; entries 12%, gifts 6%, streamer 4%, system 3% via the HTTP API), ` +
      `gift storm ${o.giftStorm}/s and "666" flood ${o.flood}/s for ${o.burstSeconds}s in the biggest room`,
    apiSingle: false,
    engine: {},
    slow: false,
    idleSteps: [],
    settings: {
      viewers: o.viewers,
      rooms: sizes.length,
      biggestRoom: sizes[0] ?? 0,
      rate: o.rate,
      giftStorm: o.giftStorm,
      flood: o.flood,
    },
  });
}

export function churnPlan(o: BenchOptions): Plan {
  const b = new Builder();
  const roomCount = Math.max(1, Math.min(Math.round(o.rooms / 5), o.churnViewers));
  const sizes = zipfSizes(o.churnViewers, roomCount, o.zipf);
  sizes.forEach((n, i) => {
    const room = b.room(`c${i}`, n, false);
    b.rate('news', room.channels[0] as number, 1);
  });
  return finish(b, o, {
    workload: 'churn',
    description: `${o.churnViewers} viewers in ${roomCount} rooms (1 msg/s each); ${(o.churnRate * 100).toFixed(1)}% leave and rejoin per second${o.churnStorm ? ', then a reconnect storm' : ''}`,
    apiSingle: false,
    engine: {},
    churn: { perSecond: o.churnRate, stormAt: o.churnStorm ? o.duration * 0.6 : undefined },
    slow: false,
    idleSteps: [],
    settings: { viewers: o.churnViewers, rooms: roomCount, churnPerSecond: o.churnRate },
  });
}

export function slowPlan(o: BenchOptions): Plan {
  const b = new Builder();
  const room = b.room('slow', o.slowViewers, false);
  b.rate('rank', room.channels[0] as number, o.slowRate);
  return finish(
    b,
    o,
    {
      workload: 'slow',
      description: `one room of ${o.slowViewers} viewers, ${o.slowRate} leaderboard messages/s (~4 KB); ${(o.slowShare * 100).toFixed(1)}% stop reading once subscribed`,
      apiSingle: false,
      engine: { maxPerSecond: 1000, conflate: false },
      slow: true,
      // ~400 KB/s per viewer: readers that wait would look slow to the server.
      eagerReads: true,
      // Non-readers must still be connected (and their queues growing) when the window starts.
      warmupS: o.slowWarmup,
      idleSteps: [],
      settings: { viewers: o.slowViewers, slowShare: o.slowShare, rate: o.slowRate },
    },
    o.slowShare,
  );
}

export function idlePlan(o: BenchOptions): Plan {
  const b = new Builder();
  const steps = [...o.idleSteps].sort((x, y) => x - y);
  const max = steps.at(-1) ?? 0;
  b.room('idle', max, false);
  const plan = finish(
    b,
    { ...o, sample: 0 },
    {
      workload: 'idle',
      description: `connections subscribed to one quiet channel, memory measured at ${steps.join(', ')} connections`,
      apiSingle: false,
      engine: {},
      slow: false,
      idleSteps: steps,
      settings: { steps: steps.join(',') },
    },
  );
  return plan;
}

/**
 * The live-room engine as shipped: one room, every viewer on `live:<room>` and `gift:<room>`,
 * chat through the HTTP API (not rate-limited, unlike client publishes: `room.userRate` and
 * `room.publishRate` would refuse most of 1,000 client msgs/s) and gifts on the reliable channel.
 * roomcast runs its default room settings (window, per-viewer cap, conflation).
 */
export function roomPlan(o: BenchOptions): Plan {
  const b = new Builder();
  const room = b.room('room', o.roomViewers, true);
  const [live, gift] = room.channels as [number, number];
  b.rate('danmaku', live, o.roomChatRate);
  b.rate('gift', gift, o.roomGiftRate);
  return finish(b, o, {
    workload: 'room',
    description:
      `one room, ${o.roomViewers} viewers (live:room + gift:room) over ≥ ${o.roomGenerators} client processes, ` +
      `${o.roomChatRate} chat msgs/s + ${o.roomGiftRate} gifts/s through the HTTP API for ${o.roomDuration} s; ` +
      'roomcast with its default room-engine settings',
    apiSingle: false,
    engine: {},
    slow: false,
    idleSteps: [],
    durationS: o.roomDuration,
    minGenerators: Math.max(1, o.roomGenerators),
    settings: {
      viewers: o.roomViewers,
      chatPerSecond: o.roomChatRate,
      giftsPerSecond: o.roomGiftRate,
      seconds: o.roomDuration,
    },
  });
}

export function buildPlan(w: WorkloadName, o: BenchOptions): Plan {
  switch (w) {
    case 'goim':
      return goimPlan(o);
    case 'live':
      return livePlan(o);
    case 'churn':
      return churnPlan(o);
    case 'slow':
      return slowPlan(o);
    case 'idle':
      return idlePlan(o);
    case 'room':
      return roomPlan(o);
  }
}
