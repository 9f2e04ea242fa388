// Frame fuzzer: opens many raw WebSocket connections to a running roomcast and writes generated
// malformed frames (RFC 6455 violations, bad UTF-8, broken and hostile protocol JSON, floods of
// fragments, oversized lengths, garbage bytes), while a control client stays subscribed and must
// receive every publication in order. Seeded, bounded by a frame count and a time limit, loopback
// only. Used by tests/raw/fuzz.test.ts (small run, in-process server) and by `npm run fuzz`
// (default 200,000 frames against a `roomcast serve` child process; SPEC: 0 crashes).
//
//   npm run fuzz -- [--frames 200000] [--concurrency 64] [--seed 1] [--seconds 300]

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort } from '../helpers/cli.ts';

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface FrameOpts {
  fin?: boolean;
  rsv?: number;
  masked?: boolean;
  /** Length written in the header instead of the payload's (lies about the size). */
  claimedLength?: number;
}

/** Encodes one client frame; may break the rules on purpose (unmasked, reserved bits, false length). */
export function encodeFrame(opcode: number, payload: Buffer, o: FrameOpts = {}): Buffer {
  const fin = o.fin ?? true;
  const masked = o.masked ?? true;
  const len = o.claimedLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((o.rsv ?? 0) << 4) | (opcode & 0x0f)];
  const m = masked ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127);
    const big = BigInt(len);
    for (let i = 7; i >= 0; i--) head.push(Number((big >> BigInt(i * 8)) & 0xffn));
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([Buffer.from(head), mask, body]);
}

const VALID_COMMANDS = [
  '{"id":1,"connect":{}}',
  '{"id":2,"subscribe":{"channel":"live:fuzz"}}',
  '{"id":3,"publish":{"channel":"live:fuzz","data":{"type":"chat","text":"hi"}}}',
  '{"id":4,"history":{"channel":"gift:fuzz","limit":10}}',
  '{"id":5,"presence":{"channel":"live:fuzz"}}',
  '{"id":6,"presence_stats":{"channel":"live:fuzz"}}',
  '{"id":7,"unsubscribe":{"channel":"live:fuzz"}}',
  '{"id":8,"rpc":{"method":"x","data":{}}}',
  '{"id":9,"refresh":{"token":"a.b.c"}}',
  '{"id":10,"sub_refresh":{"channel":"live:fuzz","token":"x"}}',
  '{"id":11,"subscribe":{"channel":"gift:fuzz","recover":true,"offset":5,"epoch":"zz"}}',
  '{}',
];

const HOSTILE_JSON = [
  '{"id":1e308,"connect":{}}',
  '{"id":-1,"subscribe":{"channel":"live:x"}}',
  '{"id":"1","connect":{}}',
  '{"id":18446744073709551616,"publish":{"channel":"live:x","data":1}}',
  '{"id":1,"nosuchcommand":{}}',
  '{"id":1,"connect":{"token":123,"data":[],"subs":{"a":{"recover":"yes"}}}}',
  '{"id":1,"subscribe":{"channel":""}}',
  '{"id":1,"subscribe":{"channel":"live:' + 'x'.repeat(4000) + '"}}',
  '{"id":1,"subscribe":{"channel":"nons:x"}}',
  '{"id":1,"publish":{"channel":"user:someone","data":{}}}',
  '{"id":1,"history":{"channel":"gift:x","limit":-5,"since":{"offset":-1,"epoch":7}}}',
  '{"id":1,"__proto__":{"polluted":true},"connect":{}}',
  '{"id":1,"constructor":{"prototype":{"x":1}},"connect":{}}',
  'null',
  '[]',
  '"string"',
  '123',
  'true',
  '{"id":1,"connect":{}',
  '{"id":1,"connect":{}}}}}',
  '\u0000\u0001\u0002',
  '{"id":1,"connect":{"name":"\uD800"}}',
];

export type FrameKind =
  | 'mutated-command'
  | 'hostile-json'
  | 'deep-nesting'
  | 'bad-utf8'
  | 'binary'
  | 'reserved-bits'
  | 'bad-opcode'
  | 'orphan-continuation'
  | 'fragment-flood'
  | 'bad-control'
  | 'unmasked'
  | 'huge-length'
  | 'garbage'
  | 'oversized'
  | 'many-lines';

