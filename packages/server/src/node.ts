// A roomcast node: sessions, channels, the bus endpoint and the stores. It is the bus handler
// (adapters never see sockets or rooms) and the one place where publishing happens, for the
// HTTP API and for clients alike. Everything hangs off the instance: several nodes can share
// a process and an in-memory bus.

import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  encodeSubscribePush,
  Errors,
  type ClientInfo,
  type DisconnectCode,
  type Publication,
  type ReplyError,
  type StreamPosition,
} from '@roomcast/protocol';
import { TokenVerifier } from './auth/token-verifier.ts';
import {
  PRIORITY,
  type Bus,
  type BusEndpoint,
  type BusMessage,
  type ControlMessage,
  type PriorityLevel,
} from './bus/bus.ts';
import { MemoryBus } from './bus/memory-bus.ts';
import { Namespaces, type ChannelPolicy, type ParsedChannel } from './channels/namespaces.ts';
import { Heartbeat } from './cluster/heartbeat.ts';
import { MemoryNodeRegistry, type NodeRegistry } from './cluster/node-registry.ts';
import { Client } from './client/client.ts';
import { ClientClock } from './client/clock.ts';
import { establish, goLive } from './client/subscribe.ts';
import type { Transport } from './client/transport.ts';
import type { Config } from './config/schema.ts';
import type { HistoryStore } from './history/history-store.ts';
import { MemoryHistoryStore } from './history/memory-history.ts';
import { Hub } from './hub/hub.ts';
import type { Subscription } from './hub/subscription.ts';
import { createLogger, type Logger } from './logger.ts';
import type { LevelWithSilent } from 'pino';
import { Metrics } from './metrics/metrics.ts';
import { NodeStats } from './metrics/stats.ts';
import { MemoryOnlineStore } from './presence/memory-online.ts';
import { MemoryPresenceStore } from './presence/memory-presence.ts';
import type { OnlineStore } from './presence/online-store.ts';
import type { PresenceStore } from './presence/presence-store.ts';
import { PresenceWriter } from './presence/writer.ts';
import { RoomEngine } from './rooms/engine.ts';
import type { ApiMethod } from './api/methods.ts';

export interface NodeOptions {
  config: Config;
  bus?: Bus;
  history?: HistoryStore;
  presence?: PresenceStore;
  online?: OnlineStore;
  registry?: NodeRegistry;
  log?: Logger;
  /** Keep a channel's bus subscription this long after its last local subscriber left (default 0). */
  lingerMs?: number;
  /** Collect process metrics (CPU, memory, event loop) in this node's registry. */
  processMetrics?: boolean;
}

export interface PublishOptions {
  info?: ClientInfo;
  tags?: Record<string, string>;
  priority?: PriorityLevel;
  kind?: string;
  idempotencyKey?: string;
  skipHistory?: boolean;
  /** Who published: the HTTP API, a client, or the node itself (entry notices). */
  source: 'api' | 'client' | 'system';
}

export interface PublishResult {
  offset: number;
  epoch: string;
}

export interface RecoveryResult {
  publications: Publication[];
  position: StreamPosition;
  recovered: boolean;
}

/** How long presence entries live without refresh; refreshed every third of it. */
const PRESENCE_TTL_MS = 60_000;
const PRESENCE_REFRESH_TICKS = 20;
/** User online status: marks live a minute and are renewed every 20 s (new users at once). */
const USER_STATUS_TTL_MS = 60_000;

