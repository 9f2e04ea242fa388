// "Simulate crowd": bounded groups of bots that make a room look busy. Each crowd has a size
// and an end time, all crowds of a server share one cap, and every timer is cleared when a crowd
// ends or the server closes. Bots chat and like through their own connections; gifts go through
// the backend path (`publishGift`), as paid gifts do.

import type { AddressInfo } from 'node:net';
import { WEBSOCKET_PATH } from '../gateway/gateway.ts';
import type { RoomcastServer } from '../server.ts';
import { DemoBot } from './bot.ts';
import { GIFTS, publishGift } from './gifts.ts';
import { BOT_NAMES, CHAT_LINES } from './phrases.ts';
import { signDemoToken, type DemoUser } from './tokens.ts';

/** Most bots one server runs at once (all rooms): enough to look busy, cheap for a laptop. */
export const MAX_BOTS_TOTAL = 200;
export const MAX_BOTS_PER_CROWD = 50;
export const MAX_CROWD_SECONDS = 600;

export interface CrowdRequest {
  room: string;
  bots: number;
  seconds: number;
}

export interface CrowdStatus {
  room: string;
  running: boolean;
  bots: number;
  connected: number;
  endsAt: number;
  /** Publishes the server refused, by error code (111 rate limited, 420 muted...). */
  rejected: Record<string, number>;
}

export class CrowdLimitError extends Error {
  override readonly name = 'CrowdLimitError';
}

interface BotState {
  bot: DemoBot;
  user: DemoUser;
  nextChatAt: number;
  nextLikeAt: number;
}

/** Uniform in [min, max). */
const between = (min: number, max: number): number => min + Math.random() * (max - min);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

/** Tick of a crowd's scheduler: bots act on their own random schedules, checked this often. */
const TICK_MS = 200;

class Crowd {
  readonly bots: BotState[] = [];
  private readonly tick: NodeJS.Timeout;
  private readonly end: NodeJS.Timeout;
  private nextGiftAt: number;
  private stopped = false;

  private readonly server: RoomcastServer;
  readonly room: string;
  readonly endsAt: number;
  private readonly onEnd: (c: Crowd) => void;

  constructor(server: RoomcastServer, room: string, endsAt: number, onEnd: (c: Crowd) => void) {
    this.server = server;
    this.room = room;
    this.endsAt = endsAt;
    this.onEnd = onEnd;
    this.nextGiftAt = Date.now() + between(2000, 5000);
    this.tick = setInterval(() => this.step(), TICK_MS);
    this.end = setTimeout(() => this.stop(), endsAt - Date.now());
  }

  add(user: DemoUser, url: string, token: string): void {
    const now = Date.now();
    const state: BotState = {
      user,
      bot: new DemoBot({
        url,
        token,
        channel: `live:${this.room}`,
        onClose: () => {
          const i = this.bots.indexOf(state);
          if (i >= 0) this.bots.splice(i, 1);
          if (this.bots.length === 0 && !this.stopped) this.stop();
        },
      }),
      nextChatAt: now + between(500, 6000),
      nextLikeAt: now + between(500, 3000),
    };
    this.bots.push(state);
  }

  private step(): void {
    const now = Date.now();
    for (const b of this.bots) {
      if (now >= b.nextChatAt) {
        // Every fifth line is "666" so that identical-spam merging has something to merge.
        const text = Math.random() < 0.2 ? '666' : pick(CHAT_LINES);
        b.bot.publish({ type: 'chat', text, id: crypto.randomUUID() });
        b.nextChatAt = now + between(4000, 12000);
      }
      if (now >= b.nextLikeAt) {
        b.bot.publish({ type: 'like', count: 1 + Math.floor(Math.random() * 3) });
        b.nextLikeAt = now + between(1000, 4000);
      }
    }
    if (now >= this.nextGiftAt && this.bots.length > 0) {
      this.nextGiftAt = now + between(4000, 10000);
      const from = pick(this.bots).user;
      // Mostly cheap gifts; now and then a rocket or a castle.
      const gift = Math.random() < 0.15 ? pick(GIFTS.slice(3)) : pick(GIFTS.slice(0, 3));
      publishGift(this.server.node, from, { room: this.room, gift: gift.id, count: 1 }).catch(
        (err: unknown) => this.server.node.log.warn({ err, room: this.room }, 'demo crowd gift failed'),
      );
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.tick);
    clearTimeout(this.end);
    for (const b of [...this.bots]) b.bot.close();
    this.onEnd(this);
  }

  status(): CrowdStatus {
    const rejected: Record<string, number> = {};
    for (const b of this.bots)
      for (const [code, n] of b.bot.rejected) rejected[code] = (rejected[code] ?? 0) + n;
    return {
      room: this.room,
      running: !this.stopped,
      bots: this.bots.length,
      connected: this.bots.filter((b) => b.bot.connected).length,
      endsAt: this.endsAt,
      rejected,
    };
  }
}

/** The crowds of one server (one per room at most). */
export class Crowds {
  private readonly crowds = new Map<string, Crowd>();

  private readonly server: RoomcastServer;
  private readonly secret: string;

  constructor(server: RoomcastServer, secret: string) {
    this.server = server;
    this.secret = secret;
  }

  private get botsRunning(): number {
    let n = 0;
    for (const c of this.crowds.values()) n += c.bots.length;
    return n;
  }

  /** Starts a crowd in `room`, replacing the one already there. */
  async start(req: CrowdRequest): Promise<CrowdStatus> {
    this.stop(req.room);
    const free = MAX_BOTS_TOTAL - this.botsRunning;
    if (req.bots > free) throw new CrowdLimitError(`only ${free} more bots may run on this server`);
    const url = this.selfUrl();
    const crowd = new Crowd(this.server, req.room, Date.now() + req.seconds * 1000, (c) => {
      if (this.crowds.get(c.room) === c) this.crowds.delete(c.room);
    });
    this.crowds.set(req.room, crowd);
    const tag = Math.random().toString(36).slice(2, 6);
    const users = Array.from({ length: req.bots }, (_, i) => ({
      id: `bot-${tag}-${i + 1}`,
      name: `${pick(BOT_NAMES)} 🤖`,
    }));
    const tokens = await Promise.all(users.map((u) => signDemoToken(this.secret, u, `${req.seconds + 60}s`)));
    users.forEach((u, i) => crowd.add(u, url, tokens[i] as string));
    return crowd.status();
  }

  stop(room: string): boolean {
    const c = this.crowds.get(room);
    if (!c) return false;
    c.stop();
    return true;
  }

  status(room: string): CrowdStatus | undefined {
    return this.crowds.get(room)?.status();
  }

  stopAll(): void {
    for (const c of [...this.crowds.values()]) c.stop();
  }

  /** Loopback URL of this server's own WebSocket endpoint. */
  private selfUrl(): string {
    const addr = this.server.http.server.address() as AddressInfo | null;
    if (!addr) throw new Error('server is not listening');
    const host =
      addr.address === '0.0.0.0' || addr.address === '::'
        ? '127.0.0.1'
        : addr.family === 'IPv6'
          ? `[${addr.address}]`
          : addr.address;
    return `ws://${host}:${addr.port}${WEBSOCKET_PATH}`;
  }
}
