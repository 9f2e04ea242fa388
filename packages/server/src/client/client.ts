// A client session speaking Centrifugo protocol v2: ordered command processing, coalesced
// replies, shared-frame delivery with a bounded outbound queue, and a clean teardown.

import { randomUUID } from 'node:crypto';
import {
  decodeCommand,
  Disconnects,
  encodeErrorReply,
  encodeReply,
  encodeUnsubscribePush,
  Errors,
  ProtocolError,
  splitFrame,
  Unsubscribes,
  type Command,
  type DisconnectCode,
  type ReplyError,
} from '@roomcast/protocol';
import type { PriorityLevel } from '../bus/bus.ts';
import type { SharedFrame } from '../gateway/frame.ts';
import type { SubscriberConn, Subscription } from '../hub/subscription.ts';
import type { RoomcastNode } from '../node.ts';
import { handleCommand } from './commands.ts';
import { handleConnect } from './connect.ts';
import type { Transport, TransportHandler } from './transport.ts';

export type ClientState = 'connecting' | 'rejected' | 'connected' | 'closed';

/** Frames queued behind a command that is still running (e.g. a token check). */
const MAX_QUEUED_FRAMES = 64;

export class Client implements SubscriberConn, TransportHandler {
  readonly id: string = randomUUID();
  readonly node: RoomcastNode;
  readonly transport: Transport;
  readonly acceptedAt = Date.now();
  state: ClientState = 'connecting';
  user = '';
  name = '';
  version = '';
  connInfo: string | undefined;
  /** Delivery class granted by the connection token (`roomcast.priority`), if any. */
  priority: PriorityLevel | undefined;
  /** Unix seconds when the connection's credentials expire (0 = never). */
  expireAt = 0;
  readonly subs = new Map<string, Subscription>();

  // Ping/pong bookkeeping (driven by the node's clock).
  pingBucket = -1;
  lastPingTick = -1;
  pongOk = true;

  /** Lines waiting for this turn's frame (null when none: idle sessions hold no arrays). */
  private out: string[] | null = null;
  private outScheduled = false;
  private busy = false;
  private queue: string[] | null = null;
  private skips = 0;
  private slowClosing = false;
  private rateTokens: number;
  private rateAt = Date.now();

  constructor(node: RoomcastNode, transport: Transport) {
    this.node = node;
    this.transport = transport;
    this.rateTokens = this.rateBurst;
  }

  private get rateBurst(): number {
    const c = this.node.config.client;
    return Math.max(c.commandRateLimit * 2, c.channelLimit + 16);
  }

  get info(): { user: string; client: string; connInfo?: string } {
    return this.connInfo === undefined
      ? { user: this.user, client: this.id }
      : { user: this.user, client: this.id, connInfo: this.connInfo };
  }

  // ---- inbound -------------------------------------------------------------------------------

  onText(text: string): void {
    this.onFrame(text);
  }

  /** JSON mode takes text frames only. */
  onBinary(): void {
    this.disconnect(Disconnects.badRequest);
  }

  onPong(): void {
    // WebSocket-level pongs are not part of protocol v2 liveness (the `{}` command is).
  }

  onClosed(code: number): void {
    this.onTransportClosed(code);
  }

  /** One inbound text frame (one or more newline-separated commands). */
  onFrame(text: string): void {
    if (this.state === 'closed') return;
    if (!this.takeRate(1)) {
      this.disconnect(Disconnects.tooManyRequests);
      return;
    }
    if (this.busy) {
      this.queue ??= [];
      if (this.queue.length >= MAX_QUEUED_FRAMES) {
        this.disconnect(Disconnects.tooManyRequests);
        return;
      }
      this.queue.push(text);
      return;
    }
    this.runLines(splitFrame(text), 0);
  }

  private takeRate(n: number): boolean {
    const limit = this.node.config.client.commandRateLimit;
    if (limit === 0) return true;
    const now = Date.now();
    this.rateTokens = Math.min(this.rateBurst, this.rateTokens + ((now - this.rateAt) / 1000) * limit);
    this.rateAt = now;
    this.rateTokens -= n;
    return this.rateTokens >= 0;
  }

  /** Runs commands in order; an async command holds the rest (and later frames) until done. */
  private runLines(lines: string[], from: number): void {
    for (let i = from; i < lines.length; i++) {
      if (this.state === 'closed' || this.state === 'rejected') return;
      if (i > 0 && !this.takeRate(1)) {
        this.disconnect(Disconnects.tooManyRequests);
        return;
      }
      let cmd: Command;
      try {
        cmd = decodeCommand(lines[i] as string);
      } catch (err) {
        this.node.log.debug({ client: this.id, err: (err as ProtocolError).message }, 'bad command');
        this.node.metrics.protocolError();
        this.disconnect(Disconnects.badRequest);
        return;
      }
      let pending: Promise<void> | void;
      try {
        pending = this.dispatch(cmd);
      } catch (err) {
        this.internalError(cmd.id, err);
        continue;
      }
      if (pending !== undefined) {
        this.busy = true;
        pending
          .catch((err: unknown) => this.internalError(cmd.id, err))
          .finally(() => {
            this.busy = false;
            this.runLines(lines, i + 1);
          });
        return;
      }
    }
    const next = this.queue?.shift();
    if (next !== undefined) this.runLines(splitFrame(next), 0);
    else this.queue = null;
  }

