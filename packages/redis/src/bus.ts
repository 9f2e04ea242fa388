// Bus on Redis pub/sub. Each roomcast channel maps to one shard channel (`<prefix>b:{<ch>}`,
// see keys.ts) published with SPUBLISH, or PUBLISH in plain mode; control messages ride one
// extra channel every endpoint subscribes to, the sender's own included.
//
// Delivery and ordering: publishes go out on the shared command connection in call order, and
// Redis delivers one channel's messages to a subscriber connection in the order it accepted
// them, so the port's ordering rule holds per channel. On channels with history the Redis
// HistoryStore publishes from inside its append script instead (publishesOnAppend), in the
// same encoding, so bus order is offset order.
//
// Loss: Redis pub/sub is at-most-once. When a subscriber connection drops, messages sent
// meanwhile are gone; once it is back (and resubscribed) the endpoint calls `onReset` so the
// node re-checks its positioned streams against history. The call waits (up to RESET_WAIT_MS)
// for the shared command connection too, since those checks read history through it.

import type { Bus, BusEndpoint, BusHandler, BusMessage, ControlMessage } from '@roomcast/server';
import { decodeBusMessage, decodeControl, encodeBusMessage, encodeControl } from './codec.ts';
import type { CommandConnection, ConnectionSettings, RedisTarget } from './connection.ts';
import { RedisUnavailableError } from './errors.ts';
import type { KeyLayout } from './keys.ts';
import { openPubSub, type MessageListener, type PubSubConnection } from './pubsub.ts';

/** How long onReset waits for the command connection after the subscriber is back. */
const RESET_WAIT_MS = 5000;

export interface RedisBusContext {
  target: RedisTarget;
  settings: ConnectionSettings;
  commands: CommandConnection;
  keys: KeyLayout;
  /** SSUBSCRIBE/SPUBLISH when true, else SUBSCRIBE/PUBLISH. */
  sharded: boolean;
}

/** A channel's subscription; operations on one channel run one after another. */
interface ChannelState {
  readonly listener: MessageListener;
  /**
   * Deliver messages? Set when a subscribe starts, cleared when an unsubscribe starts: messages
   * that arrive with the SSUBSCRIBE confirmation count, and a listener left behind by a failed
   * unsubscribe stays silent.
   */
  wanted: boolean;
  /** Confirmed by Redis. */
  subscribed: boolean;
  /** Tail of this channel's queue of subscribe/unsubscribe operations. */
  tail: Promise<void>;
}

class RedisBusEndpoint implements BusEndpoint {
  readonly #ctx: RedisBusContext;
  readonly #handler: BusHandler;
  readonly #channels = new Map<string, ChannelState>();
  readonly #publish: string;
  #conn: PubSubConnection | undefined;
  #closed = false;

  constructor(ctx: RedisBusContext, handler: BusHandler) {
    this.#ctx = ctx;
    this.#handler = handler;
    this.#publish = ctx.sharded ? 'SPUBLISH' : 'PUBLISH';
  }

