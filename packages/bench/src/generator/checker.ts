// Checks of a decoded publication on a sampled receiver: content (rebuilt from the id and
// compared byte for byte), order per (channel, sender), and latency from the publish stamp.

import { buildData } from '../plan/corpus.ts';
import { kindIndex } from '../plan/kinds.ts';
import { messageKey, parseId } from '../plan/message-id.ts';
import { strHash, textKeyHash } from '../plan/text-key.ts';
import type { CheckCounters } from './counters.ts';
import type { SampleStore } from './samples.ts';

const GIFT = kindIndex('gift');

/** A lazily computed key of one received frame (its text's hash), shared by the lines in it. */
export function frameKeyOf(text: string): () => number {
  let k = -1;
  return () => (k >= 0 ? k : (k = strHash(text)));
}

export class Checker {
  private readonly checks: CheckCounters;
  private readonly samples: SampleStore;

  constructor(checks: CheckCounters, samples: SampleStore) {
    this.checks = checks;
    this.samples = samples;
  }

  /**
   * `order` is the receiver's last sequence per (sender stream, channel). Sequences start
   * wherever the receiver joined, so the first message of a pair sets the base.
   */
  check(
    order: Map<number, number>,
    channel: number,
    data: unknown,
    recvUs: number,
    probe: boolean,
    frame: () => number,
  ): void {
    const c = this.checks;
    if (typeof data !== 'object' || data === null) {
      c.engine++;
      return;
    }
    const d = data as { id?: unknown; count?: unknown; text?: unknown };
    if (typeof d.count === 'number' && d.count > 1 && (data as { type?: unknown }).type === 'chat') {
      c.conflated++;
      if (typeof d.text === 'string') this.samples.addMerged(frame(), textKeyHash(d.text), d.count, recvUs);
      return;
    }
    const id = typeof d.id === 'string' ? parseId(d.id) : undefined;
    if (id === undefined || typeof d.id !== 'string') {
      c.engine++;
      return;
    }
    c.checked++;
    const gift = id.kind === GIFT;
    if (gift) c.giftChecked++;
    if (buildData(id.kind, id.stream, channel, id.seq, d.id) !== JSON.stringify(data)) c.contentMismatch++;
    const pair = id.stream * 65536 + channel;
    const last = order.get(pair);
    if (last !== undefined) {
      if (id.seq === last) {
        c.duplicates++;
        return;
      }
      if (id.seq < last) {
        c.reorders++;
        return;
      }
      if (id.seq > last + 1) {
        c.gaps += id.seq - last - 1;
        if (gift) c.giftGaps += id.seq - last - 1;
      }
    }
    order.set(pair, id.seq);
    this.samples.add(messageKey(id.stream, channel, id.seq), id.tUs, recvUs, id.kind, probe);
  }
}
