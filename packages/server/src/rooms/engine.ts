// The live-room engine of a node (SPEC F2): installs a batching sink on channels of namespaces
// with `room.enabled`, admits client publishes (rate, size, mute, ban), announces entries,
// keeps exact online counts and unique viewers, and applies room control (mute, kick, ban,
// close, settings) that reaches every node as a control message.

import { Errors, Unsubscribes, type ReplyError } from '@roomcast/protocol';
import { PRIORITY, type PriorityLevel, type PubMessage, type RoomAction } from '../bus/bus.ts';
import type { ChannelPolicy, ParsedChannel } from '../channels/namespaces.ts';
import type { Client } from '../client/client.ts';
import { PublishRejectedError } from '../errors.ts';
import type { ChannelSink } from '../hub/hub.ts';
import type { LocalChannel } from '../hub/local-channel.ts';
import type { Subscription } from '../hub/subscription.ts';
import type { RoomcastNode } from '../node.ts';
import type { OnlineStore } from '../presence/online-store.ts';
import { roomMethods } from './api.ts';
import { RoomSink } from './room-sink.ts';
import { RoomState, type RejectReason } from './room-state.ts';
import { TokenBucket } from './token-bucket.ts';

/** Message types only the server may emit on room channels. */
const RESERVED_TYPES = new Set(['entry', 'entries', 'likes', 'online', 'system']);
const ENTRY_REPEAT_MS = 60_000;
const ROOM_IDLE_MS = 10 * 60_000;

export interface ClientPublishMeta {
  priority: PriorityLevel;
  kind: string | undefined;
}

export class RoomEngine {
  private readonly node: RoomcastNode;
  private readonly online: OnlineStore;
  readonly rooms = new Map<string, RoomState>();
  private readonly sinks = new Map<LocalChannel, RoomSink>();
  private readonly pendingUnique = new Map<string, Set<string>>();
  private readonly lastPushed = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private tick = 0;
  /** Counters of rooms already swept, so node totals never go down. */
  private readonly retired = {
    drops: {} as Record<string, number>,
    rejected: {} as Record<string, number>,
    merged: 0,
  };

  constructor(node: RoomcastNode, online: OnlineStore) {
    this.node = node;
    this.online = online;
    node.hub.sinkFor = (policy, channel) => this.sinkFor(policy, channel);
    for (const [name, fn] of Object.entries(roomMethods)) node.apiMethods.set(name, fn);
  }

  start(): void {
    this.timer = setInterval(() => this.onTick(), 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const s of this.sinks.values()) s.dispose();
    await this.online.forget(this.node.uid).catch(() => undefined);
  }

  room(id: string): RoomState {
    let r = this.rooms.get(id);
    if (!r) this.rooms.set(id, (r = new RoomState(id, Date.now())));
    return r;
  }

  private sinkFor(policy: ChannelPolicy, channel: string): ChannelSink | undefined {
    if (!policy.room.enabled) return undefined;
    const rest = channel.slice(policy.name.length + 1);
    const sink = new RoomSink(this.room(rest), policy.room, {
      hub: this.node.hub,
      now: Date.now,
      observeWait: (ms) => this.node.metrics.observeWindowWait(ms),
      observeFanout: (ms) => this.node.metrics.observeFanout(ms),
    });
    return {
      accept: (ch, msg) => {
        this.sinks.set(ch, sink);
        sink.accept(ch, msg);
      },
      dispose: (ch) => {
        sink.dispose();
        this.sinks.delete(ch);
      },
    };
  }

  // ---- upstream --------------------------------------------------------------------------------

  private reject(room: RoomState, reason: RejectReason, error: ReplyError): never {
    room.rejected[reason]++;
    throw new PublishRejectedError(error, reason);
  }

