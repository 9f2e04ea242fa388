// The live-room page: one RoomClient (guest or signed in) over roomcast's WebSocket on this
// page's origin, the current Room, and the views it feeds.

import {
  RoomClient,
  RoomError,
  websocketUrl,
  type ConnectionStatus,
  type GiftEvent,
  type Room,
} from '@roomcast/client';
import {
  BackendError,
  fetchGifts,
  fetchToken,
  giftTransport,
  type GiftKind,
  type Identity,
} from './backend.ts';
import { byId } from './dom.ts';
import { count } from './format.ts';
import { loadIdentity, newIdentity, saveIdentity } from './identity.ts';
import { ChatList } from './views/chat.ts';
import { CrowdControl } from './views/crowd.ts';
import { DanmakuLayer } from './views/danmaku.ts';
import { Feedback } from './views/feedback.ts';
import { GiftShow, renderGiftBar } from './views/gifts.ts';
import { Hearts } from './views/hearts.ts';
import { TopFans } from './views/fans.ts';
import { ROOM_ID, RoomPicker, roomInfo } from './views/rooms.ts';
import { ConnIndicator } from './views/status.ts';

/** After a "too fast" refusal the send button rests this long. */
const COOLDOWN_MS = 1500;

const CLOSED_TEXT = {
  closed: 'This room has been closed.',
  kicked: 'You were removed from this room.',
  banned: 'You are banned from this room.',
  forbidden: 'You cannot watch this room.',
  unsubscribed: 'You left this room.',
} as const;

export class App {
  private client: RoomClient | undefined;
  private room: Room | undefined;
  private roomId = 'lobby';
  private who: Identity | undefined;
  private token: string | undefined;
  private gifts: GiftKind[] = [];
  private giftTotal = 0;
  private wasConnected = false;
  private status: ConnectionStatus = 'disconnected';

  private readonly chat = new ChatList(byId<HTMLOListElement>('chat'), byId<HTMLButtonElement>('chat-more'));
  private readonly danmaku = new DanmakuLayer(byId('danmaku'));
  private readonly hearts = new Hearts(byId('hearts'));
  private readonly giftShow = new GiftShow(byId('gift-banners'), byId('gift-big'));
  private readonly fans = new TopFans(byId<HTMLOListElement>('fans'), byId('fans-empty'));
  private readonly feedback = new Feedback(byId('feedback'));
  private readonly conn = new ConnIndicator(byId('conn'), byId('conn-label'));
  private readonly picker = new RoomPicker(
    byId('room-list'),
    byId<HTMLFormElement>('room-form'),
    byId<HTMLInputElement>('room-input'),
    (id) => this.join(id),
  );
  private readonly crowd = new CrowdControl(
    {
      button: byId<HTMLButtonElement>('crowd-toggle'),
      size: byId<HTMLSelectElement>('crowd-size'),
      status: byId('crowd-status'),
    },
    (message) => this.feedback.show(message, 'crowd'),
  );
  private readonly input = byId<HTMLInputElement>('composer-input');
  private readonly send = byId<HTMLButtonElement>('send');
  private readonly dialog = byId<HTMLDialogElement>('signin');

  async start(): Promise<void> {
    this.bindComposer();
    this.bindSignIn();
    this.bindShortcuts();
    byId('stage-overlay-action').addEventListener('click', () => this.join('lobby'));
    byId('danmaku-toggle').addEventListener('click', () => this.toggleDanmaku());

    const fromUrl = new URLSearchParams(location.search).get('room');
    if (fromUrl !== null && ROOM_ID.test(fromUrl)) this.roomId = fromUrl;

    const [gifts] = await Promise.all([fetchGifts(), this.restoreIdentity()]);
    this.gifts = gifts ?? [];
    renderGiftBar(byId('gift-bar'), this.gifts, (g) => void this.sendGift(g));
    this.crowd.available = gifts !== undefined;

    this.connect();
    this.join(this.roomId);
  }

  // ---- identity ------------------------------------------------------------------------------

  private async restoreIdentity(): Promise<void> {
    const who = loadIdentity();
    if (!who) return this.renderMe();
    try {
      this.token = await fetchToken(who);
      this.who = who;
    } catch {
      saveIdentity(undefined); // the server no longer issues demo tokens: continue as a guest
    }
    this.renderMe();
  }

