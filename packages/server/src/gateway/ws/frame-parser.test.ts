// The inbound frame parser on hand-made frames: fragmentation across chunks, interleaved
// control frames, compressed messages, every protocol violation, and a fuzz run showing that
// arbitrary bytes only ever end in a close code.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deflateRawSync, constants } from 'node:zlib';
import fc from 'fast-check';
import { FrameParser, type FrameSink } from './frame-parser.ts';

function frame(
  opcode: number,
  payload: Buffer,
  opts: { fin?: boolean; rsv?: number; masked?: boolean } = {},
): Buffer {
  const fin = opts.fin ?? true;
  const masked = opts.masked ?? true;
  const len = payload.length;
  const head = [(fin ? 0x80 : 0) | ((opts.rsv ?? 0) << 4) | opcode];
  const m = masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else
    head.push(m | 127, 0, 0, 0, 0, (len >>> 24) & 0xff, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff);
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = randomBytes(4);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([Buffer.from(head), mask, body]);
}

interface Rec extends FrameSink {
  events: Array<[string, unknown]>;
}

function recorder(): Rec {
  const events: Array<[string, unknown]> = [];
  return {
    events,
    onText: (t) => events.push(['text', t]),
    onBinary: (b) => events.push(['binary', b.length]),
    onPing: (b) => events.push(['ping', b.toString()]),
    onPong: () => events.push(['pong', null]),
    onClose: (code, reason) => events.push(['close', `${code} ${reason}`]),
    onError: (code) => events.push(['error', code]),
  };
}

const parse = (
  bytes: Buffer,
  opts: Partial<{ maxPayload: number; maxFragments: number; deflate: boolean }> = {},
  chunk = 0,
): Rec => {
  const r = recorder();
  const p = new FrameParser(r, { maxPayload: 1024, maxFragments: 4, deflate: false, ...opts });
  if (chunk <= 0) p.push(bytes);
  else for (let i = 0; i < bytes.length; i += chunk) p.push(bytes.subarray(i, i + chunk));
  return r;
};

const compress = (s: string): Buffer => {
  const d = deflateRawSync(Buffer.from(s), { finishFlush: constants.Z_SYNC_FLUSH });
  return d.subarray(0, d.length - 4);
};

