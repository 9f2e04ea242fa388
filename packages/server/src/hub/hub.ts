// The hub: channel → local subscribers. It subscribes a channel on the bus only while this node
// has subscribers there (the "mcast route" of seed 003: a message crosses the cluster once per
// interested node), and fans each message out to local connections with one encoding and one
// frame shared by all of them.

import {
  encodeJoinPush,
  encodeLeavePush,
  encodePublication,
  pubPushPrefix,
  PUB_PUSH_SUFFIX,
} from '@roomcast/protocol';
import type { BusEndpoint, BusMessage, PubMessage } from '../bus/bus.ts';
import type { ChannelPolicy } from '../channels/namespaces.ts';
import { SharedFrame } from '../gateway/frame.ts';
import type { Logger } from '../logger.ts';
import type { NodeStats } from '../metrics/stats.ts';
import { LocalChannel } from './local-channel.ts';
import type { Subscription } from './subscription.ts';

export interface HubOptions {
  endpoint: () => BusEndpoint;
  log: Logger;
  stats: NodeStats;
  /** Payloads at least this large are deflated for clients that negotiated it (0 = never). */
  compressionThreshold: number;
  /** Keep the bus subscription this long after the last local subscriber leaves. */
  lingerMs: number;
  /** Subscribers written per event-loop turn; bigger rooms yield between chunks. */
  fanoutChunk?: number;
}

/**
 * A sink decides when pending messages of a channel are flushed. The default flushes once per
 * event-loop turn; the room engine (live rooms) installs its own batching sink.
 */
export interface ChannelSink {
  accept(ch: LocalChannel, msg: PubMessage): void;
  /** The channel lost its last subscriber. */
  dispose?(ch: LocalChannel): void;
}

export class Hub {
  readonly channels = new Map<string, LocalChannel>();
  private readonly opts: HubOptions;
  private readonly dirty: LocalChannel[] = [];
  private flushScheduled = false;
  private readonly fanoutChunk: number;
  /** Chooses a sink per channel; default: flush every turn. */
  sinkFor: (policy: ChannelPolicy, channel: string) => ChannelSink | undefined = () => undefined;
  private readonly sinks = new Map<LocalChannel, ChannelSink>();
  private readonly busSubs = new Set<string>();
  private readonly busChains = new Map<string, Promise<void>>();

  constructor(opts: HubOptions) {
    this.opts = opts;
    this.fanoutChunk = opts.fanoutChunk ?? 4096;
  }

  get subscriptionCount(): number {
    let n = 0;
    for (const ch of this.channels.values()) n += ch.size;
    return n;
  }

  /**
   * Adds a subscription (not yet live: messages are buffered until the subscriber goes live).
   * Resolves once the bus delivers the channel to this node; rejects if that failed.
   */
  add(sub: Subscription, policy: ChannelPolicy): Promise<LocalChannel> {
    let ch = this.channels.get(sub.channel);
    if (!ch) {
      ch = new LocalChannel(sub.channel, policy);
      this.channels.set(sub.channel, ch);
      const sink = this.sinkFor(policy, sub.channel);
      if (sink) this.sinks.set(ch, sink);
    }
    if (ch.lingerTimer) {
      clearTimeout(ch.lingerTimer);
      ch.lingerTimer = undefined;
    }
    ch.attach(sub);
    this.opts.stats.subscriptions++;
    const local = ch;
    if (this.busSubs.has(sub.channel) && !this.busChains.has(sub.channel)) return Promise.resolve(local);
    return this.syncBus(sub.channel).then(() => local);
  }

  /** Removes a subscription; unsubscribes the bus after the linger when it was the last one. */
  remove(sub: Subscription): void {
    const ch = sub.local;
    if (!ch) return;
    ch.detach(sub);
    this.opts.stats.subscriptions--;
    if (ch.size > 0) return;
    const drop = (): void => {
      ch.lingerTimer = undefined;
      if (ch.size > 0 || this.channels.get(ch.name) !== ch) return;
      this.channels.delete(ch.name);
      this.sinks.get(ch)?.dispose?.(ch);
      this.sinks.delete(ch);
      this.syncBus(ch.name).catch((err: unknown) =>
        this.opts.log.warn({ err, channel: ch.name }, 'bus unsubscribe failed'),
      );
    };
    if (this.opts.lingerMs > 0) {
      ch.lingerTimer = setTimeout(drop, this.opts.lingerMs);
      ch.lingerTimer.unref();
    } else {
      drop();
    }
  }

