// One joined room: the `live:<room>` and `gift:<room>` subscriptions turned into typed events,
// running counts, de-duplication, the online-count fallback and the room's send methods.

import {
  SubscriptionState,
  type Centrifuge,
  type PublicationContext,
  type SubscribedContext,
  type Subscription,
} from 'centrifuge';
import { Emitter } from './emitter.ts';
import { RoomError, toRoomError } from './errors.ts';
import {
  parseGiftChannelMessage,
  parseLiveMessage,
  senderOf,
  type LiveMessage,
  type UserRef,
} from './messages.ts';
import { newMessageId, SeenIds } from './seen-ids.ts';

export interface ChatEvent {
  /** The sender's message id (absent for lines sent without one, and for merged lines). */
  id: string | undefined;
  text: string;
  /** How many identical lines the room engine merged into this one (1 = not merged). */
  count: number;
  /** The sender (the first one of a merged line); undefined if the server did not say. */
  user: UserRef | undefined;
  /** Sent by this user (from this or another of their devices); false for merged lines. */
  self: boolean;
}

export interface GiftEvent {
  id: string | undefined;
  gift: string;
  count: number;
  value: number;
  user: UserRef | undefined;
  self: boolean;
  /** Stream offset on `gift:<room>`. */
  offset: number | undefined;
  /** From history when joining or after a gap, rather than live. */
  replay: boolean;
}

export interface RoomEvents {
  chat: ChatEvent;
  /** Likes arrived (`added`), and the total since joining. */
  likes: { added: number; total: number };
  /** Viewers entered (`added`; `users` are up to a few named ones), and the total since joining. */
  entries: { added: number; users: UserRef[]; total: number };
  gift: GiftEvent;
  /** A system line on `live:` or a notice on `gift:`. */
  notice: { kind: 'system' | 'notice'; text: string; replay: boolean };
  /** Room state from the backend (stream live or not, title). */
  state: { live: boolean; title: string | undefined };
  /** Viewers online: pushed by the room engine, or counted from presence until a push comes. */
  online: { count: number; unique: number | undefined; source: 'push' | 'presence' };
  /** The room ended this membership: closed, kicked, banned, or refused the subscription. */
  closed: {
    reason: 'closed' | 'kicked' | 'banned' | 'forbidden' | 'unsubscribed';
    code: number;
    message: string;
  };
  /** Recovery of `gift:` failed after a reconnect: events may have been missed (recent ones are refetched). */
  gap: { channel: string };
  /** A background failure the UI may want to show (sends report theirs by rejecting instead). */
  error: RoomError;
}

/** What a room needs from its client. */
export interface RoomContext {
  sdk: Centrifuge;
  anonymous: () => boolean;
  user: () => UserRef | undefined;
  connected: () => boolean;
  sendGift: GiftTransport | undefined;
  onlinePollMs: number;
  likeFlushMs: number;
  backfill: number;
  maxChatLength: number;
  onLeave: (room: Room) => void;
}

export interface GiftRequest {
  room: string;
  gift: string;
  count: number;
  /** Unique per gift: the backend publishes it as the gift's `id` and may use it as an idempotency key. */
  id: string;
}

/** How gifts reach the app's backend, which charges the sender and publishes on `gift:<room>`. */
export type GiftTransport = (req: GiftRequest) => Promise<void>;

const CLOSE_REASONS: Record<number, RoomEvents['closed']['reason']> = {
  2100: 'closed',
  2101: 'kicked',
  2102: 'banned',
  421: 'banned',
  103: 'forbidden',
};

export class Room extends Emitter<RoomEvents> {
  readonly id: string;
  /** Likes seen since joining. */
  likes = 0;
  /** Entries seen since joining. */
  entries = 0;
  /** Viewers online, once known. */
  online: number | undefined;
  private readonly ctx: RoomContext;
  private readonly live: Subscription;
  private readonly gifts: Subscription;
  private readonly seenChat = new SeenIds(2000);
  private readonly seenGifts = new SeenIds(5000);
  private onlinePushed = false;
  private onlineTimer: ReturnType<typeof setInterval> | undefined;
  private onlinePollOff = false;
  private giftsSubscribedOnce = false;
  private pendingLikes = 0;
  private likeFlush: Promise<void> | undefined;
  private left = false;

  constructor(id: string, ctx: RoomContext) {
    super();
    this.id = id;
    this.ctx = ctx;
    this.live = ctx.sdk.newSubscription(`live:${id}`);
    this.gifts = ctx.sdk.newSubscription(`gift:${id}`, { recoverable: true, positioned: true });
    this.live.on('publication', (p) => this.onLive(p));
    this.live.on('subscribed', () => this.onLiveSubscribed());
    this.live.on('unsubscribed', (u) => this.onUnsubscribed(u.code, u.reason));
    this.gifts.on('publication', (p) => this.onGiftChannel(p, false));
    this.gifts.on('subscribed', (s) => this.onGiftsSubscribed(s));
    this.gifts.on('unsubscribed', (u) => this.onUnsubscribed(u.code, u.reason));
    this.live.subscribe();
    this.gifts.subscribe();
  }