describe('frame parser', () => {
  it('parses text split into 1-byte chunks, with fragments and a ping in between', () => {
    const bytes = Buffer.concat([
      frame(0x1, Buffer.from('{"id":1,'), { fin: false }),
      frame(0x9, Buffer.from('hb')),
      frame(0x0, Buffer.from('"connect":{}}')),
      frame(0x1, Buffer.from('弹幕🎉')),
      frame(0xa, Buffer.alloc(0)),
      frame(0x8, Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.from('bye')])),
    ]);
    for (const chunk of [0, 1, 3, 7]) {
      assert.deepEqual(parse(bytes, {}, chunk).events, [
        ['ping', 'hb'],
        ['text', '{"id":1,"connect":{}}'],
        ['text', '弹幕🎉'],
        ['pong', null],
        ['close', '1000 bye'],
      ]);
    }
  });

  it('handles 16-bit lengths and binary messages', () => {
    const big = 'x'.repeat(700);
    assert.deepEqual(
      parse(Buffer.concat([frame(0x1, Buffer.from(big)), frame(0x2, Buffer.alloc(300))])).events,
      [
        ['text', big],
        ['binary', 300],
      ],
    );
  });

  it('inflates permessage-deflate messages, fragmented or not', () => {
    const text = '{"id":5,"publish":{"channel":"live:1","data":{"text":"666 666 666 666"}}}';
    const c = compress(text);
    const one = parse(frame(0x1, c, { rsv: 4 }), { deflate: true });
    assert.deepEqual(one.events, [['text', text]]);
    const half = Math.floor(c.length / 2);
    const frag = parse(
      Buffer.concat([frame(0x1, c.subarray(0, half), { rsv: 4, fin: false }), frame(0x0, c.subarray(half))]),
      { deflate: true },
    );
    assert.deepEqual(frag.events, [['text', text]]);
  });

  it('closes with the RFC code for each violation', () => {
    const cases: Array<[string, Buffer, number, Partial<{ deflate: boolean }>?]> = [
      ['unmasked frame', frame(0x1, Buffer.from('{}'), { masked: false }), 1002],
      ['RSV2/RSV3', frame(0x1, Buffer.from('{}'), { rsv: 2 }), 1002],
      ['RSV1 without deflate', frame(0x1, Buffer.from('{}'), { rsv: 4 }), 1002],
      ['unknown data opcode', frame(0x3, Buffer.from('x')), 1002],
      ['unknown control opcode', frame(0xb, Buffer.from('x')), 1002],
      ['fragmented control frame', frame(0x9, Buffer.from('x'), { fin: false }), 1002],
      ['control frame over 125 bytes', frame(0x9, Buffer.alloc(126)), 1002],
      ['continuation without a message', frame(0x0, Buffer.from('x')), 1002],
      [
        'new message inside a fragmented one',
        Buffer.concat([frame(0x1, Buffer.from('a'), { fin: false }), frame(0x1, Buffer.from('b'))]),
        1002,
      ],
      ['invalid UTF-8', frame(0x1, Buffer.from([0xc3, 0x28])), 1007],
      ['too big', frame(0x1, Buffer.alloc(1025, 0x61)), 1009],
      [
        'too big in fragments',
        Buffer.concat([
          frame(0x1, Buffer.alloc(600, 0x61), { fin: false }),
          frame(0x0, Buffer.alloc(600, 0x61)),
        ]),
        1009,
      ],
      [
        'too many fragments',
        Buffer.concat(
          [0, 1, 2, 3, 4].map((i) => frame(i === 0 ? 0x1 : 0x0, Buffer.from('a'), { fin: false })),
        ),
        1008,
      ],
      ['invalid close code', frame(0x8, Buffer.from([0x03, 0xed])), 1002],
      ['one-byte close payload', frame(0x8, Buffer.from([0x03])), 1002],
      ['bad UTF-8 in close reason', frame(0x8, Buffer.from([0x03, 0xe8, 0xff])), 1007],
      [
        'garbage compressed data',
        frame(0x1, Buffer.from([0xff, 0xff, 0xff]), { rsv: 4 }),
        1007,
        { deflate: true },
      ],
      ['compression bomb', frame(0x1, compress('a'.repeat(100_000)), { rsv: 4 }), 1009, { deflate: true }],
    ];
    for (const [what, bytes, code, opts] of cases) {
      const r = parse(bytes, opts ?? {});
      assert.deepEqual(r.events.at(-1), ['error', code], what);
    }
  });

  it('rejects a 64-bit length beyond maxPayload before buffering it', () => {
    const head = Buffer.from([0x81, 0xff, 0, 0, 0, 1, 0, 0, 0, 0]); // 2^32 bytes claimed
    assert.deepEqual(parse(head).events, [['error', 1009]]);
  });

  it('turns arbitrary bytes into events or one close code, never an exception (fuzz)', () => {
    let runs = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 64 }),
            fc.constantFrom(
              ...[0x1, 0x0, 0x8, 0x9, 0x2].map((op) => new Uint8Array(frame(op, Buffer.from('{}')))),
            ),
          ),
          { maxLength: 12 },
        ),
        fc.boolean(),
        (chunks, deflate) => {
          runs++;
          const r = recorder();
          const p = new FrameParser(r, { maxPayload: 256, maxFragments: 4, deflate });
          for (const c of chunks) p.push(Buffer.from(c));
          const errors = r.events.filter(([e]) => e === 'error');
          assert.ok(errors.length <= 1);
          if (errors.length === 1)
            assert.equal(r.events.at(-1)?.[0], 'error', 'nothing after a protocol error');
          for (const [, code] of errors) assert.ok([1002, 1007, 1008, 1009].includes(code as number));
        },
      ),
      { numRuns: 20_000, seed: 20261128 },
    );
    assert.equal(runs, 20_000);
  });
});
