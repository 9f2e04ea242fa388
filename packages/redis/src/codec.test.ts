import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { BusMessage, ControlMessage, PriorityLevel } from '@roomcast/server';
import { decodeBusMessage, decodeControl, encodeBusMessage, encodeControl, encodePubTail } from './codec.ts';
import { BusDecodeError } from './errors.ts';

describe('bus codec', () => {
  it('writes the compact form with the raw data after the header line', () => {
    const msg: BusMessage = {
      type: 'pub',
      pub: { offset: 12, data: '{"text":"主播好"}', time: 1_700_000_000_123 },
      epoch: 'a1b2c3d4',
      priority: 1,
      kind: 'chat',
    };
    const s = encodeBusMessage(msg);
    assert.equal(s, 'p[12,"a1b2c3d4",1700000000123,1,"chat"]\n{"text":"主播好"}');
    assert.deepEqual(decodeBusMessage(s), msg);
    assert.equal(encodeBusMessage({ type: 'pub', pub: { offset: 0, data: '1' } }), 'p[0,null]\n1');
  });

  it('builds the same bytes from offset, epoch and the tail the history script gets', () => {
    const pub = { data: '{"a":1}', info: { user: 'u', client: 'c' }, tags: { k: 'v' }, time: 5 };
    const tail = encodePubTail(pub, undefined, 'gift');
    assert.equal(
      `p[7,"e1"${tail}`,
      encodeBusMessage({ type: 'pub', pub: { ...pub, offset: 7 }, epoch: 'e1', kind: 'gift' }),
    );
  });

  it('round-trips any message (property)', () => {
    const info = fc.record(
      {
        user: fc.string({ unit: 'binary' }),
        client: fc.string({ unit: 'binary' }),
        connInfo: fc.json(),
        chanInfo: fc.json(),
      },
      { requiredKeys: ['user', 'client'], noNullPrototype: true },
    );
    const pubMsg = fc.record(
      {
        type: fc.constant('pub' as const),
        pub: fc.record(
          {
            offset: fc.nat(),
            // Data is JSON text with any whitespace, newlines included.
            data: fc.json().map((j) => j.replace(/,/g, ',\n ')),
            info,
            tags: fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), {
              noNullPrototype: true,
            }),
            time: fc.nat(),
          },
          { requiredKeys: ['offset', 'data'], noNullPrototype: true },
        ),
        epoch: fc.string({ unit: 'binary' }),
        priority: fc.constantFrom<PriorityLevel>(0, 1, 2, 3, 4),
        kind: fc.string({ unit: 'binary' }),
      },
      { requiredKeys: ['type', 'pub'], noNullPrototype: true },
    );
    const joinLeave = fc.record(
      { type: fc.constantFrom('join' as const, 'leave' as const), info },
      { noNullPrototype: true },
    );
    fc.assert(
      fc.property(fc.oneof(pubMsg, joinLeave), (msg) => {
        assert.deepEqual(decodeBusMessage(encodeBusMessage(msg)), msg);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('rejects foreign payloads with BusDecodeError', () => {
    for (const bad of [
      '',
      'x',
      'p',
      'p[1',
      'p{"a":1}\n1',
      'p["1"]\n1',
      'j{}',
      'p[1,2]\n1',
      'p[1,null,null,9]\n1',
    ]) {
      assert.throws(() => decodeBusMessage(bad), BusDecodeError, bad);
    }
    assert.throws(() => decodeControl('{"type":"nope"}'), BusDecodeError);
  });

  it('round-trips control messages', () => {
    const msg: ControlMessage = { type: 'room', action: { op: 'kick', room: 'r', user: 'u', ban: true } };
    assert.deepEqual(decodeControl(encodeControl(msg)), msg);
  });
});