export class RoomcastNode {
  readonly uid = randomUUID();
  readonly config: Config;
  readonly log: Logger;
  readonly stats = new NodeStats();
  readonly metrics: Metrics;
  readonly namespaces: Namespaces;
  readonly tokens: TokenVerifier;
  readonly history: HistoryStore;
  readonly presence: PresenceStore;
  /** Joins, leaves and refreshes of presence, coalesced and bounded (one batch in flight). */
  readonly presenceWriter: PresenceWriter;
  readonly hub: Hub;
  readonly rooms: RoomEngine;
  readonly clock: ClientClock;
  /** API methods added by modules (room control); core methods live in api/methods.ts. */
  readonly apiMethods = new Map<string, ApiMethod>();
  readonly startedAt = Date.now();
  name: string;
  /** Outbound queue limits, read per delivery (copied from config.client). */
  readonly queueSoftLimit: number;
  readonly queueHardLimit: number;
  readonly maxSkippedFrames: number;
  /** Every session, connecting ones included. */
  readonly clients = new Map<string, Client>();
  /** Connected sessions by user id (all devices of a user). */
  readonly users = new Map<string, Set<Client>>();
  /** Application hook for `send` commands (async messages without reply). */
  onMessage: ((client: Client, data: string | undefined) => void) | undefined;
  private readonly bus: Bus;
  private endpoint: BusEndpoint | undefined;
  private readonly owned: Array<HistoryStore | PresenceStore | OnlineStore | NodeRegistry> = [];
  readonly registry: NodeRegistry;
  readonly heartbeat: Heartbeat;
  /** Base URL clients use to reach this node (set when listening; config node.publicUrl wins). */
  publicUrl = '';
  draining = false;
  private connected = 0;
  /** Users connected since the last status mark (marked on the next tick). */
  private readonly newUsers = new Set<string>();
  readonly online: OnlineStore;

  constructor(opts: NodeOptions) {
    this.config = opts.config;
    this.log = opts.log ?? createLogger(opts.config.log.level as LevelWithSilent);
    this.name = opts.config.node.name || `${hostname()}`;
    this.namespaces = new Namespaces(opts.config);
    this.queueSoftLimit = opts.config.client.queueSoftLimitBytes;
    this.queueHardLimit = opts.config.client.queueHardLimitBytes;
    this.maxSkippedFrames = opts.config.client.maxSkippedFrames;
    this.tokens = new TokenVerifier(opts.config.token);
    this.bus = opts.bus ?? new MemoryBus();
    if (opts.history) this.history = opts.history;
    else this.owned.push((this.history = new MemoryHistoryStore()));
    if (opts.presence) this.presence = opts.presence;
    else this.owned.push((this.presence = new MemoryPresenceStore()));
    this.presenceWriter = new PresenceWriter(this.presence, this.log);
    this.hub = new Hub({
      endpoint: () => this.bus_(),
      log: this.log,
      stats: this.stats,
      compressionThreshold: opts.config.client.compressionThresholdBytes,
      lingerMs: opts.lingerMs ?? 0,
    });
    let online = opts.online;
    if (!online) this.owned.push((online = new MemoryOnlineStore()));
    this.online = online;
    this.rooms = new RoomEngine(this, online);
    if (opts.registry) this.registry = opts.registry;
    else this.owned.push((this.registry = new MemoryNodeRegistry()));
    this.heartbeat = new Heartbeat(
      this.registry,
      {
        id: this.uid,
        name: () => this.name,
        url: () => this.config.node.publicUrl || this.publicUrl,
        connections: () => this.connected,
        draining: () => this.draining,
        metrics: () => ({
          subscriptions: this.stats.subscriptions,
          channels: this.hub.channels.size,
          users: this.users.size,
          rss: process.memoryUsage.rss(),
          uptime: Math.floor((Date.now() - this.startedAt) / 1000),
        }),
      },
      this.log,
    );
    this.metrics = new Metrics(
      {
        stats: this.stats,
        connections: () => this.clients.size,
        channels: () => this.hub.channels.size,
        rooms: () => this.rooms.totals(),
      },
      { defaultMetrics: opts.processMetrics ?? false, labels: { node: this.name } },
    );
    const c = opts.config.client;
    this.clock = new ClientClock({
      pingIntervalSeconds: c.pingIntervalSeconds,
      pongTimeoutSeconds: c.pongTimeoutSeconds,
      connectTimeoutSeconds: c.connectTimeoutSeconds,
      expiredCloseDelaySeconds: c.expiredCloseDelaySeconds,
    });
    this.clock.onTick = (t) => {
      if (t % PRESENCE_REFRESH_TICKS === 0) {
        this.refreshPresence();
        this.touchUsers([...this.users.keys()]);
      } else if (this.newUsers.size > 0) {
        this.touchUsers([...this.newUsers]);
      }
      this.newUsers.clear();
    };
  }

