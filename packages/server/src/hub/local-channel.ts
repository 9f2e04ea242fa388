// A channel with subscribers on this node: its subscriber list, its bus subscription and, for
// positioned streams, the last offset delivered (to drop duplicates and detect gaps).

import type { PubMessage } from '../bus/bus.ts';
import type { ChannelPolicy } from '../channels/namespaces.ts';
import type { Subscription } from './subscription.ts';

export class LocalChannel {
  readonly name: string;
  readonly policy: ChannelPolicy;
  readonly subs: Subscription[] = [];
  /** Subscribers that receive join/leave pushes. */
  joinLeaveCount = 0;
  lingerTimer: NodeJS.Timeout | undefined;
  /** Last delivered offset of a positioned stream; -1 until known. */
  top = -1;
  epoch = '';
  /** Publications and join/leave lines waiting for the next flush. */
  pendingPubs: PubMessage[] = [];
  pendingJoinLeave: string[] = [];
  dirty = false;

  constructor(name: string, policy: ChannelPolicy) {
    this.name = name;
    this.policy = policy;
  }

  get size(): number {
    return this.subs.length;
  }

  attach(sub: Subscription): void {
    sub.index = this.subs.length;
    sub.local = this;
    this.subs.push(sub);
    if (sub.joinLeave) this.joinLeaveCount++;
  }

  detach(sub: Subscription): void {
    const i = sub.index;
    if (i < 0 || this.subs[i] !== sub) return;
    const last = this.subs.pop() as Subscription;
    if (last !== sub) {
      this.subs[i] = last;
      last.index = i;
    }
    sub.index = -1;
    sub.local = null;
    if (sub.joinLeave) this.joinLeaveCount--;
  }
}
