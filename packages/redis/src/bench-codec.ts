// Cost of the bus encoding per message: encode + decode of a chat and a gift message, next to
// two plain-JSON alternatives (data carried as a JSON string, or parsed into the envelope).
//   node packages/redis/src/bench-codec.ts [iterations]
// Prints CPU ns per encode+decode round trip (process CPU time, best of 5 runs, so a machine
// shared with other work skews it less than wall time) and bytes on the wire.

import type { BusMessage } from '@roomcast/server';
import { decodeBusMessage, encodeBusMessage } from './codec.ts';

const chat: BusMessage = {
  type: 'pub',
  pub: {
    offset: 0,
    data: '{"text":"主播好厉害 666","user":{"id":"u123","name":"小明","level":12}}',
    info: { user: 'u123', client: 'c-8f2a41', connInfo: '{"name":"小明"}' },
    time: 1_700_000_000_123,
  },
  priority: 3,
  kind: 'chat',
};

const gift: BusMessage = {
  type: 'pub',
  pub: {
    offset: 123_456,
    data: '{"gift":"rocket","count":1,"from":{"id":"u9","name":"Alice"},"to":"streamer-1","value":500}',
    info: { user: 'u9', client: 'c-77ab', connInfo: '{"name":"Alice","vip":3}' },
    tags: { kind: 'gift', room: 'r42' },
    time: 1_700_000_000_456,
  },
  epoch: 'a1b2c3d4',
  priority: 1,
  kind: 'gift',
};

interface Codec {
  name: string;
  encode(m: BusMessage): string;
  decode(s: string): BusMessage;
}

const codecs: Codec[] = [
  { name: 'roomcast header+raw data', encode: encodeBusMessage, decode: decodeBusMessage },
  {
    name: 'JSON, data as a string',
    encode: (m) => JSON.stringify(m),
    decode: (s) => JSON.parse(s) as BusMessage,
  },
  {
    name: 'JSON, data parsed into the envelope',
    encode: (m) =>
      JSON.stringify(
        m.type === 'pub' ? { ...m, pub: { ...m.pub, data: JSON.parse(m.pub.data) as unknown } } : m,
      ),
    decode: (s) => {
      const m = JSON.parse(s) as BusMessage;
      if (m.type === 'pub') m.pub.data = JSON.stringify(m.pub.data);
      return m;
    },
  },
];

const iterations = Number(process.argv[2] ?? 200_000);

function run(c: Codec, m: BusMessage): number {
  let sink = 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const s = c.encode(m);
    const back = c.decode(s);
    sink += s.length + (back.type === 'pub' ? back.pub.offset : 0);
  }
  const cpu = process.cpuUsage(t0);
  const ns = ((cpu.user + cpu.system) * 1000) / iterations;
  if (sink === -1) console.log(sink);
  return ns;
}

for (const [label, msg] of [
  ['chat', chat],
  ['gift', gift],
] as const) {
  for (const c of codecs) {
    run(c, msg); // warm-up
    const runs = Array.from({ length: 5 }, () => run(c, msg)).sort((a, b) => a - b);
    const bytes = Buffer.byteLength(c.encode(msg));
    console.log(
      `${label.padEnd(5)} ${c.name.padEnd(36)} ${(runs[2] ?? 0).toFixed(0).padStart(6)} ns  ${bytes} B`,
    );
  }
}