  private bus_(): BusEndpoint {
    if (!this.endpoint) throw new Error('node not started');
    return this.endpoint;
  }

  async start(): Promise<void> {
    this.endpoint = await this.bus.attach({
      onMessage: (channel, msg) => this.hub.onMessage(channel, msg),
      onControl: (msg) => this.onControl(msg),
      onReset: () => this.hub.verifyStreams((ch) => this.streamPosition(ch.name, ch.policy)),
    });
    this.clock.start();
    this.rooms.start();
  }

  /** Joins the cluster's scheduler (once the node listens and knows its URL). */
  startHeartbeat(): void {
    this.heartbeat.start();
  }

  async stop(): Promise<void> {
    this.clock.stop();
    await this.rooms.stop();
    await this.heartbeat.stop();
    for (const c of [...this.clients.values()]) c.onTransportClosed(3001);
    this.hub.clear();
    // The leaves just queued: sent while the stores are still open, for at most a second.
    await Promise.race([this.presenceWriter.drain(), new Promise((r) => setTimeout(r, 1000).unref())]);
    this.presenceWriter.close();
    await this.endpoint?.close().catch((err: unknown) => this.log.warn({ err }, 'bus close failed'));
    this.endpoint = undefined;
    for (const o of this.owned) await o.close?.();
  }

  // ---- sessions ------------------------------------------------------------------------------

  createClient(transport: Transport): Client {
    const c = new Client(this, transport);
    this.clients.set(c.id, c);
    this.clock.addConnecting(c);
    return c;
  }

  addClient(c: Client): void {
    let set = this.users.get(c.user);
    if (!set) this.users.set(c.user, (set = new Set()));
    set.add(c);
    if (c.user !== '') this.newUsers.add(c.user);
    this.connected++;
    this.clock.addConnected(c);
  }

  removeClient(c: Client, wasConnected: boolean): void {
    this.clients.delete(c.id);
    this.clock.remove(c);
    if (!wasConnected) return;
    this.connected--;
    const set = this.users.get(c.user);
    if (set) {
      set.delete(c);
      if (set.size === 0) this.users.delete(c.user);
    }
  }

  get connectedCount(): number {
    return this.connected;
  }

  setClientExpiry(c: Client, expireAt: number): void {
    c.expireAt = expireAt;
    this.clock.watchExpiry(c);
  }

  watchSubscriptionExpiry(c: Client): void {
    this.clock.watchExpiry(c);
  }

  onClientMessage(c: Client, data: string | undefined): void {
    this.onMessage?.(c, data);
  }

  /** Sessions a control message addresses: one user's (optionally one client of theirs). */
  private targets(user: string, client?: string): Client[] {
    if (client !== undefined && client !== '') {
      const c = this.clients.get(client);
      return c && c.state === 'connected' && (user === '' || c.user === user) ? [c] : [];
    }
    return [...(this.users.get(user) ?? [])];
  }

  // ---- subscriptions -------------------------------------------------------------------------

  /** After a subscription is established: presence entry and join event. */
  subscribedLocal(c: Client, sub: Subscription): void {
    sub.announced = true;
    const ch = sub.local;
    if (sub.presence && ch && ch.size <= ch.policy.presenceMaxClients) {
      this.presenceWriter.add(sub.channel, c.id, this.subInfo(c, sub), PRESENCE_TTL_MS);
    }
    if (ch) this.rooms.onSubscribed(c, sub, ch.policy);
    if (ch?.policy.joinLeave) {
      this.bus_()
        .publish(sub.channel, { type: 'join', info: this.subInfo(c, sub) })
        .catch((err: unknown) => this.log.warn({ err, channel: sub.channel }, 'join publish failed'));
    }
  }

