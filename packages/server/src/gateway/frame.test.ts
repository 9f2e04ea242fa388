import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inflateRawSync, constants } from 'node:zlib';
import { SharedFrame, textFrame } from './frame.ts';

function parse(frame: Buffer): { fin: boolean; rsv1: boolean; opcode: number; payload: Buffer } {
  let len = (frame[1] as number) & 0x7f;
  let off = 2;
  if (len === 126) {
    len = frame.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    len = Number(frame.readBigUInt64BE(2));
    off = 10;
  }
  assert.equal(frame.length, off + len);
  return {
    fin: ((frame[0] as number) & 0x80) !== 0,
    rsv1: ((frame[0] as number) & 0x40) !== 0,
    opcode: (frame[0] as number) & 0x0f,
    payload: frame.subarray(off),
  };
}

describe('frames', () => {
  it('encodes text frames of every length class', () => {
    for (const n of [0, 125, 126, 65535, 65536, 70000]) {
      const f = parse(textFrame('x'.repeat(n)));
      assert.equal(f.opcode, 1);
      assert.ok(f.fin);
      assert.equal(f.payload.length, n);
    }
    assert.equal(parse(textFrame('弹幕🎉')).payload.toString(), '弹幕🎉');
  });

  it('deflates once: the compressed frame inflates (RFC 7692 tail appended) to the payload', () => {
    const text = Array.from(
      { length: 50 },
      (_, i) => `{"push":{"channel":"live:1","pub":{"data":{"t":"666","n":${i}}}}}`,
    ).join('\n');
    const shared = new SharedFrame(text, 64);
    const d = shared.bytesFor(true);
    assert.equal(shared.bytesFor(true), d, 'the same buffer is reused');
    const f = parse(d);
    assert.ok(f.rsv1);
    assert.ok(f.payload.length < text.length / 3);
    const inflated = inflateRawSync(Buffer.concat([f.payload, Buffer.from([0, 0, 0xff, 0xff])]), {
      finishFlush: constants.Z_SYNC_FLUSH,
    });
    assert.equal(inflated.toString(), text);
    assert.equal(parse(shared.bytesFor(false)).rsv1, false);
  });

  it('sends small payloads uncompressed even to deflate clients', () => {
    const shared = new SharedFrame('{"push":{}}', 64);
    assert.equal(shared.bytesFor(true), shared.plain);
  });
});