export const FRAME_KINDS: readonly FrameKind[] = [
  'mutated-command',
  'hostile-json',
  'deep-nesting',
  'bad-utf8',
  'binary',
  'reserved-bits',
  'bad-opcode',
  'orphan-continuation',
  'fragment-flood',
  'bad-control',
  'unmasked',
  'huge-length',
  'garbage',
  'oversized',
  'many-lines',
];

function bytes(rnd: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

function mutate(rnd: () => number, s: string): Buffer {
  const b = Buffer.from(s);
  const n = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rnd() * b.length);
    const op = rnd();
    if (op < 0.5) b[at] = Math.floor(rnd() * 256);
    else if (op < 0.75) return b.subarray(0, at);
    else return Buffer.concat([b.subarray(0, at), bytes(rnd, 1 + Math.floor(rnd() * 8)), b.subarray(at)]);
  }
  return b;
}

/** One generated frame (or several, for fragment floods) as the bytes to write. */
export function generate(rnd: () => number, kind: FrameKind): Buffer {
  switch (kind) {
    case 'mutated-command':
      return encodeFrame(1, mutate(rnd, pick(rnd, VALID_COMMANDS)));
    case 'hostile-json':
      return encodeFrame(1, Buffer.from(pick(rnd, HOSTILE_JSON)));
    case 'deep-nesting': {
      const d = 50 + Math.floor(rnd() * 3000);
      return encodeFrame(
        1,
        Buffer.from(`{"id":1,"publish":{"channel":"live:x","data":${'['.repeat(d)}${']'.repeat(d)}}}`),
      );
    }
    case 'bad-utf8':
      return encodeFrame(
        1,
        Buffer.concat([
          Buffer.from('{"id":1,"connect":{"name":"'),
          Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
          Buffer.from('"}}'),
        ]),
      );
    case 'binary':
      return encodeFrame(2, bytes(rnd, 1 + Math.floor(rnd() * 200)));
    case 'reserved-bits':
      return encodeFrame(1, Buffer.from(pick(rnd, VALID_COMMANDS)), { rsv: 1 + Math.floor(rnd() * 7) });
    case 'bad-opcode':
      return encodeFrame(pick(rnd, [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), bytes(rnd, Math.floor(rnd() * 20)));
    case 'orphan-continuation':
      return encodeFrame(0, Buffer.from('"}}'));
    case 'fragment-flood': {
      const n = 2 + Math.floor(rnd() * 60);
      const parts: Buffer[] = [encodeFrame(1, Buffer.from('{'), { fin: false })];
      for (let i = 0; i < n; i++) parts.push(encodeFrame(0, Buffer.from(' '), { fin: false }));
      parts.push(encodeFrame(0, Buffer.from('}'), { fin: rnd() < 0.5 }));
      return Buffer.concat(parts);
    }
    case 'bad-control': {
      const r = rnd();
      if (r < 0.25) return encodeFrame(9, bytes(rnd, 126 + Math.floor(rnd() * 100))); // control > 125 bytes
      if (r < 0.5) return encodeFrame(9, Buffer.from('p'), { fin: false }); // fragmented control
      if (r < 0.75) {
        const code = pick(rnd, [0, 3, 999, 1004, 1005, 1006, 1015, 5000]);
        return encodeFrame(8, Buffer.from([code >> 8, code & 0xff])); // bad close codes
      }
      return encodeFrame(8, Buffer.from([0x03])); // 1-byte close payload
    }
    case 'unmasked':
      return encodeFrame(1, Buffer.from(pick(rnd, VALID_COMMANDS)), { masked: false });
    case 'huge-length':
      return encodeFrame(1, bytes(rnd, 8), { claimedLength: pick(rnd, [70_000, 2 ** 31, 2 ** 53 - 1]) });
    case 'garbage':
      return bytes(rnd, 1 + Math.floor(rnd() * 64));
    case 'oversized':
      return encodeFrame(1, Buffer.alloc(17_000 + Math.floor(rnd() * 4000), 0x61));
    case 'many-lines': {
      const lines: string[] = [];
      const n = 2 + Math.floor(rnd() * 30);
      for (let i = 0; i < n; i++)
        lines.push(rnd() < 0.7 ? pick(rnd, VALID_COMMANDS) : pick(rnd, HOSTILE_JSON));
      return encodeFrame(1, Buffer.from(lines.join('\n')));
    }
  }
}

export interface FuzzOptions {
  port: number;
  frames: number;
  concurrency: number;
  seed: number;
  seconds: number;
  /** Most frames written on one connection before it is dropped (the server closes most earlier). */
  perConnection?: number;
  onProgress?: (s: FuzzStats) => void;
}

export interface FuzzStats {
  frames: number;
  connections: number;
  refused: number;
  closedByServer: number;
  byKind: Record<string, number>;
  elapsedS: number;
}

function upgrade(port: number, localAddress: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = netConnect({ port, host: '127.0.0.1', localAddress });
    let head = '';
    const done = (v: Socket | undefined): void => {
      clearTimeout(t);
      s.removeAllListeners('data');
      resolve(v);
    };
    const t = setTimeout(() => {
      s.destroy();
      done(undefined);
    }, 10_000);
    s.on('error', () => done(undefined));
    s.on('data', (d) => {
      head += d.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      if (head.startsWith('HTTP/1.1 101')) done(s);
      else {
        s.destroy();
        done(undefined);
      }
    });
    s.write(
      `GET /connection/websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ZnV6emZ1enpmdXp6ZnV6eg==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
  });
}

/** Writes `frames` generated frames over many short connections; resolves with what was done. */
export async function fuzz(o: FuzzOptions): Promise<FuzzStats> {
  const rnd = prng(o.seed);
  const perConn = o.perConnection ?? 12;
  const stats: FuzzStats = {
    frames: 0,
    connections: 0,
    refused: 0,
    closedByServer: 0,
    byKind: {},
    elapsedS: 0,
  };
  const t0 = performance.now();
  const deadline = t0 + o.seconds * 1000;
  let lastProgress = t0;
  let addr = 0;
  const slot = async (): Promise<void> => {
    while (stats.frames < o.frames && performance.now() < deadline) {
      const s = await upgrade(o.port, `127.0.0.${2 + (addr++ % 50)}`);
      if (!s) {
        stats.refused++;
        continue;
      }
      stats.connections++;
      let closed = false;
      s.on('data', () => undefined);
      s.on('error', () => undefined);
      s.on('close', () => (closed = true));
      // Half the connections speak first, so the commands behind are handled, not refused as pre-connect.
      if (rnd() < 0.5) s.write(encodeFrame(1, Buffer.from('{"id":1,"connect":{}}')));
      const n = 1 + Math.floor(rnd() * perConn);
      for (let i = 0; i < n && !closed && stats.frames < o.frames; i++) {
        const kind = pick(rnd, FRAME_KINDS);
        s.write(generate(rnd, kind));
        stats.frames++;
        stats.byKind[kind] = (stats.byKind[kind] ?? 0) + 1;
        if (i % 4 === 3) await new Promise((r) => setImmediate(r));
      }
      await new Promise((r) => setTimeout(r, closed ? 0 : 5));
      if (closed) stats.closedByServer++;
      s.destroy();
      if (o.onProgress && performance.now() - lastProgress > 1000) {
        lastProgress = performance.now();
        stats.elapsedS = (lastProgress - t0) / 1000;
        o.onProgress(stats);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, () => slot()));
  stats.elapsedS = (performance.now() - t0) / 1000;
  return stats;
}

/** A raw `ws` client subscribed to `channel` that records what arrives and whether it was closed. */
export async function controlClient(
  port: number,
  channel: string,
): Promise<{ texts: () => string[]; closes: () => number; closeCode: () => number; close: () => void }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/connection/websocket`);
  const texts: string[] = [];
  let closes = 0;
  let closeCode = 0;
  ws.on('message', (d: Buffer) => {
    for (const line of d.toString().split('\n')) {
      if (line === '{}') {
        ws.send('{}'); // the server's ping: answer with a pong, as the SDKs do
        continue;
      }
      const m = JSON.parse(line) as { push?: { pub?: { data?: { text?: string } } } };
      const t = m.push?.pub?.data?.text;
      if (t !== undefined) texts.push(t);
    }
  });
  ws.on('close', (code) => {
    closes++;
    closeCode = code;
  });
  ws.on('error', () => undefined);
  await new Promise((r, j) => {
    ws.once('open', r);
    ws.once('error', j);
  });
  ws.send(`{"id":1,"connect":{}}\n{"id":2,"subscribe":{"channel":"${channel}"}}`);
  await new Promise((r) => setTimeout(r, 300));
  return { texts: () => texts, closes: () => closes, closeCode: () => closeCode, close: () => ws.close() };
}

function flag(args: string[], name: string, def: number): number {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return def;
  const v = Number(args[i + 1]);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`--${name} takes a positive number (got ${args[i + 1] ?? 'nothing'})\n`);
    process.exit(2);
  }
  return v;
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

