// Policy units with a fake clock: priority order, caps, quotas with carry-over, conflation
// shapes, stale drop, token buckets.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PRIORITY, type PubMessage, type PriorityLevel } from '../bus/bus.ts';
import { conflate, type Candidate } from './conflate.ts';
import { ClassQueues, type Queued } from './queues.ts';
import { select } from './selector.ts';
import { TokenBucket } from './token-bucket.ts';

let seq = 0;
const q = (
  data: unknown,
  kind: string | undefined,
  level: PriorityLevel,
  time = 1000,
  user = 'u',
): Queued => {
  const msg: PubMessage = {
    type: 'pub',
    pub: { offset: 0, data: JSON.stringify(data), time, info: { user, client: `c-${user}` } },
  };
  if (kind !== undefined) msg.kind = kind;
  msg.priority = level;
  return { msg, level, seq: seq++ };
};
const cand = (x: Queued): Candidate => ({ ...x, weight: 1, newest: x.msg.pub.time ?? 0 });
const shares = [0.1, 0.15, 0.15, 0.45, 0.15];
const byLevel = (items: Candidate[]): Candidate[][] => {
  const out: Candidate[][] = [[], [], [], [], []];
  for (const c of items) out[c.level]?.push(c);
  return out;
};
const texts = (cs: Candidate[]): unknown[] =>
  cs.map(
    (c) =>
      (JSON.parse(c.msg.pub.data) as { text?: string; type?: string }).text ??
      (JSON.parse(c.msg.pub.data) as { type: string }).type,
  );

