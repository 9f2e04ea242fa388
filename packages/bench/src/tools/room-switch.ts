// Room switching rate: viewers that stay connected and keep leaving one room and joining another
// (unsubscribe + subscribe on the same connection), the "join/leave QPS" of seed 003, as opposed to
// the churn workload's full reconnects. Starts roomcast itself (embedded, or N gateways on Redis
// with a fresh key prefix), pins the servers to one CPU and this process to another, and reports
// join+leave pairs per second and server CPU per pair from /proc. Loopback only, bounded in time.
//
//   node packages/bench/src/tools/room-switch.ts [--gateways 1|3] [--redis-url redis://127.0.0.1:6379]
//        [--clients 3000] [--rooms 200] [--seconds 20] [--server-cpus 0] [--client-cpus 1]

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort } from '../systems/server-process.ts';
import { clockTicks, findRedisPid, readProc } from '../systems/proc.ts';

function opt(args: string[], name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? def : (args[i + 1] ?? def);
}

function num(args: string[], name: string, def: number): number {
  const v = Number(opt(args, name, String(def)));
  if (!Number.isFinite(v) || v < 0) {
    process.stderr.write(`--${name} takes a number\n`);
    process.exit(2);
  }
  return v;
}

interface Viewer {
  ws: WebSocket;
  id: number;
  room: number;
  pending: Map<number, () => void>;
}

async function main(args: string[]): Promise<void> {
  const gateways = num(args, 'gateways', 1);
  const redisUrl = opt(args, 'redis-url', '');
  const clients = num(args, 'clients', 3000);
  const rooms = num(args, 'rooms', 200);
  const seconds = num(args, 'seconds', 20);
  const serverCpus = opt(args, 'server-cpus', '0');
  const clientCpus = opt(args, 'client-cpus', '1');
  if (gateways > 1 && !redisUrl) {
    process.stderr.write('--gateways > 1 needs --redis-url\n');
    process.exit(2);
  }
  if (clientCpus) spawn('taskset', ['-pc', clientCpus, String(process.pid)], { stdio: 'ignore' });
  const bin = fileURLToPath(new URL('../../../cli/bin/roomcast.js', import.meta.url));
  const prefix = `rswitch:${randomBytes(4).toString('hex')}:`;
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  for (let g = 0; g < gateways; g++) {
    const port = await freePort();
    ports.push(port);
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      ROOMCAST_LOG_LEVEL: 'warn',
      ROOMCAST_NODE_NAME: `switch-${g}`,
      ROOMCAST_MAX_CONNECTIONS_PER_IP: '0',
    };
    if (redisUrl) Object.assign(env, { ROOMCAST_REDIS_URL: redisUrl, ROOMCAST_REDIS_PREFIX: prefix });
    children.push(
      spawn('taskset', ['-c', serverCpus, process.execPath, bin, 'serve', '--dev', '--port', String(port)], {
        env,
        stdio: ['ignore', process.env['SWITCH_SERVER_LOG'] ? 'inherit' : 'ignore', 'inherit'],
      }),
    );
  }
  const stopAll = (): void => {
    for (const c of children) c.kill('SIGTERM');
  };
  try {
    for (const port of ports)
      for (let i = 0; i < 300; i++) {
        if (
          await fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => r.ok,
            () => false,
          )
        )
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
    // taskset wraps node: the server is the child of each taskset process (same pid after exec).
    const pids = children.map((c) => c.pid ?? 0);
    const ticks = clockTicks();
    const viewers: Viewer[] = [];
    let nextId = 10;
    const open = (i: number): Promise<Viewer> =>
      new Promise((resolve, reject) => {
        const port = ports[i % ports.length] as number;
        const ws = new WebSocket(`ws://127.0.0.1:${port}/connection/websocket`, {
          perMessageDeflate: false,
          localAddress: `127.0.0.${2 + (i % 50)}`,
        });
        const v: Viewer = { ws, id: i, room: -1, pending: new Map() };
        ws.on('message', (d: Buffer) => {
          for (const line of d.toString().split('\n')) {
            if (line === '{}') {
              ws.send('{}');
              continue;
            }
            const m = /^\{"id":(\d+)/.exec(line);
            if (m) {
              const done = v.pending.get(Number(m[1]));
              v.pending.delete(Number(m[1]));
              done?.();
            }
          }
        });
        ws.on('error', reject);
        ws.once('open', () => {
          const id = nextId++;
          v.pending.set(id, () => resolve(v));
          ws.send(`{"id":${id},"connect":{}}`);
        });
      });
    const call = (v: Viewer, body: string): Promise<void> =>
      new Promise((resolve) => {
        const id = nextId++;
        v.pending.set(id, resolve);
        v.ws.send(`{"id":${id},${body}}`);
      });
    process.stderr.write(
      `connecting ${clients} viewers to ${gateways} gateway(s)${redisUrl ? ' on Redis' : ''}…\n`,
    );
    for (let i = 0; i < clients; i += 200) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(200, clients - i) }, (_, k) => open(i + k)),
      );
      viewers.push(...batch);
    }
    for (const v of viewers) {
      v.room = v.id % rooms;
      await call(v, `"subscribe":{"channel":"live:sw${v.room}"}`);
    }
    await new Promise((r) => setTimeout(r, 3000)); // let the connect aftermath settle
    const rpid = redisUrl ? findRedisPid(redisUrl, 0) : undefined;
    const cpu0 = pids.map((p) => readProc(p, ticks)?.cpuS ?? 0);
    const r0 = rpid ? (readProc(rpid, ticks)?.cpuS ?? 0) : 0;
    const t0 = performance.now();
    const until = t0 + seconds * 1000;
    let pairs = 0;
    const lat: number[] = [];
    let lastPrint = t0;
    await Promise.all(
      viewers.map(async (v) => {
        while (performance.now() < until) {
          const s = performance.now();
          await call(v, `"unsubscribe":{"channel":"live:sw${v.room}"}`);
          v.room = (v.room + 1 + Math.floor(Math.random() * (rooms - 1))) % rooms;
          await call(v, `"subscribe":{"channel":"live:sw${v.room}"}`);
          lat.push(performance.now() - s);
          pairs++;
          if (performance.now() - lastPrint > 2000) {
            lastPrint = performance.now();
            process.stderr.write(`  ${((lastPrint - t0) / 1000).toFixed(0)} s: ${pairs} leave+join pairs\n`);
          }
        }
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    const cpu = pids.reduce((a, p, i) => a + (readProc(p, ticks)?.cpuS ?? 0) - (cpu0[i] ?? 0), 0);
    const rcpu = rpid ? (readProc(rpid, ticks)?.cpuS ?? 0) - r0 : 0;
    lat.sort((a, b) => a - b);
    const q = (p: number): number =>
      Number((lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0).toFixed(1));
    const result = {
      gateways,
      redis: Boolean(redisUrl),
      clients,
      rooms,
      seconds: Number(wall.toFixed(1)),
      leaveJoinPairsPerS: Math.round(pairs / wall),
      roomChangesPerS: Math.round((2 * pairs) / wall),
      serverCpuS: Number(cpu.toFixed(2)),
      serverCores: Number((cpu / wall).toFixed(2)),
      serverCpuUsPerPair: Math.round((cpu * 1e6) / Math.max(pairs, 1)),
      redisCpuS: Number(rcpu.toFixed(2)),
      pairLatencyMs: { p50: q(0.5), p99: q(0.99), max: q(1) },
    };
    process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    for (const v of viewers) v.ws.terminate();
  } finally {
    stopAll();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
