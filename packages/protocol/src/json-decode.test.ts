import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeCommand, ProtocolError, splitFrame } from './json-decode.ts';

describe('decodeCommand', () => {
  it('decodes the commands centrifuge-js sends', () => {
    assert.deepEqual(decodeCommand('{"connect":{"name":"js","token":"t"},"id":1}'), {
      id: 1,
      type: 'connect',
      req: { name: 'js', token: 't' },
    });
    assert.deepEqual(
      decodeCommand(
        '{"id":2,"subscribe":{"channel":"gift:1","recover":true,"offset":5,"epoch":"e","flag":1}}',
      ),
      {
        id: 2,
        type: 'subscribe',
        req: { channel: 'gift:1', recover: true, offset: 5, epoch: 'e', flag: 1 },
      },
    );
    assert.deepEqual(decodeCommand('{"id":3,"publish":{"channel":"live:1","data":{"text":"a\\nb"}}}'), {
      id: 3,
      type: 'publish',
      req: { channel: 'live:1', data: '{"text":"a\\nb"}' },
    });
    assert.deepEqual(decodeCommand('{}'), { id: 0, type: 'pong' });
    assert.deepEqual(decodeCommand('{"send":{"data":1}}'), { id: 0, type: 'send', req: { data: '1' } });
  });

  it('re-serialised data never holds a raw newline (the frame delimiter)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const cmd = decodeCommand(JSON.stringify({ id: 1, publish: { channel: 'c', data: v } }));
        assert.ok(cmd.type === 'publish' && !cmd.req.data.includes('\n'));
      }),
    );
  });

  it('throws only ProtocolError on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ id: 1, subscribe: v })),
        ),
        (s) => {
          try {
            decodeCommand(s);
          } catch (err) {
            assert.ok(err instanceof ProtocolError, String(err));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects commands without id, unknown commands and the v1 ping', () => {
    assert.throws(() => decodeCommand('{"subscribe":{"channel":"x"}}'), ProtocolError);
    assert.throws(() => decodeCommand('{"id":1,"fly":{}}'), ProtocolError);
    assert.throws(() => decodeCommand('{"id":1,"ping":{}}'), ProtocolError);
    assert.throws(() => decodeCommand('{"id":-1,"presence":{"channel":"x"}}'), ProtocolError);
  });

  it('splits frames on newlines and skips blank lines', () => {
    assert.deepEqual(splitFrame('{"a":1}\n\n{"b":2}\n'), ['{"a":1}', '{"b":2}']);
    assert.deepEqual(splitFrame(''), []);
  });
});