  get liveChannel(): string {
    return this.live.channel;
  }

  get giftChannel(): string {
    return this.gifts.channel;
  }

  /** True once both channels are subscribed. */
  get ready(): boolean {
    return (
      this.live.state === SubscriptionState.Subscribed && this.gifts.state === SubscriptionState.Subscribed
    );
  }

  // ---- incoming ------------------------------------------------------------------------------

  private isSelf(user: UserRef | undefined): boolean {
    const me = this.ctx.user();
    return me !== undefined && user !== undefined && user.id === me.id;
  }

  private onLive(p: PublicationContext): void {
    const msg = parseLiveMessage(p.data);
    if (msg) this.dispatchLive(msg, senderOf(p.info));
  }

  private dispatchLive(msg: LiveMessage, sender: UserRef | undefined): void {
    switch (msg.type) {
      case 'chat': {
        // A single line is de-duplicated by id: our own comes back as an echo after we emitted
        // it on publish success. A merged line ("666" ×35) is new even when it carries the id
        // and info of its first sender, and it is the crowd's line, not that sender's.
        const merged = msg.count > 1;
        if (!merged && msg.id !== undefined && !this.seenChat.add(msg.id)) return;
        this.emit('chat', {
          id: merged ? undefined : msg.id,
          text: msg.text,
          count: msg.count,
          user: sender,
          self: !merged && this.isSelf(sender),
        });
        return;
      }
      case 'like':
      case 'likes':
        if (msg.count === 0) return;
        this.likes += msg.count;
        this.emit('likes', { added: msg.count, total: this.likes });
        return;
      case 'entry':
        this.entries += 1;
        this.emit('entries', { added: 1, users: [msg.user], total: this.entries });
        return;
      case 'entries':
        if (msg.count === 0) return;
        this.entries += msg.count;
        this.emit('entries', { added: msg.count, users: msg.users, total: this.entries });
        return;
      case 'online':
        this.onlinePushed = true;
        this.stopOnlinePoll();
        this.setOnline(msg.count, msg.unique, 'push');
        return;
      case 'system':
        this.emit('notice', { kind: 'system', text: msg.text, replay: false });
        return;
    }
  }

  private onGiftChannel(p: PublicationContext, replay: boolean): void {
    const msg = parseGiftChannelMessage(p.data);
    if (!msg) return;
    switch (msg.type) {
      case 'gift': {
        // Recovery and backfill may redeliver a gift: each is shown once, by id (else offset).
        const key = msg.id ?? (p.offset !== undefined ? `@${p.offset}` : undefined);
        if (key !== undefined && !this.seenGifts.add(key)) return;
        this.emit('gift', { ...msg, self: this.isSelf(msg.user), offset: p.offset, replay });
        return;
      }
      case 'notice': {
        if (p.offset !== undefined && !this.seenGifts.add(`@${p.offset}`)) return;
        this.emit('notice', { kind: 'notice', text: msg.text, replay });
        return;
      }
      case 'state':
        this.emit('state', { live: msg.live, title: msg.title });
        return;
    }
  }

  private onLiveSubscribed(): void {
    if (this.ctx.onlinePollMs <= 0 || this.onlinePollOff) return;
    void this.pollOnline();
    this.onlineTimer ??= setInterval(() => void this.pollOnline(), this.ctx.onlinePollMs);
  }

  private onGiftsSubscribed(s: SubscribedContext): void {
    const first = !this.giftsSubscribedOnce;
    this.giftsSubscribedOnce = true;
    if (s.wasRecovering && !s.recovered) {
      this.emit('gap', { channel: this.gifts.channel });
      void this.backfill();
    } else if (first) {
      void this.backfill();
    }
  }

  /** Recent `gift:` history: the latest room state and recent gifts, flagged as replays. */
  private async backfill(): Promise<void> {
    if (this.ctx.backfill <= 0) return;
    try {
      const h = await this.ctx.sdk.history(this.gifts.channel, { limit: this.ctx.backfill, reverse: true });
      if (this.left) return;
      for (const p of h.publications.reverse()) this.onGiftChannel(p, true);
    } catch (err) {
      this.emit('error', toRoomError(err, { anonymous: this.ctx.anonymous() }));
    }
  }