describe('room policy', () => {
  it('conflates likes into one count, entries into names + count, identical texts into ×N', () => {
    const items = [
      q({ type: 'chat', text: '666' }, 'chat', PRIORITY.normal, 1000, 'a'),
      q({ type: 'like', count: 3 }, 'like', PRIORITY.low),
      q({ type: 'chat', text: 'hello' }, 'chat', PRIORITY.normal),
      q({ type: 'chat', text: ' 666 ' }, 'chat', PRIORITY.normal, 1000, 'b'),
      q({ type: 'like', count: 1 }, 'like', PRIORITY.low),
      q({ type: 'entry', user: { id: '1', name: 'Ann' } }, 'entry', PRIORITY.low),
      q({ type: 'entry', user: { id: '2', name: 'Bo' } }, 'entry', PRIORITY.low),
      q({ type: 'chat', text: '666' }, 'chat', PRIORITY.normal, 1200, 'c'),
    ];
    const chat = conflate(items.filter((x) => x.level === PRIORITY.normal));
    assert.equal(chat.merged, 2);
    const merged = chat.candidates.find((c) => c.weight === 3);
    assert.deepEqual(JSON.parse(merged?.msg.pub.data ?? ''), { type: 'chat', text: '666', count: 3 });
    assert.equal(merged?.msg.pub.info?.user, 'a', 'info of the first sender');
    assert.equal(merged?.newest, 1200);
    const low = conflate(items.filter((x) => x.level === PRIORITY.low));
    assert.deepEqual(
      low.candidates.map((c) => JSON.parse(c.msg.pub.data) as unknown),
      [
        { type: 'likes', count: 4 },
        {
          type: 'entries',
          count: 2,
          users: [
            { id: '1', name: 'Ann' },
            { id: '2', name: 'Bo' },
          ],
        },
      ],
    );
    assert.equal(low.merged, 2);
  });

  it('keeps a single entry or like as it is', () => {
    const one = conflate([
      q({ type: 'entry', user: { id: '1', name: 'Ann' } }, 'entry', PRIORITY.low),
      q({ type: 'chat', text: 'x' }, 'chat', PRIORITY.low),
    ]);
    assert.deepEqual(
      one.candidates.map((c) => JSON.parse(c.msg.pub.data) as unknown),
      [
        { type: 'entry', user: { id: '1', name: 'Ann' } },
        { type: 'chat', text: 'x' },
      ],
    );
    assert.equal(one.merged, 0);
  });

  it('caps droppable messages at the budget, newest first, emitted in arrival order', () => {
    const chat = Array.from({ length: 50 }, (_, i) =>
      cand(q({ text: `m${i}` }, 'chat', PRIORITY.normal, 1000 + i)),
    );
    const r = select({ byLevel: byLevel(chat), budget: 20, shares, staleBefore: 0 });
    assert.equal(r.chosen.length, 20, 'leftover quota of empty classes flows to chat');
    assert.deepEqual(
      texts(r.chosen),
      Array.from({ length: 20 }, (_, i) => `m${30 + i}`),
    );
    assert.deepEqual(r.drops, { cap: 30, stale: 0 });
  });

  it('never drops protected classes and lets them consume the budget first', () => {
    const gifts = Array.from({ length: 30 }, (_, i) => cand(q({ text: `g${i}` }, 'gift', PRIORITY.gift)));
    const chat = Array.from({ length: 10 }, (_, i) => cand(q({ text: `c${i}` }, 'chat', PRIORITY.normal)));
    const r = select({ byLevel: byLevel([...gifts, ...chat]), budget: 20, shares, staleBefore: 0 });
    assert.equal(r.chosen.filter((c) => c.level === PRIORITY.gift).length, 30);
    assert.equal(r.chosen.filter((c) => c.level === PRIORITY.normal).length, 0);
    assert.equal(r.drops.cap, 10);
  });

  it('applies per-class quotas with carry-over to the next class', () => {
    const high = [cand(q({ text: 'h' }, 'chat', PRIORITY.high))];
    const chat = Array.from({ length: 40 }, (_, i) =>
      cand(q({ text: `c${i}` }, 'chat', PRIORITY.normal, 2000 + i)),
    );
    const low = Array.from({ length: 40 }, (_, i) =>
      cand(q({ type: 'like' }, 'like', PRIORITY.low, 2000 + i)),
    );
    const r = select({ byLevel: byLevel([...high, ...chat, ...low]), budget: 20, shares, staleBefore: 0 });
    const count = (l: number) => r.chosen.filter((c) => c.level === l).length;
    // system 2 + gift 3 unused, high 3 − 1 used: carry 7 → normal quota 9 + 7 = 16; low 3.
    assert.equal(count(PRIORITY.high), 1);
    assert.equal(count(PRIORITY.normal), 16);
    assert.equal(count(PRIORITY.low), 3);
    assert.equal(r.chosen.length, 20);
    assert.equal(r.drops.cap, 40 + 40 - 19);
  });

  it('prefers merged messages (many senders) over single ones', () => {
    const merged: Candidate = {
      ...cand(q({ text: '666', count: 35 }, 'chat', PRIORITY.normal, 1000)),
      weight: 35,
    };
    const singles = Array.from({ length: 5 }, (_, i) =>
      cand(q({ text: `s${i}` }, 'chat', PRIORITY.normal, 5000 + i)),
    );
    const r = select({
      byLevel: byLevel([merged, ...singles]),
      budget: 2,
      shares: [0, 0, 0, 1, 0],
      staleBefore: 0,
    });
    assert.deepEqual(texts(r.chosen), ['666', 's4']);
    assert.equal(r.drops.cap, 4);
  });

  it('drops stale droppable messages but never stale protected ones', () => {
    const old = cand(q({ text: 'old' }, 'chat', PRIORITY.normal, 1000));
    const fresh = cand(q({ text: 'new' }, 'chat', PRIORITY.normal, 9000));
    const oldGift = cand(q({ text: 'gift' }, 'gift', PRIORITY.gift, 1000));
    const r = select({ byLevel: byLevel([old, fresh, oldGift]), budget: 20, shares, staleBefore: 5000 });
    assert.deepEqual(texts(r.chosen).sort(), ['gift', 'new']);
    assert.deepEqual(r.drops, { cap: 0, stale: 1 });
  });

  it('bounds each class queue and reports the dropped oldest message', () => {
    const qs = new ClassQueues();
    for (let i = 0; i < 3; i++)
      assert.equal(qs.push(q({ text: `${i}` }, 'chat', 3).msg, PRIORITY.normal, 3), undefined);
    const dropped = qs.push(q({ text: '3' }, 'chat', 3).msg, PRIORITY.normal, 3);
    assert.equal((JSON.parse(dropped?.msg.pub.data ?? '{}') as { text?: string }).text, '0');
    assert.equal(qs.size, 3);
    const taken = qs.take([PRIORITY.normal]);
    assert.equal(taken[PRIORITY.normal]?.length, 3);
    assert.equal(qs.size, 0);
  });

  it('token buckets refill on the clock and 0 means unlimited', () => {
    const b = new TokenBucket(1, 3, 0);
    assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
    assert.equal(b.take(500), false);
    assert.equal(b.take(1000), true);
    assert.equal(new TokenBucket(0, 1, 0).take(0, 100), true);
  });
});
