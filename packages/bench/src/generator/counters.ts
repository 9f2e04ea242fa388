// Counters of one generator process. Hot counters live in one Float64Array indexed by
// group × field, so a receiver's per-frame work is a few array increments.

/** Receiver groups: how a connection is read and what its numbers mean. */
export const GROUP = {
  /** Most viewers: frames, bytes and pushes counted from frame headers and '\n' bytes. */
  count: 0,
  /** Sampled viewers: every message decoded and checked (order, content, latency). */
  decode: 1,
  /** Sampled viewers that negotiated permessage-deflate: inflated, decoded, checked. */
  deflate: 2,
  /** The first subscriber of each channel: decoded; its arrival time approximates the flush. */
  probe: 3,
  /** Publishing clients (not subscribed): their replies are not deliveries. */
  publisher: 4,
  /** Viewers that stop reading (slow workload). */
  slow: 5,
} as const;
export const GROUP_NAMES = ['count', 'decode', 'deflate', 'probe', 'publisher', 'slow'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];
export const GROUPS = GROUP_NAMES.length;

/** Fields per group. */
export const F = {
  /** WebSocket data frames received. */
  frames: 0,
  /** Bytes received after the upgrade (frame headers included; compressed size when deflated). */
  bytes: 1,
  /** Publications received (pushes): '\n'-count + 1 per text message, or decoded pushes. */
  msgs: 2,
  /** Connections subscribed now. */
  live: 3,
  /**
   * The part of msgs, frames and bytes on gift-namespace channels (names starting with "g"):
   * a frame's channel is read at a fixed offset of the push (`{"push":{"channel":"g…`), so
   * counting receivers split reliable gift traffic from live-channel traffic for free.
   */
  giftMsgs: 4,
  giftFrames: 5,
  giftBytes: 6,
} as const;
export const FIELDS = 7;

/** Checks made by decoding receivers. */
export interface CheckCounters {
  /** Bench messages decoded and compared. */
  checked: number;
  /** Messages whose data differed from what the corpus says was published. */
  contentMismatch: number;
  duplicates: number;
  reorders: number;
  /** Sequence numbers skipped per (channel, sender): messages this receiver never got. */
  gaps: number;
  /** Merged messages from the room engine (`count` > 1): not comparable one to one. */
  conflated: number;
  /** Publications without a bench id (online counts, entry summaries, likes sums). */
  engine: number;
  /** Lines that were not valid protocol JSON. */
  malformed: number;
  /** Gifts (kind "gift") decoded and compared, and gift sequence numbers skipped. */
  giftChecked: number;
  giftGaps: number;
}

export function emptyChecks(): CheckCounters {
  return {
    checked: 0,
    contentMismatch: 0,
    duplicates: 0,
    reorders: 0,
    gaps: 0,
    conflated: 0,
    engine: 0,
    malformed: 0,
    giftChecked: 0,
    giftGaps: 0,
  };
}

export class Counters {
  readonly hot = new Float64Array(GROUPS * FIELDS);
  readonly checks = emptyChecks();
  readonly connectFailures = new Map<string, number>();
  readonly closes = new Map<string, number>();
  readonly publishErrors = new Map<string, number>();
  /** Client publishes sent inside the measured window, and those accepted. */
  publishSent = 0;
  publishAccepted = 0;
  /** Publish replies that were OK, per channel index (for expected deliveries). */
  readonly acceptedByChannel: Float64Array;
  opened = 0;
  subscribedTotal = 0;
  /** Connections whose server accepted permessage-deflate. */
  deflateNegotiated = 0;

  constructor(channels: number) {
    this.acceptedByChannel = new Float64Array(channels);
  }

  add(group: number, field: number, v: number): void {
    this.hot[group * FIELDS + field] = (this.hot[group * FIELDS + field] ?? 0) + v;
  }

  bump(map: Map<string, number>, key: string, n = 1): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  snapshot(): CounterSnapshot {
    return {
      hot: Array.from(this.hot),
      checks: { ...this.checks },
      connectFailures: Object.fromEntries(this.connectFailures),
      closes: Object.fromEntries(this.closes),
      publishErrors: Object.fromEntries(this.publishErrors),
      publishSent: this.publishSent,
      publishAccepted: this.publishAccepted,
      acceptedByChannel: Array.from(this.acceptedByChannel),
      opened: this.opened,
      subscribedTotal: this.subscribedTotal,
      deflateNegotiated: this.deflateNegotiated,
    };
  }
}

export interface CounterSnapshot {
  hot: number[];
  checks: CheckCounters;
  connectFailures: Record<string, number>;
  closes: Record<string, number>;
  publishErrors: Record<string, number>;
  publishSent: number;
  publishAccepted: number;
  acceptedByChannel: number[];
  opened: number;
  subscribedTotal: number;
  deflateNegotiated: number;
}

export function hotValue(s: CounterSnapshot, group: number, field: number): number {
  return s.hot[group * FIELDS + field] ?? 0;
}