  async start(): Promise<void> {
    this.#conn = await openPubSub(this.#ctx.target, this.#ctx.settings, {
      sharded: this.#ctx.sharded,
      onReconnect: () => {
        void this.#ctx.commands.whenReady(RESET_WAIT_MS).then(() => this.#reset());
      },
    });
    try {
      await this.#conn.subscribe(this.#ctx.keys.control, (m) => this.#onControl(m));
    } catch (err) {
      await this.#conn.close();
      throw err;
    }
  }

  #reset(): void {
    if (this.#closed) return;
    try {
      this.#handler.onReset?.();
    } catch (err) {
      this.#ctx.settings.onError(new Error('bus handler onReset threw', { cause: err }));
    }
  }

  // Runs inside node-redis's reply parser: nothing may escape, or it would reset the parser.
  #onMessage(channel: string, raw: string): void {
    try {
      this.#handler.onMessage(channel, decodeBusMessage(raw));
    } catch (err) {
      this.#ctx.settings.onError(
        err instanceof Error ? err : new Error(`bus message on ${channel} failed`, { cause: err }),
      );
    }
  }

  #onControl(raw: string): void {
    try {
      this.#handler.onControl(decodeControl(raw));
    } catch (err) {
      this.#ctx.settings.onError(
        err instanceof Error ? err : new Error('bus control message failed', { cause: err }),
      );
    }
  }

  #enqueue(channel: string, op: (st: ChannelState, conn: PubSubConnection) => Promise<void>): Promise<void> {
    const conn = this.#conn;
    if (this.#closed || !conn) return Promise.reject(new RedisUnavailableError('bus endpoint is closed'));
    let st = this.#channels.get(channel);
    if (!st) {
      const created: ChannelState = {
        listener: (m) => {
          if (created.wanted) this.#onMessage(channel, m);
        },
        wanted: false,
        subscribed: false,
        tail: Promise.resolve(),
      };
      this.#channels.set(channel, created);
      st = created;
    }
    const state = st;
    const run = state.tail.then(() => op(state, conn));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    state.tail = tail;
    // Forget idle, unsubscribed channels so the map follows the subscriptions.
    void tail.then(() => {
      if (
        state.tail === tail &&
        !state.subscribed &&
        !state.wanted &&
        this.#channels.get(channel) === state
      ) {
        this.#channels.delete(channel);
      }
    });
    return run;
  }

  subscribe(channel: string): Promise<void> {
    return this.#enqueue(channel, async (st, conn) => {
      st.wanted = true;
      if (st.subscribed) return;
      try {
        await conn.subscribe(this.#ctx.keys.busChannel(channel), st.listener);
      } catch (err) {
        st.wanted = false;
        throw err;
      }
      st.subscribed = true;
    });
  }

  unsubscribe(channel: string): Promise<void> {
    if (!this.#channels.has(channel)) return Promise.resolve();
    return this.#enqueue(channel, async (st, conn) => {
      st.wanted = false;
      if (!st.subscribed) return;
      st.subscribed = false;
      await conn.unsubscribe(this.#ctx.keys.busChannel(channel));
    });
  }

  async publish(channel: string, msg: BusMessage): Promise<void> {
    if (this.#closed) throw new RedisUnavailableError('bus endpoint is closed');
    const name = this.#ctx.keys.busChannel(channel);
    await this.#ctx.commands.send(name, [this.#publish, name, encodeBusMessage(msg)]);
  }

  async publishControl(msg: ControlMessage): Promise<void> {
    if (this.#closed) throw new RedisUnavailableError('bus endpoint is closed');
    const name = this.#ctx.keys.control;
    await this.#ctx.commands.send(name, [this.#publish, name, encodeControl(msg)]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#channels.clear();
    await this.#conn?.close();
  }
}

export class RedisBus implements Bus {
  readonly #ctx: RedisBusContext;
  readonly #endpoints = new Set<RedisBusEndpoint>();

  constructor(ctx: RedisBusContext) {
    this.#ctx = ctx;
  }

  /** Opens this node's own subscriber connection and subscribes the control channel. */
  async attach(handler: BusHandler): Promise<BusEndpoint> {
    const ep = new RedisBusEndpoint(this.#ctx, handler);
    await ep.start();
    this.#endpoints.add(ep);
    return {
      subscribe: (ch) => ep.subscribe(ch),
      unsubscribe: (ch) => ep.unsubscribe(ch),
      publish: (ch, msg) => ep.publish(ch, msg),
      publishControl: (msg) => ep.publishControl(msg),
      close: async () => {
        this.#endpoints.delete(ep);
        await ep.close();
      },
    };
  }

  /** Closes every endpoint still attached (adapter shutdown). */
  async closeAll(): Promise<void> {
    const eps = [...this.#endpoints];
    this.#endpoints.clear();
    await Promise.all(eps.map((ep) => ep.close()));
  }
}
