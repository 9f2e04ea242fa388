// Conflation of one batch (SPEC F2, "beyond the seeds"): likes become one count, entry notices
// one "N joined" line with a few names, identical chat texts one message with a count. The
// shapes are documented in docs/live-rooms.md. Payloads are parsed only here, once per message
// per gateway, and only for kinds that can merge.

import { PRIORITY, type PubMessage } from '../bus/bus.ts';
import type { Queued } from './queues.ts';

/** A batch entry: an original message or a merged one standing for `weight` originals. */
export interface Candidate extends Queued {
  weight: number;
  /** Unix ms of the newest original (recency). */
  newest: number;
}

export interface ConflationResult {
  candidates: Candidate[];
  /** Originals folded into merged messages (not counting the merged messages themselves). */
  merged: number;
}

const NAMED_ENTRIES = 3;

function parse(data: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

const single = (q: Queued): Candidate => ({ ...q, weight: 1, newest: q.msg.pub.time ?? 0 });

function synth(
  base: Queued,
  data: string,
  weight: number,
  newest: number,
  kind: string,
  info = false,
): Candidate {
  const pub = info && base.msg.pub.info ? { offset: 0, data, info: base.msg.pub.info } : { offset: 0, data };
  const msg: PubMessage = { type: 'pub', pub: { ...pub, time: newest }, priority: base.level, kind };
  return { msg, level: base.level, seq: base.seq, weight, newest };
}

/** Text key for duplicate detection: trimmed, case-folded, inner whitespace collapsed. */
export function textKey(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Conflates queued messages of one class. Merged messages take the arrival position of their
 * last original (they are as recent as their newest part).
 */
export function conflate(items: Queued[]): ConflationResult {
  if (items.length < 2) return { candidates: items.map(single), merged: 0 };
  const out: Candidate[] = [];
  let merged = 0;
  let likes: { total: number; n: number; last: Queued; newest: number } | undefined;
  const entries: { users: unknown[]; n: number; last?: Queued; first?: Queued; newest: number } = {
    users: [],
    n: 0,
    newest: 0,
  };
  const texts = new Map<
    string,
    { first: Queued; data: Record<string, unknown>; n: number; last: Queued; newest: number }
  >();
  for (const q of items) {
    const kind = q.msg.kind;
    const t = q.msg.pub.time ?? 0;
    if (kind === 'like') {
      const d = parse(q.msg.pub.data);
      const c =
        typeof d?.['count'] === 'number' && d['count'] > 0 ? Math.min(Math.floor(d['count']), 1000) : 1;
      likes = likes
        ? { total: likes.total + c, n: likes.n + 1, last: q, newest: Math.max(likes.newest, t) }
        : { total: c, n: 1, last: q, newest: t };
    } else if (kind === 'entry') {
      const d = parse(q.msg.pub.data);
      entries.n++;
      entries.first ??= q;
      entries.last = q;
      entries.newest = Math.max(entries.newest, t);
      if (d?.['user'] !== undefined && entries.users.length < NAMED_ENTRIES) entries.users.push(d['user']);
    } else if (kind === 'chat' || kind === undefined) {
      const d = parse(q.msg.pub.data);
      const text = d?.['text'];
      if (typeof text !== 'string' || text.trim() === '') {
        out.push(single(q));
        continue;
      }
      const key = textKey(text);
      const g = texts.get(key);
      if (g) {
        g.n++;
        g.last = q;
        g.newest = Math.max(g.newest, t);
      } else {
        texts.set(key, { first: q, data: d as Record<string, unknown>, n: 1, last: q, newest: t });
      }
    } else {
      out.push(single(q));
    }
  }
  for (const g of texts.values()) {
    if (g.n === 1) {
      out.push(single(g.first));
      continue;
    }
    merged += g.n - 1;
    // A merged line stands for many senders: it keeps the text, not the first sender's id.
    const { id: _firstId, ...rest } = g.data;
    const data = JSON.stringify({ ...rest, count: g.n });
    out.push({ ...synth(g.first, data, g.n, g.newest, 'chat', true), seq: g.last.seq });
  }
  if (likes) {
    if (likes.n === 1) out.push(single(likes.last));
    else {
      merged += likes.n - 1;
      out.push(
        synth(
          likes.last,
          JSON.stringify({ type: 'likes', count: likes.total }),
          likes.n,
          likes.newest,
          'likes',
        ),
      );
    }
  }
  if (entries.n === 1 && entries.first) out.push(single(entries.first));
  else if (entries.n > 1 && entries.last) {
    merged += entries.n - 1;
    out.push(
      synth(
        entries.last,
        JSON.stringify({ type: 'entries', count: entries.n, users: entries.users }),
        entries.n,
        entries.newest,
        'entries',
      ),
    );
  }
  out.sort((a, b) => a.seq - b.seq);
  return { candidates: out, merged };
}

/** Classes whose messages are never dropped or merged by policy. */
export const isProtected = (level: number): boolean => level <= PRIORITY.high;
