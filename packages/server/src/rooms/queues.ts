// Separate queues per delivery class for one room at one gateway. Messages wait here until the
// next flush; a full queue drops its oldest message (reason "overflow") so memory stays bounded
// whatever the inflow.

import type { PubMessage, PriorityLevel } from '../bus/bus.ts';

export const LEVELS = 5;

export interface Queued {
  msg: PubMessage;
  level: PriorityLevel;
  /** Arrival order at this gateway (emit order within a batch). */
  seq: number;
}

export class ClassQueues {
  readonly byLevel: Queued[][] = Array.from({ length: LEVELS }, () => []);
  private seq = 0;
  size = 0;

  /** Queues a message; returns the message dropped to make room, if any. */
  push(msg: PubMessage, level: PriorityLevel, limit: number): Queued | undefined {
    const q = this.byLevel[level] as Queued[];
    q.push({ msg, level, seq: this.seq++ });
    this.size++;
    if (q.length > limit) {
      this.size--;
      return q.shift();
    }
    return undefined;
  }

  /** Takes every queued message of the given levels, leaving the others. */
  take(levels: readonly PriorityLevel[]): Queued[][] {
    const out: Queued[][] = Array.from({ length: LEVELS }, () => []);
    for (const l of levels) {
      const q = this.byLevel[l] as Queued[];
      out[l] = q;
      this.size -= q.length;
      this.byLevel[l] = [];
    }
    return out;
  }
}
