// Parsing and help of `roomcast bench` options, from the table in option-table.ts.

import {
  QUICK_MATRIX,
  SYSTEMS,
  TABLE,
  WORKLOADS,
  type OptionDef,
  type SystemName,
  type WorkloadName,
} from './option-table.ts';

export { LOCAL_SYSTEMS, SYSTEMS, WORKLOADS, type SystemName, type WorkloadName } from './option-table.ts';

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export interface BenchOptions {
  workloads: WorkloadName[];
  systems: SystemName[];
  quick: boolean;
  viewers: number;
  churnViewers: number;
  slowViewers: number;
  idleSteps: number[];
  duration: number;
  warmup: number;
  drain: number;
  repeat: number;
  goimRate: number;
  rooms: number;
  zipf: number;
  rate: number;
  giftStorm: number;
  flood: number;
  burstSeconds: number;
  churnRate: number;
  churnStorm: boolean;
  slowShare: number;
  slowRate: number;
  slowWarmup: number;
  roomViewers: number;
  roomChatRate: number;
  roomGiftRate: number;
  roomDuration: number;
  roomGenerators: number;
  sample: number;
  deflateShare: number;
  perGenerator: number;
  generators: number;
  concurrency: number;
  lazyReadMs: number;
  sourceAddresses: number;
  connectTimeout: number;
  servers: number;
  workers: number;
  redisUrl: string;
  redisPid: number;
  serverNodeArgs: string;
  target: string[];
  targetPids: number[];
  apiKey: string;
  tokenSecret: string;
  pin: boolean;
  serverCpus: string;
  generatorCpus: string;
  maxServerRssMb: number;
  seed: number;
  out: string;
  runId: string;
  label: string;
  roomcastBin: string;
  progress: boolean;
  help: boolean;
  /** The raw --matrix option. */
  matrixSpec: string;
  /** Systems to run per workload (all selected systems, or the quick matrix). */
  matrix: Record<WorkloadName, SystemName[]>;
}

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function convert(def: OptionDef, raw: string): number | string | boolean | string[] {
  switch (def.kind) {
    case 'int': {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0)
        throw new BenchUsageError(`--${def.name} needs a whole number ≥ 0, got "${raw}"`);
      return n;
    }
    case 'num': {
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0)
        throw new BenchUsageError(`--${def.name} needs a number ≥ 0, got "${raw}"`);
      return n;
    }
    case 'bool':
      if (raw === 'true' || raw === '') return true;
      if (raw === 'false') return false;
      throw new BenchUsageError(`--${def.name} is true or false, got "${raw}"`);
    case 'list':
      return raw === ''
        ? []
        : raw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    case 'str':
      return raw;
  }
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const byName = new Map(TABLE.map((d) => [d.name, d]));
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '-h') {
      given.set('help', 'true');
      continue;
    }
    if (!a.startsWith('--')) throw new BenchUsageError(`unexpected argument "${a}" (options start with --)`);
    const eq = a.indexOf('=');
    let name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    let value = eq < 0 ? undefined : a.slice(eq + 1);
    if (value === undefined && name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'bool') {
      name = name.slice(3);
      value = 'false';
    }
    const def = byName.get(name);
    if (!def) throw new BenchUsageError(`unknown option --${name} (see roomcast bench --help)`);
    if (value === undefined) {
      if (def.kind === 'bool') value = 'true';
      else {
        const next = argv[i + 1];
        if (next === undefined || next.startsWith('--')) throw new BenchUsageError(`--${name} needs a value`);
        value = next;
        i++;
      }
    }
    given.set(name, value);
  }
  const quick = given.get('quick') === 'true';
  const out: Record<string, unknown> = {};
  for (const def of TABLE) {
    const raw = given.get(def.name) ?? (quick && def.quick !== undefined ? def.quick : def.def);
    out[def.name === 'matrix' ? 'matrixSpec' : camel(def.name)] = convert(def, raw);
  }
  const o = out as unknown as BenchOptions;
  o.idleSteps = (out['idleSteps'] as string[]).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n <= 0)
      throw new BenchUsageError(`--idle-steps takes whole numbers, got "${s}"`);
    return n;
  });
  o.targetPids = (out['targetPids'] as string[]).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  for (const w of o.workloads)
    if (!(WORKLOADS as readonly string[]).includes(w)) throw new BenchUsageError(`unknown workload "${w}"`);
  for (const s of o.systems)
    if (!(SYSTEMS as readonly string[]).includes(s)) throw new BenchUsageError(`unknown system "${s}"`);
  if (o.perGenerator < 1 || o.perGenerator > 19500)
    throw new BenchUsageError('--per-generator must be 1 … 19500');
  if (o.sourceAddresses < 1 || o.sourceAddresses > 250)
    throw new BenchUsageError('--source-addresses must be 1 … 250');
  if (o.duration <= 0) throw new BenchUsageError('--duration must be > 0');
  if (o.repeat < 1) throw new BenchUsageError('--repeat must be ≥ 1');
  if (o.servers < 1) throw new BenchUsageError('--servers must be ≥ 1');
  if (o.workers < 1) throw new BenchUsageError('--workers must be ≥ 1');
  if ((o.servers > 1 || o.workers > 1) && o.redisUrl === '' && o.target.length === 0)
    throw new BenchUsageError(
      '--servers/--workers > 1 need the Redis bus: add --redis-url redis://127.0.0.1:6379',
    );
  if (o.redisUrl !== '' && !/^rediss?:\/\/(127\.\d+\.\d+\.\d+|localhost)(:\d+)?(\/|$)/.test(o.redisUrl))
    throw new BenchUsageError('--redis-url must be on loopback (redis://127.0.0.1:6379)');
  const quickMatrix = quick && !given.has('workloads') && !given.has('systems');
  o.matrix = {} as Record<WorkloadName, SystemName[]>;
  if (o.matrixSpec !== '') {
    o.workloads = [];
    const all = new Set<SystemName>();
    for (const part of o.matrixSpec.split(';').filter((x) => x.trim() !== '')) {
      const [w, list] = part.split('=').map((x) => x.trim());
      if (!w || !(WORKLOADS as readonly string[]).includes(w))
        throw new BenchUsageError(`--matrix: unknown workload "${w ?? ''}"`);
      const systems =
        list === 'all'
          ? SYSTEMS.filter((x) => x !== 'roomcast-redis3' || o.redisUrl !== '')
          : (list ?? '').split(',').map((x) => x.trim());
      for (const s of systems)
        if (!(SYSTEMS as readonly string[]).includes(s))
          throw new BenchUsageError(`--matrix: unknown system "${s}"`);
      o.workloads.push(w as WorkloadName);
      o.matrix[w as WorkloadName] = systems as SystemName[];
      for (const s of systems as SystemName[]) all.add(s);
    }
    o.systems = SYSTEMS.filter((s) => all.has(s));
  } else for (const w of o.workloads) o.matrix[w] = quickMatrix ? [...QUICK_MATRIX[w]] : [...o.systems];
  if (o.systems.includes('roomcast-redis3') && o.redisUrl === '')
    throw new BenchUsageError(
      'roomcast-redis3 runs three gateways on the Redis bus: add --redis-url redis://127.0.0.1:6379',
    );
  if (o.roomDuration <= 0) throw new BenchUsageError('--room-duration must be > 0');
  if (o.target.length > 0 && o.systems.some((s) => s !== 'roomcast'))
    throw new BenchUsageError('--target measures running roomcast nodes: use it with --systems roomcast');
  return o;
}