  unsubscribeLocal(c: Client, sub: Subscription): void {
    const policy = sub.local?.policy;
    this.hub.remove(sub);
    if (!sub.announced) return;
    sub.announced = false;
    if (sub.presence) {
      this.presenceWriter.remove(sub.channel, c.id);
    }
    if (policy?.joinLeave && this.endpoint) {
      this.endpoint
        .publish(sub.channel, { type: 'leave', info: this.subInfo(c, sub) })
        .catch((err: unknown) => this.log.warn({ err, channel: sub.channel }, 'leave publish failed'));
    }
  }

  private subInfo(c: Client, sub: Subscription): ClientInfo {
    const info: ClientInfo = { user: c.user, client: c.id };
    if (c.connInfo !== undefined) info.connInfo = c.connInfo;
    if (sub.chanInfo !== undefined) info.chanInfo = sub.chanInfo;
    return info;
  }

  private touchUsers(users: string[]): void {
    const named = users.filter((u) => u !== '');
    if (named.length === 0) return;
    this.online
      .touchUsers(named, USER_STATUS_TTL_MS)
      .catch((err: unknown) => this.log.warn({ err }, 'user status not marked'));
  }

  private refreshPresence(): void {
    for (const ch of this.hub.channels.values()) {
      if (!ch.policy.presence || ch.size > ch.policy.presenceMaxClients) continue;
      for (const sub of ch.subs) {
        if (!sub.announced || !sub.presence) continue;
        const c = sub.conn as Client;
        this.presenceWriter.add(ch.name, c.id, this.subInfo(c, sub), PRESENCE_TTL_MS);
      }
    }
  }

  /** Server-side subscription of a live session (HTTP API `subscribe`). */
  async serverSubscribe(
    c: Client,
    channel: string,
    opts: { info?: string; data?: string; recoverSince?: { offset: number; epoch: string } },
  ): Promise<void> {
    if (c.state !== 'connected' || c.subs.has(channel)) return;
    const parsed = this.namespaces.resolve(channel);
    if (!parsed) return;
    const r = await establish(c, {
      channel,
      policy: parsed.policy,
      serverSide: true,
      recover: opts.recoverSince,
      joinLeave: false,
      ...(opts.info !== undefined ? { chanInfo: opts.info } : {}),
      ...(opts.data !== undefined ? { data: opts.data } : {}),
    });
    if ('error' in r) {
      this.log.warn({ client: c.id, channel, code: r.error.code }, 'server-side subscribe failed');
      return;
    }
    c.send(encodeSubscribePush(channel, r.result));
    goLive(c, r);
  }

  // ---- streams -------------------------------------------------------------------------------

  private limits(policy: ChannelPolicy): { size: number; ttlMs: number; metaTtlMs: number } {
    return {
      size: policy.historySize,
      ttlMs: policy.historyTtlSeconds * 1000,
      metaTtlMs: policy.historyMetaTtlSeconds * 1000,
    };
  }

  async streamPosition(channel: string, policy: ChannelPolicy): Promise<StreamPosition> {
    const r = await this.history.read(channel, { limit: 0 }, this.limits(policy));
    return r.position;
  }

  /**
   * Recovery as Centrifuge does it: recovered only if the epoch matches (an empty one is not
   * checked) and the publications since the client's offset are all still kept, up to the top.
   */
  async recover(channel: string, policy: ChannelPolicy, since: StreamPosition): Promise<RecoveryResult> {
    const max = this.config.client.recoveryMaxLimit;
    const r = await this.history.read(channel, { since, limit: max + 1 }, this.limits(policy));
    const pubs = r.publications;
    let recovered: boolean;
    if (since.epoch !== '' && since.epoch !== r.position.epoch) recovered = false;
    else if (pubs.length > max) recovered = false;
    else if (pubs.length === 0) recovered = r.position.offset === since.offset;
    else recovered = pubs[0]?.offset === since.offset + 1 && pubs.at(-1)?.offset === r.position.offset;
    return { publications: recovered ? pubs : [], position: r.position, recovered };
  }

