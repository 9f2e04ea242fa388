// The connection of a live-room app: one centrifuge client, its status as a UI shows it, the
// user's private channel, and the rooms joined over it. Reconnecting is the SDK's (backoff,
// resubscribe); resuming is ours to ask for: `gift:` and `user:` are subscribed recoverable, so
// what was published while the connection was down arrives after it comes back, once.

import { Centrifuge, type Options, type PublicationContext, type Subscription } from 'centrifuge';
import { Emitter } from './emitter.ts';
import type { UserRef } from './messages.ts';
import { Room, type GiftTransport } from './room.ts';
import { SeenIds } from './seen-ids.ts';

/**
 * - connecting: first connection attempt
 * - connected
 * - reconnecting: the connection was lost; the SDK is retrying with backoff
 * - offline: the device reports no network; retrying resumes when it comes back
 * - disconnected: stopped (disconnect() called, or the server refused us for good, e.g. a bad token)
 */
export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'disconnected';

export interface StatusEvent {
  status: ConnectionStatus;
  /** The SDK's or server's code for the last transition (e.g. 3500 invalid token). */
  code: number | undefined;
  reason: string | undefined;
}

export interface PrivateMessage {
  data: unknown;
  offset: number | undefined;
}

export interface RoomClientEvents {
  status: StatusEvent;
  /** A message on the user's own `user:<id>` channel (each once, recovered after reconnects). */
  private: PrivateMessage;
}

export interface RoomClientOptions {
  /** WebSocket endpoint, e.g. `ws://host:8000/connection/websocket` (see `websocketUrl`). */
  url: string;
  /** Connection token (JWT) of a signed-in user; omit both for an anonymous viewer. */
  token?: string;
  /** Called for a fresh token when there is none or it expired. */
  getToken?: () => Promise<string>;
  /** The signed-in user (self detection, `user:` channel). Defaults to the token's `sub`. */
  user?: UserRef;
  /** WebSocket implementation for Node without a global one (e.g. `ws`). */
  websocket?: unknown;
  /** How gifts reach the app's backend (see `httpGiftTransport`). */
  sendGift?: GiftTransport;
  /** Online-count fallback poll (presence_stats) until the server pushes a count; 0 = off. Default 10 000. */
  onlinePollMs?: number;
  /** Like taps within this window go out as one publish. Default 250. */
  likeFlushMs?: number;
  /** Recent `gift:` publications fetched on join and after a gap (room state, recent gifts). Default 20. */
  backfill?: number;
  /** Longest chat line in characters, checked before sending. Default 200. */
  maxChatLength?: number;
  /** Where `online`/`offline` events come from. Default: globalThis when it has them (browsers). */
  networkEvents?: EventTarget | null;
  /** Further options for the centrifuge SDK (reconnect delays, timeout, debug...). */
  sdk?: Partial<Options>;
}

/** The user of a JWT (`sub`, and `info.name` as the display name), read without verifying: the server verifies. */
export function tokenUser(token: string): UserRef | undefined {
  const part = token.split('.')[1];
  if (part === undefined) return undefined;
  try {
    const bin = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as {
      sub?: unknown;
      info?: { name?: unknown } | null;
    };
    if (typeof claims.sub !== 'string' || claims.sub === '') return undefined;
    const name = claims.info?.name;
    return { id: claims.sub, name: typeof name === 'string' && name !== '' ? name : claims.sub };
  } catch {
    return undefined; // not a JWT we can read: identity stays unknown, the server still decides
  }
}

