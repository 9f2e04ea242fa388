// Downstream policy of one batch (seed 004's priority buckets): a per-flush budget derived from
// "at most K messages per viewer per second", split into per-class quotas; a class that uses
// less than its quota passes the rest to the next class (carry-over), and whatever is still
// unused after all classes goes to the remaining droppable messages by priority. Protected
// classes (system, gift, high) are always delivered and consume budget first. Within a class,
// merged messages (many senders) win, then recency. Chosen messages go out in arrival order.

import { isProtected, type Candidate } from './conflate.ts';

export interface SelectInput {
  byLevel: Candidate[][];
  /** Messages this flush may carry (protected classes may exceed it). */
  budget: number;
  /** Per-level share of the budget. */
  shares: readonly number[];
  /** Droppable messages whose newest part is older than this (unix ms) are stale. */
  staleBefore: number;
}

export interface Drops {
  cap: number;
  stale: number;
}

export interface SelectResult {
  chosen: Candidate[];
  drops: Drops;
}

const preference = (a: Candidate, b: Candidate): number =>
  b.weight - a.weight || b.newest - a.newest || b.seq - a.seq;

export function select(input: SelectInput): SelectResult {
  const drops: Drops = { cap: 0, stale: 0 };
  const chosen: Candidate[] = [];
  const rest: Candidate[][] = [];
  let carry = 0;
  let protectedCount = 0;
  for (let level = 0; level < input.byLevel.length; level++) {
    if (isProtected(level)) protectedCount += input.byLevel[level]?.length ?? 0;
  }
  // What protected classes leave of the budget is all that droppable classes may use.
  let room = Math.max(0, input.budget - protectedCount);
  for (let level = 0; level < input.byLevel.length; level++) {
    const all = input.byLevel[level] ?? [];
    const quota = input.budget * (input.shares[level] ?? 0) + carry;
    if (isProtected(level)) {
      for (const c of all) chosen.push(c);
      carry = Math.max(0, quota - all.length);
      rest.push([]);
      continue;
    }
    const fresh: Candidate[] = [];
    for (const c of all) {
      if (c.newest > 0 && c.newest < input.staleBefore) drops.stale += c.weight;
      else fresh.push(c);
    }
    fresh.sort(preference);
    const n = Math.min(fresh.length, Math.max(0, Math.floor(quota + 1e-9)), room);
    room -= n;
    for (let i = 0; i < n; i++) chosen.push(fresh[i] as Candidate);
    rest.push(fresh.slice(n));
    carry = Math.max(0, quota - n);
  }
  let leftover = input.budget - chosen.length;
  for (const remaining of rest) {
    for (const c of remaining) {
      if (leftover > 0) {
        chosen.push(c);
        leftover--;
      } else {
        drops.cap += c.weight;
      }
    }
  }
  chosen.sort((a, b) => a.seq - b.seq);
  return { chosen, drops };
}