  async historyQuery(
    channel: string,
    policy: ChannelPolicy,
    req: { limit: number; since?: StreamPosition; reverse: boolean },
    maxLimit: number,
  ): Promise<{ publications: Publication[]; position: StreamPosition } | { error: ReplyError }> {
    const limit = req.limit < 0 || req.limit > maxLimit ? maxLimit : req.limit;
    try {
      const r = await this.history.read(
        channel,
        { limit, reverse: req.reverse, ...(req.since ? { since: req.since } : {}) },
        this.limits(policy),
      );
      if (req.since && req.since.epoch !== '' && req.since.epoch !== r.position.epoch) {
        return { error: Errors.unrecoverablePosition };
      }
      return r;
    } catch (err) {
      this.log.warn({ err, channel }, 'history read failed');
      return { error: Errors.internal };
    }
  }

  async removeHistory(channel: string): Promise<void> {
    await this.history.remove(channel);
  }

  // ---- publishing ----------------------------------------------------------------------------

  /**
   * Publishes to a channel. With history, the publication is stored first (the returned
   * offset is the stored one: an acknowledged publication is never lost) and then handed to the
   * bus; every node, this one included, delivers it from the bus.
   */
  async publish(channel: string, data: string, opts: PublishOptions): Promise<PublishResult> {
    const parsed = this.namespaces.resolve(channel);
    if (!parsed) throw new Error(`unknown namespace in ${channel}`);
    const policy = parsed.policy;
    const base: Omit<Publication, 'offset'> = { data, time: Date.now() };
    if (opts.info) base.info = opts.info;
    if (opts.tags) base.tags = opts.tags;
    const meta: Pick<Extract<BusMessage, { type: 'pub' }>, 'priority' | 'kind'> = {};
    if (opts.priority !== undefined && opts.priority !== PRIORITY.normal) meta.priority = opts.priority;
    if (opts.kind !== undefined) meta.kind = opts.kind;
    this.stats.publicationsIn[opts.source]++;
    if (policy.hasHistory && opts.skipHistory !== true) {
      const r = await this.history.append(channel, base, {
        ...this.limits(policy),
        ...(opts.idempotencyKey !== undefined ? { idempotencyKey: opts.idempotencyKey } : {}),
        publish: meta,
      });
      if (!r.duplicate && !this.history.publishesOnAppend) {
        await this.bus_().publish(channel, { type: 'pub', pub: r.publication, epoch: r.epoch, ...meta });
      }
      return { offset: r.publication.offset, epoch: r.epoch };
    }
    await this.bus_().publish(channel, { type: 'pub', pub: { ...base, offset: 0 }, ...meta });
    return { offset: 0, epoch: '' };
  }

  /** A client publish; policy checks (rate, mute, size) hook in here. */
  async publishFromClient(
    c: Client,
    channel: string,
    parsed: ParsedChannel,
    data: string,
    chanInfo: string | undefined,
  ): Promise<PublishResult> {
    const info: ClientInfo = { user: c.user, client: c.id };
    if (c.connInfo !== undefined) info.connInfo = c.connInfo;
    if (chanInfo !== undefined) info.chanInfo = chanInfo;
    if (parsed.policy.room.enabled) {
      const meta = this.rooms.admit(c, parsed, data);
      return this.publish(channel, data, {
        info,
        priority: meta.priority,
        source: 'client',
        ...(meta.kind !== undefined ? { kind: meta.kind } : {}),
      });
    }
    return this.publish(channel, data, {
      info,
      priority: c.priority ?? parsed.policy.clientPriorityLevel,
      source: 'client',
    });
  }

  // ---- rpc -----------------------------------------------------------------------------------