  /**
   * Brings the bus subscription of a channel in line with the hub (subscribed while the channel
   * is in `channels`). Calls are chained per channel, so a quick leave-and-rejoin can never end
   * with the bus unsubscribed while subscribers wait.
   */
  private syncBus(name: string): Promise<void> {
    const prev = this.busChains.get(name) ?? Promise.resolve();
    const next = prev.then(async () => {
      const want = this.channels.has(name);
      if (want && !this.busSubs.has(name)) {
        await this.opts.endpoint().subscribe(name);
        this.busSubs.add(name);
      } else if (!want && this.busSubs.has(name)) {
        this.busSubs.delete(name);
        await this.opts.endpoint().unsubscribe(name);
      }
    });
    const settled = next.catch(() => undefined);
    this.busChains.set(name, settled);
    void settled.then(() => {
      if (this.busChains.get(name) === settled) this.busChains.delete(name);
    });
    return next;
  }

  /** Channels this node is subscribed to on the bus (for tests and status). */
  get busChannels(): ReadonlySet<string> {
    return this.busSubs;
  }

  /** Bus handler for channel messages. Never throws. */
  onMessage(channel: string, msg: BusMessage): void {
    const ch = this.channels.get(channel);
    if (!ch || ch.size === 0) return;
    try {
      if (msg.type === 'pub') {
        if (!this.admitPosition(ch, msg)) return;
        const sink = this.sinks.get(ch);
        if (sink) sink.accept(ch, msg);
        else this.enqueue(ch, msg);
      } else if (ch.joinLeaveCount > 0 || ch.policy.forcePushJoinLeave) {
        ch.pendingJoinLeave.push(
          msg.type === 'join' ? encodeJoinPush(channel, msg.info) : encodeLeavePush(channel, msg.info),
        );
        this.markDirty(ch);
      }
    } catch (err) {
      this.opts.log.error({ err, channel }, 'delivery failed');
    }
  }

  /**
   * Keeps a positioned stream continuous at this node: duplicates are dropped; a gap or an epoch
   * change breaks every subscriber's stream (clients resubscribe and recover from history).
   */
  private admitPosition(ch: LocalChannel, msg: PubMessage): boolean {
    const offset = msg.pub.offset;
    if (!ch.policy.hasHistory || offset === 0) return true;
    const epoch = msg.epoch ?? ch.epoch;
    if (ch.top >= 0 && ch.epoch !== '' && epoch !== ch.epoch) {
      this.breakStreams(ch, 'epoch changed');
      ch.top = offset;
      ch.epoch = epoch;
      return false;
    }
    if (ch.top >= 0) {
      if (offset <= ch.top) return false;
      if (offset > ch.top + 1) {
        this.breakStreams(ch, `gap ${ch.top + 1}..${offset - 1}`);
        ch.top = offset;
        return false;
      }
    }
    ch.top = offset;
    ch.epoch = epoch;
    return true;
  }

  breakStreams(ch: LocalChannel, why: string, except?: Subscription): void {
    this.opts.log.warn({ channel: ch.name, why }, 'stream discontinuity; subscribers will recover');
    for (const sub of ch.subs.slice()) {
      if (!sub.positioned || sub === except) continue;
      if (sub.live) sub.conn.streamBroken(sub);
      else sub.broken = true;
    }
  }

  /**
   * Records the stream position a new subscriber read from history (its reply brings the client
   * to `offset`). The first position known sets the channel's baseline. Later ones never raise
   * `top`: it is what the bus has delivered here, and publications between it and a newer
   * history top may still be on their way over the bus to the subscribers already live. Raising
   * it (as this did before) made the hub drop them as duplicates: a silent loss for every live
   * viewer whenever another one subscribed while gifts flowed (seen with reconnect storms after
   * a gateway kill). Instead the new subscriber skips, on its own, what its reply already gave
   * it: publications still on the bus, and those admitted here but not flushed yet when it goes
   * live (they would reach it twice). A different epoch means the stream was reset under the
   * live subscribers: they resubscribe and are told (`recovered:false`).
   */
  notePosition(ch: LocalChannel, sub: Subscription, offset: number, epoch: string): void {
    if (ch.top >= 0 && epoch !== ch.epoch) {
      this.breakStreams(ch, `epoch changed to ${epoch} under the channel`, sub);
    }
    if (ch.top < 0 || epoch !== ch.epoch) {
      ch.top = offset;
      ch.epoch = epoch;
    }
    sub.skipUpTo = offset;
  }

  /**
   * Delivery to a subscriber with `skipUpTo` set: publications its subscribe reply already
   * carried are left out (only it gets a frame of its own). True when the shared frame must
   * not be written to it.
   */
  private skipDelivered(sub: Subscription, msgs: PubMessage[], channel: string): boolean {
    const upTo = sub.skipUpTo;
    const rest = msgs.filter((m) => m.pub.offset === 0 || m.pub.offset > upTo);
    if ((msgs.at(-1)?.pub.offset ?? 0) >= upTo) sub.skipUpTo = 0;
    if (rest.length === msgs.length) return false;
    if (rest.length > 0) sub.conn.deliverText(this.encodePubs(channel, rest));
    return true;
  }

  /** Delivers a message made on this node (e.g. online counts) to local subscribers only. */
  deliverLocal(ch: LocalChannel, msg: PubMessage): void {
    const sink = this.sinks.get(ch);
    if (sink) sink.accept(ch, msg);
    else this.enqueue(ch, msg);
  }