  private dispatch(cmd: Command): Promise<void> | void {
    this.node.metrics.command(cmd.type);
    if (this.state === 'connecting') {
      if (cmd.type === 'connect') return handleConnect(this, cmd.id, cmd.req);
      this.disconnect(Disconnects.badRequest);
      return;
    }
    if (cmd.type === 'connect') {
      this.disconnect(Disconnects.badRequest);
      return;
    }
    if (cmd.type === 'pong') {
      this.pongOk = true;
      return;
    }
    return handleCommand(this, cmd);
  }

  private internalError(id: number, err: unknown): void {
    this.node.log.error({ err, client: this.id }, 'command failed');
    if (id > 0 && this.state !== 'closed') this.replyError(id, Errors.internal);
  }

  // ---- outbound ------------------------------------------------------------------------------

  /** Queues one message line; lines of one turn go out as one frame. */
  send(line: string): void {
    if (this.state === 'closed') return;
    (this.out ??= []).push(line);
    if (!this.outScheduled) {
      this.outScheduled = true;
      queueMicrotask(() => this.flushOut());
    }
  }

  reply(id: number, method: string, resultJson: string): void {
    this.send(encodeReply(id, method, resultJson));
  }

  replyError(id: number, err: ReplyError): void {
    this.node.metrics.replyError(err.code);
    this.send(encodeErrorReply(id, err));
  }

  flushOut(): void {
    this.outScheduled = false;
    const out = this.out;
    if (out === null || this.state === 'closed') return;
    this.out = null;
    const text = out.length === 1 ? (out[0] as string) : out.join('\n');
    if (this.transport.bufferedBytes() > this.node.queueHardLimit) {
      this.closeSlow();
      return;
    }
    this.transport.writeText(text);
  }

  /**
   * Closes a slow reader with 3008, after the current turn: this runs inside fan-out loops over
   * a channel's subscriber array, which a synchronous unsubscribe would reorder under them.
   */
  private closeSlow(): void {
    if (this.slowClosing) return;
    this.slowClosing = true;
    queueMicrotask(() => this.disconnect(Disconnects.slow));
  }

  /** Hot path: called once per viewer per flushed batch. False when the frame was not written. */
  deliverShared(frame: SharedFrame, lossy: boolean): boolean {
    if (this.state !== 'connected' || this.slowClosing) return false;
    if (this.out !== null) this.flushOut();
    const node = this.node;
    const t = this.transport;
    const queued = t.bufferedBytes();
    if (queued > node.queueHardLimit) {
      this.closeSlow();
      return false;
    }
    const stats = node.stats;
    if (lossy && queued > node.queueSoftLimit) {
      stats.skippedFrames++;
      if (++this.skips > node.maxSkippedFrames) this.closeSlow();
      return false;
    }
    this.skips = 0;
    const bytes = t.deflate ? frame.bytesFor(true) : frame.plain;
    if (bytes !== frame.plain) stats.framesDeflated++;
    stats.framesOut++;
    stats.bytesOut += bytes.length;
    t.write(bytes);
    return true;
  }

  deliverText(text: string): void {
    this.send(text);
  }

  /** Server-side stream repair: the client resubscribes (or reconnects) and recovers. */
  streamBroken(sub: Subscription): void {
    if (sub.serverSide) {
      this.disconnect(Disconnects.insufficientState);
      return;
    }
    this.removeSubscription(sub);
    const u = Unsubscribes.insufficientState;
    this.send(encodeUnsubscribePush(sub.channel, u.code, u.reason));
  }

  /** Ends a subscription on the server side and tells the client with an unsubscribe push. */
  unsubscribeByServer(channel: string, code: number, reason: string): boolean {
    const sub = this.subs.get(channel);
    if (!sub) return false;
    this.removeSubscription(sub);
    this.send(encodeUnsubscribePush(channel, code, reason));
    return true;
  }

  /** Detaches a subscription from the hub, presence and join/leave. */
  removeSubscription(sub: Subscription): void {
    if (this.subs.get(sub.channel) !== sub) return;
    this.subs.delete(sub.channel);
    this.node.unsubscribeLocal(this, sub);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Closes the connection with a protocol close code. Idempotent. */
  disconnect(d: DisconnectCode): void {
    if (this.state === 'closed') return;
    // Replies queued this turn (e.g. the error that caused the close) go out first.
    if (this.out !== null) this.transport.writeText(this.out.join('\n'));
    this.out = null;
    this.node.metrics.disconnect(d.code);
    this.teardown();
    this.transport.close(d.code, d.reason);
  }

  /** The transport closed (client went away or we closed it). Idempotent. */
  onTransportClosed(code: number): void {
    if (this.state === 'closed') return;
    this.node.metrics.disconnect(code);
    this.teardown();
  }

  private teardown(): void {
    const wasConnected = this.state === 'connected';
    this.state = 'closed';
    this.out = null;
    this.queue = null;
    for (const sub of this.subs.values()) this.node.unsubscribeLocal(this, sub);
    this.subs.clear();
    this.node.removeClient(this, wasConnected);
  }
}
