// Unit checks of the room workload's arithmetic: gift-channel counting in the receivers'
// counting mode, the latency of merged chat lines, and quantiles from Prometheus histograms.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counters, F, FIELDS, GROUP } from './generator/counters.ts';
import { MODE_COUNT, PROTO_CENTRIFUGE, RawConn, type ConnHandler } from './generator/raw-conn.ts';
import type { SampleBatch } from './generator/samples.ts';
import { latency } from './stats/latency.ts';
import { histogram, parseMetrics } from './systems/metrics-scrape.ts';
import { textKeyHash } from './plan/text-key.ts';

function serverFrame(text: string): Buffer {
  const p = Buffer.from(text);
  const h =
    p.length < 126 ? Buffer.from([0x81, p.length]) : Buffer.from([0x81, 126, p.length >> 8, p.length & 255]);
  return Buffer.concat([h, p]);
}

describe('counting receivers', () => {
  it('split gift-channel pushes, frames and bytes from live-channel ones', () => {
    const k = new Counters(2);
    const shared = Buffer.alloc(65536);
    const handler: ConnHandler = { opened() {}, message() {}, closed() {} };
    const c = new RawConn(0, GROUP.count, PROTO_CENTRIFUGE, k.hot, handler, shared);
    c.mode = MODE_COUNT;
    const written: Buffer[] = [];
    (c as unknown as { socket: object }).socket = { write: (b: Buffer) => written.push(b) };
    const live =
      '{"push":{"channel":"live:room","pub":{"data":{"type":"chat","text":"a"}}}}\n' +
      '{"push":{"channel":"live:room","pub":{"data":{"type":"chat","text":"b"}}}}';
    const gift = '{"push":{"channel":"gift:room","pub":{"data":{"type":"gift"},"offset":7}}}';
    const bytes = Buffer.concat([serverFrame(live), serverFrame(gift), serverFrame('{}')]);
    // Deliver in two reads split inside the gift frame's header-to-channel span.
    const cut = serverFrame(live).length + 12;
    for (const part of [bytes.subarray(0, cut), bytes.subarray(cut)]) {
      part.copy(shared);
      (c as unknown as { onRead(n: number): boolean }).onRead(part.length);
    }
    const at = (f: number): number => k.hot[GROUP.count * FIELDS + f] ?? 0;
    assert.equal(at(F.msgs), 3, 'two live pushes and one gift (the ping is not counted)');
    assert.equal(at(F.frames), 2, 'the ping frame is taken back');
    assert.equal(at(F.giftMsgs), 1);
    assert.equal(at(F.giftFrames), 1);
    assert.equal(at(F.giftBytes), serverFrame(gift).length);
    assert.equal(written.length, 1, 'the ping is answered');
  });
});

describe('latency of merged chat lines', () => {
  it('times each original a merged line stands for, split at the first arrival', () => {
    const key = textKeyHash(' 666 ');
    // Published at 1.0, 1.2, 1.4 s (µs); an older "666" at 0.1 s was in an earlier window.
    const log = new Map([[key, [100_000, 1_000_000, 1_200_000, 1_400_000]]]);
    const batch = (recvUs: number[]): SampleBatch => ({
      key: new Float64Array(0),
      pubUs: new Float64Array(0),
      recvUs: new Float64Array(0),
      kind: new Uint8Array(0),
      probe: new Uint8Array(0),
      dropped: 0,
      merged: {
        frame: Float64Array.from(recvUs.map(() => 42)),
        text: Float64Array.from(recvUs.map(() => textKeyHash('666'))),
        count: Float64Array.from(recvUs.map(() => 3)),
        recvUs: Float64Array.from(recvUs),
      },
    });
    const l = latency([batch([2_000_000]), batch([2_050_000])], log);
    assert.ok(l.merged);
    assert.equal(l.merged.lines, 2);
    assert.equal(l.merged.originals, 6);
    assert.equal(l.merged.unmatched, 0);
    assert.equal(l.merged.total.max, 1050, 'oldest original (1.0 s) to the later arrival (2.05 s)');
    assert.equal(l.merged.windowWait.max, 1000);
    assert.equal(l.merged.fanout.max, 50);
    assert.equal(l.chatAll.total.n, 6);
  });
});

describe('Prometheus histograms', () => {
  it('gives window quantiles from bucket deltas, interpolated inside buckets', () => {
    const text = (n: [number, number, number, number], sum: number): string =>
      [
        `roomcast_room_window_wait_seconds_bucket{le="0.25",node="a"} ${n[0]}`,
        `roomcast_room_window_wait_seconds_bucket{le="0.5",node="a"} ${n[1]}`,
        `roomcast_room_window_wait_seconds_bucket{le="1",node="a"} ${n[2]}`,
        `roomcast_room_window_wait_seconds_bucket{le="+Inf",node="a"} ${n[3]}`,
        `roomcast_room_window_wait_seconds_sum{node="a"} ${sum}`,
        `roomcast_room_window_wait_seconds_count{node="a"} ${n[3]}`,
      ].join('\n');
    const m0 = parseMetrics(text([10, 10, 10, 10], 1));
    const m1 = parseMetrics(text([10, 60, 110, 110], 76));
    const h = histogram(m0, m1, 'roomcast_room_window_wait_seconds');
    assert.ok(h);
    assert.equal(h.count, 100);
    assert.equal(h.meanMs, 750);
    assert.equal(h.p50Ms, 500, 'the 50th of 100 observations ends the 250–500 ms bucket');
    assert.deepEqual(h.p99BucketMs, [500, 1000]);
    assert.ok(Math.abs((h.p99Ms ?? 0) - 990) < 1e-9);
  });
});