  /** Admission of a client publish on a room channel; throws PublishRejectedError. */
  admit(c: Client, parsed: ParsedChannel, data: string): ClientPublishMeta {
    const base = parsed.policy.room;
    const room = this.room(parsed.rest);
    const o = room.effective(base);
    const now = Date.now();
    room.lastActive = now;
    if (room.banned(c.user, now)) this.reject(room, 'banned', Errors.banned);
    if (room.muted(c.user, now)) this.reject(room, 'muted', Errors.muted);
    if (Buffer.byteLength(data) > o.maxMessageBytes) this.reject(room, 'too_large', Errors.messageTooLarge);
    let kind: string | undefined;
    try {
      const v: unknown = JSON.parse(data);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const t = (v as Record<string, unknown>)['type'];
        if (typeof t === 'string') kind = t;
        const text = (v as Record<string, unknown>)['text'];
        if (typeof text === 'string' && [...text].length > o.maxTextLength)
          this.reject(room, 'too_large', Errors.messageTooLarge);
      }
    } catch (err) {
      if (err instanceof PublishRejectedError) throw err;
    }
    if (kind !== undefined && RESERVED_TYPES.has(kind))
      this.reject(room, 'reserved_type', Errors.permissionDenied);
    const isLike = kind === 'like';
    const buckets = isLike ? room.likeBuckets : room.userBuckets;
    let b = buckets.get(c.user);
    const rate = isLike ? o.likeRate : o.userRate;
    const burst = isLike ? Math.max(1, Math.ceil(o.likeRate * 2)) : o.userBurst;
    if (!b) buckets.set(c.user, (b = new TokenBucket(rate, burst, now)));
    b.rate = rate;
    b.burst = burst;
    if (!b.take(now)) this.reject(room, 'user_rate', Errors.tooManyRequests);
    room.roomBucket ??= new TokenBucket(o.publishRate, Math.max(1, o.publishRate), now);
    room.roomBucket.rate = o.publishRate;
    room.roomBucket.burst = Math.max(1, o.publishRate);
    if (!room.roomBucket.take(now)) this.reject(room, 'room_rate', Errors.roomRateLimited);
    room.countAccepted(now);
    const priority = isLike ? PRIORITY.low : (c.priority ?? parsed.policy.clientPriorityLevel);
    return { priority, kind: kind ?? 'chat' };
  }

  /** Subscribe guard for room-scoped channels: banned users get 421. */
  guardSubscribe(c: Client, parsed: ParsedChannel): ReplyError | undefined {
    if (!parsed.policy.roomScoped) return undefined;
    const room = this.rooms.get(parsed.rest);
    return room?.banned(c.user, Date.now()) ? Errors.banned : undefined;
  }

  /** A subscription to a room channel was made: unique viewer, entry notice. */
  onSubscribed(c: Client, sub: Subscription, policy: ChannelPolicy): void {
    if (!policy.room.enabled) return;
    let set = this.pendingUnique.get(sub.channel);
    if (!set) this.pendingUnique.set(sub.channel, (set = new Set()));
    set.add(c.user !== '' ? `u:${c.user}` : `c:${c.id}`);
    if (!policy.room.entryNotices || c.user === '' || sub.serverSide) return;
    const room = this.room(sub.channel.slice(policy.name.length + 1));
    const now = Date.now();
    if ((room.entries.get(c.user) ?? 0) > now - ENTRY_REPEAT_MS) return;
    room.entries.set(c.user, now);
    let name = c.user;
    try {
      const info: unknown = c.connInfo !== undefined ? JSON.parse(c.connInfo) : undefined;
      const n = (info as Record<string, unknown> | undefined)?.['name'];
      if (typeof n === 'string') name = n.slice(0, 64);
    } catch {
      // connInfo without a name: the user id stands in
    }
    this.node
      .publish(sub.channel, JSON.stringify({ type: 'entry', user: { id: c.user, name } }), {
        priority: PRIORITY.low,
        kind: 'entry',
        source: 'system',
      })
      .catch((err: unknown) =>
        this.node.log.debug({ err, channel: sub.channel }, 'entry notice not published'),
      );
  }

  // ---- room control ----------------------------------------------------------------------------

  private roomChannels(room: string): string[] {
    return this.node.namespaces
      .list()
      .filter((p) => p.roomScoped && p.name !== '')
      .map((p) => `${p.name}:${room}`);
  }

  onControl(a: RoomAction): void {
    const now = Date.now();
    const room = this.room(a.room);
    room.lastActive = now;
    const until = (d?: number): number =>
      d !== undefined && d > 0 ? now + d * 1000 : Number.POSITIVE_INFINITY;
    switch (a.op) {
      case 'mute':
        room.mutes.set(a.user, until(a.durationSeconds));
        return;
      case 'unmute':
        room.mutes.delete(a.user);
        return;
      case 'unban':
        room.bans.delete(a.user);
        return;
      case 'settings':
        room.settings = { ...room.settings, ...a.settings };
        return;
      case 'kick': {
        if (a.ban) room.bans.set(a.user, until(a.durationSeconds));
        const u = a.ban ? Unsubscribes.banned : Unsubscribes.kicked;
        for (const c of this.node.users.get(a.user) ?? []) {
          for (const ch of this.roomChannels(a.room)) c.unsubscribeByServer(ch, u.code, u.reason);
        }
        return;
      }
      case 'close': {
        const u = Unsubscribes.roomClosed;
        for (const name of this.roomChannels(a.room)) {
          const ch = this.node.hub.channels.get(name);
          if (!ch) continue;
          for (const sub of ch.subs.slice()) (sub.conn as Client).unsubscribeByServer(name, u.code, u.reason);
        }
        return;
      }
    }
  }

  // ---- online counts ---------------------------------------------------------------------------

  private onTick(): void {
    this.tick++;
    this.flushUnique();
    const due: LocalChannel[] = [];
    const counts = new Map<string, number>();
    for (const ch of this.node.hub.channels.values()) {
      const o = ch.policy.room;
      if (!o.enabled) continue;
      counts.set(ch.name, ch.size);
      if (o.onlineIntervalSeconds > 0 && this.tick % o.onlineIntervalSeconds === 0) due.push(ch);
    }
    if (this.tick % 5 === 0) this.sweepRooms();
    if (due.length === 0 && this.tick % 5 !== 0) return;
    void this.pushOnline(counts, due);
  }

  private flushUnique(): void {
    for (const [channel, ids] of this.pendingUnique) {
      this.online
        .addUnique(channel, [...ids])
        .catch((err: unknown) => this.node.log.warn({ err }, 'unique viewers not recorded'));
    }
    this.pendingUnique.clear();
  }

  private async pushOnline(counts: Map<string, number>, due: LocalChannel[]): Promise<void> {
    try {
      await this.online.report(this.node.uid, counts, 15_000);
      if (due.length === 0) return;
      const totals = await this.online.totals(due.map((c) => c.name));
      for (const ch of due) {
        if (ch.size === 0) continue;
        const count = totals.get(ch.name) ?? ch.size;
        const unique = await this.online.unique(ch.name);
        const data = `{"type":"online","count":${count},"unique":${unique}}`;
        if (this.lastPushed.get(ch.name) === data) continue;
        this.lastPushed.set(ch.name, data);
        const msg: PubMessage = {
          type: 'pub',
          pub: { offset: 0, data, time: Date.now() },
          priority: PRIORITY.system,
          kind: 'online',
        };
        this.node.hub.deliverLocal(ch, msg);
      }
    } catch (err) {
      this.node.log.warn({ err }, 'online counts not updated');
    }
  }

  private sweepRooms(): void {
    const now = Date.now();
    for (const [id, r] of this.rooms) {
      for (const [u, t] of r.entries) if (t < now - ENTRY_REPEAT_MS) r.entries.delete(u);
      for (const [u, b] of r.userBuckets) if (b.full(now)) r.userBuckets.delete(u);
      for (const [u, b] of r.likeBuckets) if (b.full(now)) r.likeBuckets.delete(u);
      const used = this.roomChannels(id).some((ch) => this.node.hub.channels.has(ch));
      if (!used && r.idle(now, ROOM_IDLE_MS)) {
        this.addTo(this.retired, r);
        this.rooms.delete(id);
      }
    }
    for (const name of this.lastPushed.keys())
      if (!this.node.hub.channels.has(name)) this.lastPushed.delete(name);
  }

  private addTo(
    t: { drops: Record<string, number>; rejected: Record<string, number>; merged: number },
    r: RoomState,
  ): void {
    for (const [k, n] of Object.entries(r.drops)) t.drops[k] = (t.drops[k] ?? 0) + n;
    for (const [k, n] of Object.entries(r.rejected)) t.rejected[k] = (t.rejected[k] ?? 0) + n;
    t.merged += r.merged;
  }

  /** Node-wide totals for metrics. */
  totals(): { drops: Record<string, number>; rejected: Record<string, number>; merged: number } {
    const t = {
      drops: { ...this.retired.drops },
      rejected: { ...this.retired.rejected },
      merged: this.retired.merged,
    };
    for (const r of this.rooms.values()) this.addTo(t, r);
    return t;
  }

  /** `room_stats` for a room: node-local numbers plus the cluster-wide online count. */
  async stats(roomId: string): Promise<Record<string, unknown>> {
    const now = Date.now();
    const r = this.rooms.get(roomId) ?? new RoomState(roomId, now);
    const live = this.node.namespaces
      .list()
      .filter((p) => p.room.enabled && p.name !== '')
      .map((p) => `${p.name}:${roomId}`);
    const totals = await this.online.totals(live);
    let online = 0;
    let unique = 0;
    for (const ch of live) {
      online += totals.get(ch) ?? 0;
      unique += await this.online.unique(ch);
    }
    const local = live.reduce((n, ch) => n + (this.node.hub.channels.get(ch)?.size ?? 0), 0);
    return {
      room: roomId,
      online: Math.max(online, local),
      online_local: local,
      unique,
      publish_rate: r.publishRate(now),
      accepted: r.accepted,
      rejected: { ...r.rejected },
      drops: { ...r.drops },
      merged: r.merged,
      batches: r.batches,
      deliveries: r.deliveries,
      muted: [...r.mutes.keys()].filter((u) => r.muted(u, now)),
      banned: [...r.bans.keys()].filter((u) => r.banned(u, now)),
      settings: { ...r.settings },
    };
  }
}