  /** Default sink: collect until the end of this event-loop turn. */
  enqueue(ch: LocalChannel, msg: PubMessage): void {
    ch.pendingPubs.push(msg);
    this.markDirty(ch);
  }

  private markDirty(ch: LocalChannel): void {
    if (!ch.dirty) {
      ch.dirty = true;
      this.dirty.push(ch);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const list = this.dirty.splice(0);
    for (const ch of list) {
      ch.dirty = false;
      const pubs = ch.pendingPubs;
      const jl = ch.pendingJoinLeave;
      ch.pendingPubs = [];
      ch.pendingJoinLeave = [];
      try {
        if (pubs.length > 0) this.broadcast(ch, pubs, this.encodePubs(ch.name, pubs), !ch.policy.hasHistory);
        if (jl.length > 0) this.broadcastJoinLeave(ch, jl);
      } catch (err) {
        this.opts.log.error({ err, channel: ch.name }, 'flush failed');
      }
    }
  }

  /** Encodes publications as newline-separated pub pushes (once per node). */
  encodePubs(channel: string, pubs: PubMessage[]): string {
    const prefix = pubPushPrefix(channel);
    let text = '';
    for (let i = 0; i < pubs.length; i++) {
      if (i > 0) text += '\n';
      text += prefix + encodePublication((pubs[i] as PubMessage).pub) + PUB_PUSH_SUFFIX;
    }
    return text;
  }

  /**
   * Writes one shared frame to every live subscriber; subscribers still preparing their reply
   * get the messages buffered. Big rooms are written in chunks, yielding between them, so
   * pings, accepts and other rooms stay live.
   */
  broadcast(ch: LocalChannel, msgs: PubMessage[], text: string, lossy: boolean, done?: () => void): void {
    const frame = new SharedFrame(text, this.opts.compressionThreshold);
    const stats = this.opts.stats;
    stats.broadcasts++;
    const deliver = (sub: Subscription | undefined): number => {
      // A subscriber may have left since the loop began.
      if (sub === undefined || sub.local !== ch) return 0;
      if (!sub.live) {
        sub.buffer ??= [];
        for (const m of msgs) sub.buffer.push(m);
        return 0;
      }
      if (sub.skipUpTo > 0 && this.skipDelivered(sub, msgs, ch.name)) return 0;
      return sub.conn.deliverShared(frame, lossy) ? 1 : 0;
    };
    const subs = ch.subs;
    if (subs.length <= this.fanoutChunk) {
      // Backwards over the live array: a subscriber leaving during the loop (swap-remove)
      // only ever moves an already visited one into its slot, so nobody is skipped.
      let live = 0;
      for (let i = subs.length - 1; i >= 0; i--) live += deliver(subs[i]);
      stats.deliveries += live * msgs.length;
      done?.();
      return;
    }
    const snapshot = subs.slice();
    const step = (from: number): void => {
      const to = Math.min(from + this.fanoutChunk, snapshot.length);
      let live = 0;
      for (let i = from; i < to; i++) live += deliver(snapshot[i]);
      stats.deliveries += live * msgs.length;
      if (to < snapshot.length) setImmediate(step, to);
      else done?.();
    };
    step(0);
  }

  private broadcastJoinLeave(ch: LocalChannel, lines: string[]): void {
    const frame = new SharedFrame(lines.join('\n'), this.opts.compressionThreshold);
    for (const sub of ch.subs.slice()) {
      if (sub.live && (sub.joinLeave || ch.policy.forcePushJoinLeave)) sub.conn.deliverShared(frame, true);
    }
  }

  /**
   * After the bus reconnected (messages may have been lost): compares each positioned local
   * stream with its history top; a stream that moved past what this node delivered, or changed
   * epoch, is broken so its subscribers resubscribe and recover. Never a silent gap.
   */
  verifyStreams(position: (ch: LocalChannel) => Promise<{ offset: number; epoch: string }>): void {
    for (const ch of this.channels.values()) {
      if (!ch.policy.hasHistory || ch.size === 0) continue;
      position(ch).then(
        (pos) => {
          if (ch.top < 0) return;
          if (pos.epoch !== ch.epoch || pos.offset > ch.top) {
            this.breakStreams(ch, `bus reset: node at ${ch.top}, stream at ${pos.offset}`);
            ch.top = pos.offset;
            ch.epoch = pos.epoch;
          }
        },
        (err: unknown) => {
          this.opts.log.warn({ err, channel: ch.name }, 'position check after bus reset failed');
          this.breakStreams(ch, 'bus reset and history unavailable');
        },
      );
    }
  }

  /** Drops every channel (node shutdown). */
  clear(): void {
    for (const ch of this.channels.values()) if (ch.lingerTimer) clearTimeout(ch.lingerTimer);
    this.channels.clear();
  }
}