/** The roomcast WebSocket URL of the page's own origin (same host, ws/wss by page protocol). */
export function websocketUrl(loc: { protocol: string; host: string } = globalThis.location): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/connection/websocket`;
}

const networkTarget = (): EventTarget | null =>
  typeof (globalThis as { addEventListener?: unknown }).addEventListener === 'function' ? globalThis : null;

export class RoomClient extends Emitter<RoomClientEvents> {
  readonly sdk: Centrifuge;
  status: ConnectionStatus = 'disconnected';
  /** This connection's client id once connected. */
  clientId: string | undefined;
  private userRef: UserRef | undefined;
  private readonly anonymousViewer: boolean;
  private readonly opts: RoomClientOptions;
  private readonly rooms = new Map<string, Room>();
  private userSub: Subscription | undefined;
  private readonly seenPrivate = new SeenIds(1000);
  private everConnected = false;
  private deviceOffline = false;
  private listening = false;
  private readonly network: EventTarget | null;
  private readonly onOffline = (): void => {
    this.deviceOffline = true;
    if (this.status !== 'disconnected') this.setStatus('offline', undefined, 'device offline');
  };
  private readonly onOnline = (): void => {
    this.deviceOffline = false;
    if (this.status === 'offline') this.setStatus('reconnecting', undefined, 'device online');
  };

  constructor(opts: RoomClientOptions) {
    super();
    this.opts = opts;
    this.anonymousViewer = opts.token === undefined && opts.getToken === undefined;
    this.userRef = opts.user ?? (opts.token !== undefined ? tokenUser(opts.token) : undefined);
    this.network = opts.networkEvents === undefined ? networkTarget() : opts.networkEvents;
    const getToken = opts.getToken;
    this.sdk = new Centrifuge(opts.url, {
      ...(opts.token !== undefined ? { token: opts.token } : {}),
      ...(getToken
        ? {
            getToken: async () => {
              const t = await getToken();
              if (this.userRef === undefined) {
                this.userRef = tokenUser(t);
                this.ensureUserChannel();
              }
              return t;
            },
          }
        : {}),
      ...(opts.websocket !== undefined ? { websocket: opts.websocket } : {}),
      ...(opts.networkEvents !== undefined ? { networkEventTarget: opts.networkEvents } : {}),
      ...opts.sdk,
    });
    this.sdk.on('connecting', (c) => {
      const status = this.deviceOffline ? 'offline' : this.everConnected ? 'reconnecting' : 'connecting';
      this.setStatus(status, c.code, c.reason);
    });
    this.sdk.on('connected', (c) => {
      this.clientId = c.client;
      this.everConnected = true;
      this.setStatus('connected', undefined, undefined);
    });
    this.sdk.on('disconnected', (c) => {
      this.clientId = undefined;
      this.setStatus('disconnected', c.code, c.reason);
    });
  }

  /** The signed-in user, or undefined for an anonymous viewer. */
  get user(): UserRef | undefined {
    return this.userRef;
  }

  get anonymous(): boolean {
    return this.anonymousViewer;
  }

  get connected(): boolean {
    return this.status === 'connected';
  }

  private setStatus(status: ConnectionStatus, code: number | undefined, reason: string | undefined): void {
    this.status = status;
    this.emit('status', { status, code, reason });
  }

  connect(): void {
    if (this.network && !this.listening) {
      this.network.addEventListener('offline', this.onOffline);
      this.network.addEventListener('online', this.onOnline);
      this.listening = true;
    }
    this.deviceOffline = (globalThis as { navigator?: { onLine?: boolean } }).navigator?.onLine === false;
    this.sdk.connect();
  }

  /** Closes the connection and leaves every room. */
  disconnect(): void {
    for (const r of [...this.rooms.values()]) r.leave();
    if (this.userSub) this.sdk.removeSubscription(this.userSub);
    this.userSub = undefined;
    if (this.network && this.listening) {
      this.network.removeEventListener('offline', this.onOffline);
      this.network.removeEventListener('online', this.onOnline);
      this.listening = false;
    }
    this.sdk.disconnect();
  }

  /**
   * Joins room `id`: subscribes `live:<id>` and `gift:<id>` (recoverable), and the user's
   * `user:<id>` channel once per client. Joining a room already joined returns the same Room.
   */
  joinRoom(id: string): Room {
    const existing = this.rooms.get(id);
    if (existing) return existing;
    const room = new Room(id, {
      sdk: this.sdk,
      anonymous: () => this.anonymousViewer,
      user: () => this.userRef,
      connected: () => this.status === 'connected',
      sendGift: this.opts.sendGift,
      onlinePollMs: this.opts.onlinePollMs ?? 10_000,
      likeFlushMs: this.opts.likeFlushMs ?? 250,
      backfill: this.opts.backfill ?? 20,
      maxChatLength: this.opts.maxChatLength ?? 200,
      onLeave: (r) => {
        if (this.rooms.get(r.id) === r) this.rooms.delete(r.id);
      },
    });
    this.rooms.set(id, room);
    this.ensureUserChannel();
    return room;
  }

  /** Rooms joined now. */
  get joined(): Room[] {
    return [...this.rooms.values()];
  }

  private ensureUserChannel(): void {
    if (this.userSub || this.userRef === undefined) return;
    const sub = this.sdk.newSubscription(`user:${this.userRef.id}`, { recoverable: true, positioned: true });
    sub.on('publication', (p: PublicationContext) => {
      const data = p.data as { id?: unknown } | null;
      const key =
        typeof data?.id === 'string' ? data.id : p.offset !== undefined ? `@${p.offset}` : undefined;
      if (key !== undefined && !this.seenPrivate.add(key)) return;
      this.emit('private', { data: p.data, offset: p.offset });
    });
    sub.subscribe();
    this.userSub = sub;
  }
}
