// The Bus port: cross-node publish/subscribe by channel. Adapters move messages between nodes;
// they never see sockets, rooms or subscribers. The node registers itself as the handler.
//
// Delivery rule: every node, the publishing node included, receives a publication through the
// bus, and only on channels it subscribed to. There is no local short-cut, so one node and a
// fleet behave the same way.
//
// Ordering rule: per channel, an endpoint receives messages in the order the bus accepted them,
// and publishes issued by one node one after another are accepted in that order. For channels
// with history the node appends first (getting the offset) and publishes in offset order; a
// receiving node drops offsets it has already delivered and repairs gaps from history.
//
// Messages are immutable once published: an in-process bus may hand the same object to several
// nodes, so no node may modify a message it received.

import type { ClientInfo, Publication, RawJson } from '@roomcast/protocol';

/** Delivery class of a publication, highest first. Higher classes are never dropped by policy. */
export const PRIORITY = { system: 0, gift: 1, high: 2, normal: 3, low: 4 } as const;
export type PriorityName = keyof typeof PRIORITY;
export type PriorityLevel = (typeof PRIORITY)[PriorityName];

export interface PubMessage {
  type: 'pub';
  pub: Publication;
  /** Stream epoch when the channel has history. */
  epoch?: string;
  /** Delivery class (PRIORITY); absent = normal. */
  priority?: PriorityLevel;
  /** Application message kind for conflation (e.g. "like", "entry", "chat"). */
  kind?: string;
}

export type BusMessage =
  PubMessage | { type: 'join'; info: ClientInfo } | { type: 'leave'; info: ClientInfo };

/** Node-wide commands (server API acting on sessions that may live on any node). */
export type ControlMessage =
  | { type: 'disconnect'; user: string; client?: string; whitelist?: string[]; code: number; reason: string }
  | { type: 'unsubscribe'; user: string; channel: string; client?: string }
  | {
      type: 'subscribe';
      user: string;
      channel: string;
      client?: string;
      info?: RawJson;
      data?: RawJson;
      recoverSince?: { offset: number; epoch: string };
    }
  | { type: 'refresh'; user: string; client?: string; expired: boolean; expireAt?: number; info?: RawJson }
  | { type: 'room'; action: RoomAction };

/** Room control carried to every node; the room engine interprets it. */
export type RoomAction =
  | { op: 'close'; room: string }
  | { op: 'kick'; room: string; user: string; ban: boolean; durationSeconds?: number }
  | { op: 'mute'; room: string; user: string; durationSeconds?: number }
  | { op: 'unmute'; room: string; user: string }
  | { op: 'unban'; room: string; user: string }
  | { op: 'settings'; room: string; settings: Record<string, number> };

export interface BusHandler {
  /** A message on a channel this endpoint is subscribed to. */
  onMessage(channel: string, msg: BusMessage): void;
  /** A control message (every endpoint receives every control message, its own included). */
  onControl(msg: ControlMessage): void;
  /**
   * The endpoint may have missed messages (reconnect after a broker outage). The node checks
   * the positions of its streams and tells clients when it cannot repair a gap.
   */
  onReset?(): void;
}

export interface BusEndpoint {
  /** Resolves once messages for the channel are flowing to this endpoint. */
  subscribe(channel: string): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  /** Rejects (fast) when the broker cannot accept the message. */
  publish(channel: string, msg: BusMessage): Promise<void>;
  publishControl(msg: ControlMessage): Promise<void>;
  close(): Promise<void>;
}

export interface Bus {
  /** Attaches one node. A bus instance may serve several nodes (e.g. three nodes in a test). */
  attach(handler: BusHandler): Promise<BusEndpoint>;
}