  async rpc(
    c: Client,
    method: string,
    data: string | undefined,
  ): Promise<{ data?: string } | { error: ReplyError } | { disconnect: DisconnectCode }> {
    const url = this.config.rpc.proxyUrl;
    if (url === '') return { error: Errors.notAvailable };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: `{"client":${JSON.stringify(c.id)},"transport":"websocket","protocol":"json","encoding":"json","user":${JSON.stringify(c.user)},"method":${JSON.stringify(method)}${data !== undefined ? `,"data":${data}` : ''}}`,
        signal: AbortSignal.timeout(this.config.rpc.timeoutMs),
      });
      if (!res.ok) throw new Error(`rpc proxy answered ${res.status}`);
      const body = (await res.json()) as {
        result?: { data?: unknown };
        error?: { code?: number; message?: string; temporary?: boolean };
        disconnect?: { code?: number; reason?: string };
      };
      if (body.error) {
        return {
          error: {
            code: body.error.code ?? 100,
            message: body.error.message ?? 'rpc error',
            ...(body.error.temporary ? { temporary: true } : {}),
          },
        };
      }
      if (body.disconnect)
        return {
          disconnect: { code: body.disconnect.code ?? 3503, reason: body.disconnect.reason ?? 'rpc' },
        };
      const out = body.result?.data;
      return out === undefined ? {} : { data: JSON.stringify(out) };
    } catch (err) {
      this.log.warn({ err, method }, 'rpc proxy failed');
      return { error: Errors.internal };
    }
  }

  // ---- control -------------------------------------------------------------------------------

  publishControl(msg: ControlMessage): Promise<void> {
    return this.bus_().publishControl(msg);
  }

  private onControl(msg: ControlMessage): void {
    try {
      switch (msg.type) {
        case 'disconnect':
          for (const c of this.targets(msg.user, msg.client)) {
            if (!msg.whitelist?.includes(c.id)) c.disconnect({ code: msg.code, reason: msg.reason });
          }
          return;
        case 'unsubscribe':
          for (const c of this.targets(msg.user, msg.client))
            c.unsubscribeByServer(msg.channel, 2000, 'server unsubscribe');
          return;
        case 'subscribe':
          for (const c of this.targets(msg.user, msg.client)) {
            this.serverSubscribe(c, msg.channel, {
              ...(msg.info !== undefined ? { info: msg.info } : {}),
              ...(msg.data !== undefined ? { data: msg.data } : {}),
              ...(msg.recoverSince !== undefined ? { recoverSince: msg.recoverSince } : {}),
            }).catch((err: unknown) => this.log.warn({ err }, 'server subscribe failed'));
          }
          return;
        case 'refresh':
          for (const c of this.targets(msg.user, msg.client)) {
            if (msg.expired) {
              c.disconnect({ code: 3005, reason: 'connection expired' });
              continue;
            }
            if (msg.info !== undefined) c.connInfo = msg.info;
            if (msg.expireAt !== undefined) this.setClientExpiry(c, msg.expireAt);
          }
          return;
        case 'room':
          this.rooms.onControl(msg.action);
          return;
      }
    } catch (err) {
      this.log.error({ err, type: msg.type }, 'control message failed');
    }
  }

  info(): Record<string, unknown> {
    return {
      uid: this.uid,
      name: this.name,
      version: '0.1.0',
      num_clients: this.connected,
      num_users: this.users.size,
      num_channels: this.hub.channels.size,
      num_subs: this.stats.subscriptions,
      uptime: Math.floor((Date.now() - this.startedAt) / 1000),
      url: this.config.node.publicUrl || this.publicUrl,
      draining: this.draining,
    };
  }

  /** Every live node of the cluster (this one first), as the `info` API shows them. */
  async nodes(): Promise<Array<Record<string, unknown>>> {
    const self = this.info();
    let others: Array<Record<string, unknown>> = [];
    try {
      others = (await this.registry.list())
        .filter((n) => n.id !== this.uid)
        .map((n) => ({
          uid: n.id,
          name: n.name,
          version: '0.1.0',
          num_clients: n.connections,
          num_users: n.metrics?.['users'] ?? 0,
          num_channels: n.metrics?.['channels'] ?? 0,
          num_subs: n.metrics?.['subscriptions'] ?? 0,
          uptime: n.metrics?.['uptime'] ?? 0,
          url: n.url,
          draining: n.draining,
          cpu: n.cpu,
          event_loop_delay_ms: n.eventLoopDelayMs,
        }));
    } catch (err) {
      this.log.warn({ err }, 'node registry unavailable');
    }
    return [self, ...others];
  }
}
