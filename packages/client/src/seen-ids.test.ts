import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newMessageId, SeenIds } from './seen-ids.ts';

describe('SeenIds', () => {
  it('reports duplicates and forgets the oldest beyond its capacity', () => {
    const s = new SeenIds(3);
    assert.equal(s.add('a'), true);
    assert.equal(s.add('a'), false);
    s.add('b');
    s.add('c');
    s.add('d'); // evicts a
    assert.equal(s.size, 3);
    assert.equal(s.has('a'), false);
    assert.equal(s.add('b'), false);
    assert.equal(s.add('a'), true);
    assert.throws(() => new SeenIds(0), RangeError);
  });
});

describe('newMessageId', () => {
  it('makes distinct UUIDs', () => {
    const ids = new Set(Array.from({ length: 1000 }, newMessageId));
    assert.equal(ids.size, 1000);
    for (const id of [...ids].slice(0, 10))
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