/** `npm run fuzz`: starts `roomcast serve --dev` as a child, fuzzes it, checks it survived. */
async function main(args: string[]): Promise<void> {
  const frames = flag(args, 'frames', 200_000);
  const concurrency = flag(args, 'concurrency', 64);
  const seed = flag(args, 'seed', 1);
  const seconds = flag(args, 'seconds', 300);
  const port = await freePort();
  const bin = fileURLToPath(new URL('../../packages/cli/bin/roomcast.js', import.meta.url));
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--dev', '--port', String(port)], {
    env: { ...process.env, ROOMCAST_LOG_LEVEL: 'error', ROOMCAST_API_KEY: 'fuzz-key' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let exited: string | undefined;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('exit', (code, sig) => (exited = `exit code ${code} signal ${sig}`));
  for (let i = 0; i < 200; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const pid = child.pid ?? 0;
  const rss0 = rssKb(pid);
  const control = await controlClient(port, 'live:control');
  // One publish at a time (concurrent HTTP requests may arrive in any order), every 100 ms.
  let sent = 0;
  let publishing = true;
  const publisher = (async () => {
    while (publishing) {
      const text = `c${sent}`;
      const ok = await fetch(`http://127.0.0.1:${port}/api/publish`, {
        method: 'POST',
        headers: { 'X-API-Key': 'fuzz-key', 'Content-Type': 'application/json' },
        body: JSON.stringify({ channel: 'live:control', data: { type: 'chat', text } }),
      }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) sent++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  process.stderr.write(
    `fuzzing roomcast (pid ${pid}) on :${port}: ${frames} frames, ${concurrency} connections at a time, seed ${seed}\n`,
  );
  const stats = await fuzz({
    port,
    frames,
    concurrency,
    seed,
    seconds,
    onProgress: (s) =>
      process.stderr.write(
        `\r${s.frames} frames, ${s.connections} connections (${s.closedByServer} closed by the server), ${s.refused} refused, ${s.elapsedS.toFixed(0)} s   `,
      ),
  });
  publishing = false;
  await publisher;
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < 50 && control.texts().length < sent; i++) await new Promise((r) => setTimeout(r, 100));
  // Every fuzz connection must be released: the node's client count falls back to the control client.
  let clientsLeft = -1;
  for (let i = 0; i < 100; i++) {
    const info = (await fetch(`http://127.0.0.1:${port}/api/info`, {
      method: 'POST',
      headers: { 'X-API-Key': 'fuzz-key' },
      body: '{}',
    }).then(
      (r) => r.json(),
      () => ({}),
    )) as { result?: { nodes?: { num_clients: number }[] } };
    clientsLeft = info.result?.nodes?.[0]?.num_clients ?? -1;
    if (clientsLeft === 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const health = await fetch(`http://127.0.0.1:${port}/health`).then(
    (r) => r.status,
    () => 0,
  );
  const rss1 = exited ? 0 : rssKb(pid);
  const got = control.texts();
  const inOrder = got.every((t, i) => i === 0 || Number(t.slice(1)) > Number((got[i - 1] ?? 'c-1').slice(1)));
  control.close();
  child.kill('SIGTERM');
  const crashed = exited !== undefined || health !== 200;
  const unhandled = /unhandled|uncaught/i.test(stderr);
  process.stderr.write('\n');
  process.stdout.write(
    JSON.stringify(
      {
        frames: stats.frames,
        connections: stats.connections,
        closedByServer: stats.closedByServer,
        refused: stats.refused,
        seconds: Number(stats.elapsedS.toFixed(1)),
        byKind: stats.byKind,
        serverCrashed: crashed,
        serverExit: exited ?? null,
        health,
        clientsLeft,
        unhandledErrorsLogged: unhandled,
        rssMbBefore: Math.round(rss0 / 102.4) / 10,
        rssMbAfter: Math.round(rss1 / 102.4) / 10,
        controlPublished: sent,
        controlReceived: got.length,
        controlInOrder: inOrder,
        controlDisconnects: control.closes(),
        controlCloseCode: control.closeCode() || null,
      },
      null,
      1,
    ) + '\n',
  );
  const ok =
    !crashed && !unhandled && clientsLeft === 1 && inOrder && control.closes() === 0 && got.length === sent;
  process.stdout.write(ok ? 'PASS: 0 crashes, control client unaffected\n' : 'FAIL\n');
  process.exit(ok ? 0 : 1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