  /**
   * Fallback online count for servers that push none (no room engine, or its pushes turned off):
   * presence_stats of `live:<room>` (connections), polled until the first push arrives. Pushes
   * only come when the count changes, so after one the pushes alone are the truth.
   */
  private async pollOnline(): Promise<void> {
    if (this.left || this.onlinePushed || this.onlinePollOff || !this.ctx.connected()) return;
    try {
      const s = await this.ctx.sdk.presenceStats(this.live.channel);
      if (!this.left && !this.onlinePushed) this.setOnline(s.numClients, undefined, 'presence');
    } catch (err) {
      // Presence off for this namespace (108) or not allowed (103): the fallback cannot work,
      // so stop asking. Anything else (a reconnect in progress) is retried on the next tick.
      const code = (err as { code?: unknown }).code;
      if (code === 108 || code === 103) this.stopOnlinePoll();
    }
  }

  private stopOnlinePoll(): void {
    this.onlinePollOff = true;
    if (this.onlineTimer !== undefined) clearInterval(this.onlineTimer);
    this.onlineTimer = undefined;
  }

  private setOnline(count: number, unique: number | undefined, source: 'push' | 'presence'): void {
    if (count === this.online && source === 'presence') return;
    this.online = count;
    this.emit('online', { count, unique, source });
  }

  private onUnsubscribed(code: number, reason: string): void {
    if (this.left || code === 0) return; // 0: our own unsubscribe
    const why = CLOSE_REASONS[code] ?? 'unsubscribed';
    this.stop();
    this.emit('closed', { reason: why, code, message: reason });
    this.ctx.onLeave(this);
  }

  // ---- outgoing ------------------------------------------------------------------------------

  private checkCanPublish(): void {
    if (this.left) throw new RoomError('forbidden', { message: 'You left this room.' });
    if (this.ctx.anonymous()) throw new RoomError('sign_in_required');
    if (!this.ctx.connected()) throw new RoomError('offline');
  }

  private fail(err: unknown): RoomError {
    return toRoomError(err, { anonymous: this.ctx.anonymous() });
  }

  /**
   * Sends a danmaku/chat line with a fresh id. Resolves once the server accepted it, with the
   * event it emitted (the echo that follows is dropped as a duplicate); rejects with a RoomError
   * (rate_limited, muted, banned, offline, sign_in_required, too_large...).
   */
  async sendChat(text: string): Promise<ChatEvent> {
    const t = text.trim();
    if (t === '') throw new RoomError('invalid');
    if ([...t].length > this.ctx.maxChatLength) throw new RoomError('too_large');
    this.checkCanPublish();
    const id = newMessageId();
    try {
      await this.ctx.sdk.publish(this.live.channel, { type: 'chat', text: t, id });
    } catch (err) {
      throw this.fail(err);
    }
    const ev: ChatEvent = { id, text: t, count: 1, user: this.ctx.user(), self: true };
    if (this.seenChat.add(id)) this.emit('chat', ev);
    return ev;
  }

  /**
   * Taps the like button `count` times. Taps within `likeFlushMs` go out as one
   * `{"type":"like","count":n}`; the returned promise settles with that publish. The like
   * counter moves when the likes come back from the server, as everyone else's do.
   */
  like(count = 1): Promise<void> {
    try {
      this.checkCanPublish();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new RoomError('unknown', { cause: err }));
    }
    this.pendingLikes += Math.max(1, Math.floor(count));
    this.likeFlush ??= new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        const n = this.pendingLikes;
        this.pendingLikes = 0;
        this.likeFlush = undefined;
        this.ctx.sdk.publish(this.live.channel, { type: 'like', count: n }).then(
          () => resolve(),
          (err: unknown) => reject(this.fail(err)),
        );
      }, this.ctx.likeFlushMs);
    });
    return this.likeFlush;
  }

  /**
   * Asks the app's backend (the `sendGift` transport) to send a gift; returns its id. The gift
   * itself arrives as a `gift` event from `gift:<room>`, like everyone else's.
   */
  async sendGift(gift: string, count = 1): Promise<string> {
    const transport = this.ctx.sendGift;
    if (!transport) throw new RoomError('gift_failed', { message: 'No gift transport is configured.' });
    if (this.left) throw new RoomError('forbidden', { message: 'You left this room.' });
    if (this.ctx.anonymous()) throw new RoomError('sign_in_required');
    const id = newMessageId();
    try {
      await transport({ room: this.id, gift, count, id });
    } catch (err) {
      throw err instanceof RoomError ? err : new RoomError('gift_failed', { cause: err });
    }
    return id;
  }

  private stop(): void {
    this.left = true;
    this.stopOnlinePoll();
    this.ctx.sdk.removeSubscription(this.live);
    this.ctx.sdk.removeSubscription(this.gifts);
  }

  /** Unsubscribes both channels; the room emits nothing more. */
  leave(): void {
    if (this.left) return;
    this.stop();
    this.removeAllListeners();
    this.ctx.onLeave(this);
  }
}
