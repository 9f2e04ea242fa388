// One connection's subscription to one channel, as the hub sees it.

import type { BusMessage } from '../bus/bus.ts';
import type { SharedFrame } from '../gateway/frame.ts';
import type { LocalChannel } from './local-channel.ts';

/** What the hub needs from a connection. Implementations must never throw. */
export interface SubscriberConn {
  readonly id: string;
  readonly user: string;
  /**
   * Writes a frame shared by many connections; `lossy` frames may be skipped for slow readers.
   * Returns whether the frame was written.
   */
  deliverShared(frame: SharedFrame, lossy: boolean): boolean;
  /** Writes connection-specific text (buffered publications after a subscribe reply). */
  deliverText(text: string): void;
  /** The node cannot keep the client's stream position continuous (gap or epoch change). */
  streamBroken(sub: Subscription): void;
}

export class Subscription {
  readonly conn: SubscriberConn;
  readonly channel: string;
  /** Slot in LocalChannel.subs (swap-remove keeps removal O(1)); -1 when not attached. */
  index = -1;
  local: LocalChannel | null = null;
  /**
   * False while the subscribe reply is being prepared: live messages are buffered and merged by
   * offset afterwards, so nothing is lost or duplicated between the history read and live flow.
   */
  live = false;
  buffer: BusMessage[] | null = null;
  /** A gap was seen while not yet live: tell the client right after the reply. */
  broken = false;
  /**
   * Offset the subscribe reply already brought the client to, when that is past what the bus
   * has delivered to this node so far: live publications up to it are not sent again (0 = none).
   */
  skipUpTo = 0;
  joinLeave = false;
  positioned = false;
  recoverable = false;
  serverSide = false;
  /** Unix seconds when a subscription token expires (0 = never). */
  expireAt = 0;
  chanInfo: string | undefined;
  presence = false;
  /** Presence entry and join event were made (so leave/removal must follow). */
  announced = false;

  constructor(conn: SubscriberConn, channel: string) {
    this.conn = conn;
    this.channel = channel;
  }
}