export function renderHelp(): string {
  const rows = TABLE.map((d) => {
    const flag = `--${d.name}${d.arg ? ` <${d.arg}>` : ''}`;
    const dflt =
      d.kind === 'bool'
        ? d.def === 'true'
          ? ' (default on)'
          : ''
        : d.def !== ''
          ? ` (default ${d.def}${d.quick !== undefined ? `; quick ${d.quick}` : ''})`
          : '';
    return `  ${flag.padEnd(34)} ${d.doc}${dflt}`;
  });
  return `roomcast bench: load benchmarks of roomcast against baselines, in one run

Usage: roomcast bench [options]      (npm run bench -- [options])

Starts each system under test as its own process (roomcast through its CLI; a naive ws server,
a pre-framed ws loop and Socket.IO 4 as baselines), drives it from generator processes on
loopback (raw sockets, source addresses rotated over 127.0.0.x), and records each server
process's CPU time and RSS from /proc. Writes result.json and report.md (with SVG charts) under
<out>/<date>/<run-id>/. Every phase is bounded in time and connections.

Workloads:
  goim   one room with every viewer, 40 tiny pushes/s through the HTTP API (goim's benchmark shape)
  live   Zipf room sizes; chat and likes from clients, entries, gifts, system and streamer lines
         through the HTTP API; a gift storm and a "666" flood in the biggest room
  churn  viewers leave and join continuously, then a reconnect storm
  slow   a share of viewers stops reading while ~4 KB messages flow (queues beyond the kernel buffers)
  idle   memory per connection at several connection counts (forced GC, RSS from /proc)
  room   the live-room engine as shipped (default settings): one room, 10,000 viewers over several
         client processes, 1,000 chat msgs/s + 10 gifts/s through the HTTP API for 30 s; frames
         and chat per viewer per second, gifts delivered, drops by reason, CPU per delivery, bytes
         per message plain and deflated, latency split (only when named: npm run bench:room)

Systems: roomcast (default config), roomcast-nobatch (live-room batching off, when the server
has the switch), ws-naive (ws.send per message per viewer), ws-preframed (one frame per message,
same bytes to every socket), socketio (Socket.IO 4 rooms, io.to(room).emit), ws-batched (the
bare loop batching like roomcast: one pre-built frame per room per second), roomcast-redis3
(three roomcast gateways on the Redis bus, viewers spread evenly; needs --redis-url).

Options:
${rows.join('\n')}

Boolean options take --x, --x=false or --no-x. Exit codes: 0 done, 1 a phase failed, 2 usage.
`;
}
