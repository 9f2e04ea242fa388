// One connection slot of a generator: the spec it was planned with and its current socket.
// Churn and reconnect storms replace the socket of a slot; the spec stays.

import type { ConnSpec } from './ipc.ts';
import type { RawConn } from './raw-conn.ts';

export const IDLE = 0;
export const CONNECTING = 1;
export const LIVE = 2;
export const DONE = 3;

export class Slot {
  readonly index: number;
  readonly spec: ConnSpec;
  conn: RawConn | null = null;
  state = IDLE;
  startUs = 0;
  /** Replies still awaited before the slot counts as subscribed (or ready, for publishers). */
  pending = 0;
  nextId = 1;
  /** Last sequence per (sender, channel), on sampled receivers only. */
  order: Map<number, number> | null = null;
  /** Publisher: request id → channel index of publishes awaiting their reply. */
  readonly inflight = new Map<number, number>();
  /** Publisher: last sequence used per channel. */
  readonly seq = new Map<number, number>();
  done: ((ok: boolean, reason: string) => void) | null = null;
  timer: NodeJS.Timeout | undefined;

  constructor(index: number, spec: ConnSpec) {
    this.index = index;
    this.spec = spec;
  }
}
