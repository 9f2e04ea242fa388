import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RedisConfigError } from './errors.ts';
import { KeyLayout, tagOf } from './keys.ts';

/** The part of a key Redis Cluster hashes (cluster spec: first "{" to the next "}", if non-empty). */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}

const tricky = [
  '',
  '%',
  '{',
  '}',
  '{}',
  '}{',
  'a{b}c',
  '%7B',
  '%257B',
  'live:房间 #1',
  'a b:c/d',
  '{{x}}',
  'x'.repeat(255),
];

describe('key layout', () => {
  it('gives every key and the shard channel of a channel the same hash tag: the escaped name', () => {
    const k = new KeyLayout('rc:');
    const check = (ch: string) => {
      const p = k.presence(ch);
      const keys = [
        k.busChannel(ch),
        k.historyMeta(ch),
        k.historyStream(ch),
        k.idempotency(ch, '}{k'),
        p.info,
        p.expiry,
        p.users,
      ];
      for (const key of keys) assert.equal(hashedPart(key), tagOf(ch), `${key} hashes its channel tag`);
      assert.equal(hashedPart(k.onlineCounts(ch)), tagOf(ch));
      assert.equal(hashedPart(k.onlineUnique(ch)), tagOf(ch));
    };
    for (const ch of tricky) check(ch);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (ch) => check(ch)),
      { seed: 7, numRuns: 300 },
    );
  });

  it('maps distinct channels to distinct tags (no two channels share keys)', () => {
    const seen = new Map<string, string>();
    for (const ch of tricky) {
      assert.equal(seen.get(tagOf(ch)), undefined, `${ch} collides`);
      seen.set(tagOf(ch), ch);
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (a, b) => {
        if (a !== b) assert.notEqual(tagOf(a), tagOf(b));
      }),
      { seed: 11, numRuns: 1000 },
    );
    assert.equal(tagOf('plain:name'), 'plain:name', 'names without %{} stay readable');
  });

  it('puts the registry on one slot and refuses braces in the prefix', () => {
    const k = new KeyLayout('rc:');
    assert.equal(hashedPart(k.registryEntries), hashedPart(k.registryExpiry));
    assert.throws(() => new KeyLayout('rc{x}:'), RedisConfigError);
    assert.throws(() => new KeyLayout('rc}'), RedisConfigError);
  });
});