  private renderMe(): void {
    byId('me-label').textContent = this.who ? `Signed in as ${this.who.name}` : 'Watching as a guest';
    byId('signin-open').hidden = this.who !== undefined;
    byId('signout').hidden = this.who === undefined;
    this.input.placeholder = this.who ? 'Say something nice…' : 'Sign in to chat';
    document.body.dataset['signedIn'] = String(this.who !== undefined);
  }

  private bindSignIn(): void {
    const form = byId<HTMLFormElement>('signin-form');
    const name = byId<HTMLInputElement>('signin-name');
    const error = byId('signin-error');
    byId('signin-open').addEventListener('click', () => this.openSignIn());
    byId('signin-cancel').addEventListener('click', () => this.dialog.close());
    byId('signout').addEventListener('click', () => {
      this.who = undefined;
      this.token = undefined;
      saveIdentity(undefined);
      this.renderMe();
      this.reconnect();
    });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const display = name.value.trim();
      if (display === '') return;
      error.textContent = '';
      const who = newIdentity(display);
      fetchToken(who).then(
        (token) => {
          this.who = who;
          this.token = token;
          saveIdentity(who);
          this.dialog.close();
          this.renderMe();
          this.reconnect();
          this.input.focus();
        },
        (err: unknown) => {
          error.textContent =
            err instanceof BackendError && err.status === 404
              ? 'This server does not issue demo tokens (start it with --dev).'
              : `Could not sign in: ${err instanceof Error ? err.message : String(err)}`;
        },
      );
    });
  }

  private openSignIn(): void {
    if (this.dialog.open) return;
    byId('signin-error').textContent = '';
    this.dialog.showModal();
    byId<HTMLInputElement>('signin-name').focus();
  }

  // ---- connection and room -------------------------------------------------------------------

  private connect(): void {
    const who = this.who;
    const token = this.token;
    const client = new RoomClient({
      url: websocketUrl(),
      ...(who && token !== undefined
        ? {
            token,
            user: who,
            getToken: async () => (this.token = await fetchToken(who)),
          }
        : {}),
      sendGift: giftTransport(() => this.token ?? ''),
    });
    client.on('status', (s) => this.onStatus(s.status, s.reason));
    this.client = client;
    this.wasConnected = false;
    this.status = 'disconnected';
    client.connect();
  }

  private reconnect(): void {
    this.client?.disconnect();
    this.connect();
    this.join(this.roomId, true);
  }

  private onStatus(status: ConnectionStatus, reason: string | undefined): void {
    const previous = this.status;
    this.status = status;
    this.conn.set(status, reason);
    if (status === previous) return;
    if (status === 'connected') {
      if (this.wasConnected) this.chat.notice('Reconnected.', 'info');
      this.wasConnected = true;
      this.feedback.clear('offline');
    } else if (status === 'offline' && this.wasConnected) {
      this.chat.notice('You are offline. Reconnecting when the network is back…', 'warn');
    }
  }

  join(id: string, force = false): void {
    const client = this.client;
    if (!client || (id === this.roomId && this.room && !force)) return;
    this.room?.leave();
    this.roomId = id;
    const info = roomInfo(id);
    this.resetRoomViews(info.title, info.hue);
    this.picker.setCurrent(id);
    void this.crowd.setRoom(id);
    const url = new URL(location.href);
    url.searchParams.set('room', id);
    history.replaceState(null, '', url);

    const room = client.joinRoom(id);
    this.room = room;
    this.chat.notice(`Welcome to ${info.title}. Be kind, have fun.`, 'info');
    room.on('chat', (e) => {
      this.chat.chat(e);
      this.danmaku.add({ text: e.text, self: e.self, count: e.count });
      if (e.self) this.feedback.clear();
    });
    room.on('likes', (e) => {
      byId('like-count').textContent = count(e.total);
      byId('likes-total').textContent = count(e.total);
      this.hearts.others(e.added);
    });
    room.on('entries', (e) => {
      byId('entries-total').textContent = count(e.total);
      this.chat.entries(e.added, e.users);
    });
    room.on('gift', (g) => this.onGift(g));
    room.on('notice', (n) => this.chat.notice(n.text, n.kind));
    room.on('state', (s) => {
      if (s.title) byId('room-title').textContent = s.title;
      byId('stage').dataset['live'] = String(s.live);
    });
    room.on('online', (o) => {
      const el = byId('online-count');
      el.textContent = count(o.count);
      el.dataset['count'] = String(o.count);
    });
    room.on('closed', (c) => {
      if (this.room !== room) return;
      this.room = undefined;
      const overlay = byId('stage-overlay');
      byId('stage-overlay-text').textContent = CLOSED_TEXT[c.reason];
      overlay.hidden = false;
      byId('stage-overlay-action').focus();
    });
    room.on('gap', () => this.chat.notice('Reconnected. Some gifts sent meanwhile may be missing.', 'warn'));
    room.on('error', (e) => this.feedback.show(e.message, e.kind));
  }

  private resetRoomViews(title: string, hue: number): void {
    this.chat.clear();
    this.danmaku.clear();
    this.giftShow.clear();
    this.fans.clear();
    this.giftTotal = 0;
    byId('stage-overlay').hidden = true;
    byId('room-title').textContent = title;
    byId('room-sub').textContent = `#${this.roomId}`;
    byId('avatar').textContent = (title.replace(/^#/, '')[0] ?? 'R').toUpperCase();
    byId('stage').style.setProperty('--hue', String(hue));
    for (const id of ['like-count', 'likes-total', 'entries-total', 'gifts-total'])
      byId(id).textContent = '0';
    const online = byId('online-count');
    online.textContent = '–';
    online.dataset['count'] = '';
    document.title = `${title} · roomcast live`;
  }

  private onGift(g: GiftEvent): void {
    const kind = this.gifts.find((k) => k.id === g.gift);
    this.giftTotal += g.count;
    byId('gifts-total').textContent = count(this.giftTotal);
    this.chat.gift(g, kind);
    this.giftShow.show(g, kind);
    this.fans.add(g);
  }

  // ---- sending -------------------------------------------------------------------------------

  private bindComposer(): void {
    byId<HTMLFormElement>('composer').addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.sendChat();
    });
    this.input.addEventListener('focus', () => {
      if (!this.who)
        this.feedback.show('Sign in to chat: it takes a name, nothing else.', 'sign_in_required');
    });
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.input.blur();
    });
    byId('like').addEventListener('click', () => this.like());
  }

  private async sendChat(): Promise<void> {
    const room = this.room;
    const text = this.input.value;
    if (text.trim() === '') return;
    if (!this.who) {
      this.openSignIn();
      return;
    }
    if (!room) return;
    try {
      await room.sendChat(text);
      if (this.input.value === text) this.input.value = '';
      this.feedback.clear();
    } catch (err) {
      this.showError(err);
    }
  }

  private like(): void {
    const room = this.room;
    if (!room) return;
    if (!this.who) {
      this.feedback.show('Sign in to like.', 'sign_in_required');
      return;
    }
    this.hearts.pop(true);
    room.like().catch((err: unknown) => this.showError(err));
  }

  private async sendGift(g: GiftKind): Promise<void> {
    const room = this.room;
    if (!room) return;
    if (!this.who) {
      this.openSignIn();
      return;
    }
    try {
      await room.sendGift(g.id);
    } catch (err) {
      this.showError(err);
    }
  }

  private showError(err: unknown): void {
    if (!(err instanceof RoomError)) {
      this.feedback.show('Something went wrong. Try again.', 'unknown');
      console.error(err);
      return;
    }
    switch (err.kind) {
      case 'rate_limited':
      case 'room_busy':
        this.feedback.show(err.message, err.kind, { ms: 3000 });
        this.cooldown();
        return;
      case 'muted':
      case 'banned':
        this.feedback.show(err.message, err.kind, { sticky: true });
        return;
      case 'sign_in_required':
        this.feedback.show(err.message, err.kind);
        this.openSignIn();
        return;
      default:
        this.feedback.show(err.message, err.kind);
    }
  }

  private cooldown(): void {
    this.send.disabled = true;
    setTimeout(() => (this.send.disabled = false), COOLDOWN_MS);
  }

  // ---- keyboard ------------------------------------------------------------------------------

  private toggleDanmaku(): void {
    this.danmaku.enabled = !this.danmaku.enabled;
    byId('danmaku-toggle').setAttribute('aria-pressed', String(this.danmaku.enabled));
  }

  private bindShortcuts(): void {
    document.addEventListener('keydown', (ev) => {
      if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.defaultPrevented) return;
      const t = ev.target as HTMLElement | null;
      if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
      if (this.dialog.open) return;
      if (ev.key === '/') {
        ev.preventDefault();
        this.input.focus();
      } else if (ev.key === 'l' || ev.key === 'L') {
        this.like();
      } else if (ev.key === 'd' || ev.key === 'D') {
        this.toggleDanmaku();
      }
    });
  }
}
