// Options of `roomcast bench`: one table gives each option its type, default, quick-mode value
// and help line; parsing and --help both come from it.

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

type Kind = 'int' | 'num' | 'str' | 'list' | 'bool';

interface OptionDef {
  readonly name: string;
  readonly kind: Kind;
  readonly def: string;
  /** Value under --quick (unless given explicitly). */
  readonly quick?: string;
  readonly arg?: string;
  readonly doc: string;
}

export const WORKLOADS = ['goim', 'live', 'churn', 'slow', 'idle'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
export const SYSTEMS = ['roomcast', 'roomcast-nobatch', 'ws-naive', 'ws-preframed', 'socketio'] as const;
export type SystemName = (typeof SYSTEMS)[number];

/**
 * Under --quick (unless --workloads or --systems are given): every system on goim, the client
 * publishing paths of both protocols on live, roomcast alone on the rest. It exercises every
 * code path of the bench in about a minute.
 */
const QUICK_MATRIX: Readonly<Record<WorkloadName, readonly SystemName[]>> = {
  goim: SYSTEMS,
  live: ['roomcast', 'socketio'],
  churn: ['roomcast'],
  slow: ['roomcast'],
  idle: ['roomcast'],
};

const TABLE: readonly OptionDef[] = [
  {
    name: 'workloads',
    kind: 'list',
    def: WORKLOADS.join(','),
    arg: 'list',
    doc: `workloads to run: ${WORKLOADS.join(', ')}`,
  },
  {
    name: 'systems',
    kind: 'list',
    def: SYSTEMS.join(','),
    arg: 'list',
    doc: `systems to compare: ${SYSTEMS.join(', ')}`,
  },
  {
    name: 'matrix',
    kind: 'str',
    def: '',
    arg: 'w=s,…;…',
    doc: 'systems per workload, e.g. "goim=all;live=roomcast,socketio" (overrides --workloads/--systems)',
  },
  {
    name: 'quick',
    kind: 'bool',
    def: 'false',
    doc: 'CI smoke run: tiny sizes, whole run ≤ 60 s; checks the bench works, never a speed',
  },
  {
    name: 'viewers',
    kind: 'int',
    def: '10000',
    quick: '300',
    arg: 'n',
    doc: 'viewers (sockets) of goim and live',
  },
  { name: 'churn-viewers', kind: 'int', def: '5000', quick: '200', arg: 'n', doc: 'viewers of churn' },
  { name: 'slow-viewers', kind: 'int', def: '200', quick: '100', arg: 'n', doc: 'viewers of slow' },
  {
    name: 'idle-steps',
    kind: 'list',
    def: '2000,10000,19000',
    quick: '100,300',
    arg: 'list',
    doc: 'connection counts at which idle memory is measured',
  },
  {
    name: 'duration',
    kind: 'num',
    def: '20',
    quick: '1.5',
    arg: 's',
    doc: 'measured seconds per workload and system',
  },
  { name: 'warmup', kind: 'num', def: '5', quick: '0.5', arg: 's', doc: 'seconds of load before measuring' },
  {
    name: 'drain',
    kind: 'num',
    def: '5',
    quick: '0.5',
    arg: 's',
    doc: 'longest wait for deliveries after publishing stops',
  },
  {
    name: 'repeat',
    kind: 'int',
    def: '1',
    arg: 'n',
    doc: 'repetitions of the whole matrix (report: median and spread)',
  },
  {
    name: 'goim-rate',
    kind: 'num',
    def: '40',
    arg: 'msgs/s',
    doc: 'goim: pushes per second into the one room (HTTP API)',
  },
  { name: 'rooms', kind: 'int', def: '100', quick: '10', arg: 'n', doc: 'live: rooms (Zipf sizes)' },
  { name: 'zipf', kind: 'num', def: '1', arg: 's', doc: 'live/churn: Zipf exponent of room sizes' },
  {
    name: 'rate',
    kind: 'num',
    def: '300',
    quick: '60',
    arg: 'msgs/s',
    doc: 'live: messages per second over all rooms (chat, likes, entries, gifts, system, streamer)',
  },
  {
    name: 'gift-storm',
    kind: 'num',
    def: '200',
    quick: '30',
    arg: 'msgs/s',
    doc: 'live: gifts per second in the biggest room during the gift storm',
  },
  {
    name: 'flood',
    kind: 'num',
    def: '300',
    quick: '40',
    arg: 'msgs/s',
    doc: 'live: "666" messages per second in the biggest room during the flood',
  },
  {
    name: 'burst-seconds',
    kind: 'num',
    def: '3',
    quick: '0.5',
    arg: 's',
    doc: 'live: length of the gift storm and of the flood',
  },
  {
    name: 'churn-rate',
    kind: 'num',
    def: '0.05',
    arg: 'share/s',
    doc: 'churn: share of viewers leaving (and as many joining) per second',
  },
  {
    name: 'churn-storm',
    kind: 'bool',
    def: 'true',
    doc: 'churn: end with a reconnect storm (every counting viewer drops and reconnects)',
  },
  {
    name: 'slow-share',
    kind: 'num',
    def: '0.05',
    arg: 'share',
    doc: 'slow: share of viewers that stop reading (right after subscribing)',
  },
  {
    name: 'slow-rate',
    kind: 'num',
    def: '100',
    quick: '20',
    arg: 'msgs/s',
    doc: 'slow: ~4 KB leaderboard messages per second into the room (≥ 400 KB/s per viewer, so non-readers outgrow the kernel buffers in ~10 s)',
  },
  {
    name: 'sample',
    kind: 'num',
    def: '0.01',
    quick: '0.05',
    arg: 'share',
    doc: 'share of viewers that decode and check every message (plus one probe per room)',
  },
  {
    name: 'deflate-share',
    kind: 'num',
    def: '0.5',
    arg: 'share',
    doc: 'share of sampled viewers that negotiate permessage-deflate',
  },
  {
    name: 'per-generator',
    kind: 'int',
    def: '19000',
    arg: 'n',
    doc: 'most sockets per generator process (the open-files limit is 20,000)',
  },
  {
    name: 'generators',
    kind: 'int',
    def: '0',
    arg: 'n',
    doc: 'generator processes (0 = as few as --per-generator allows)',
  },
  {
    name: 'concurrency',
    kind: 'int',
    def: '500',
    arg: 'n',
    doc: 'connections in flight per generator while connecting',
  },
  {
    name: 'lazy-read-ms',
    kind: 'int',
    def: '250',
    quick: '50',
    arg: 'ms',
    doc: 'counting viewers read at most this often, taking all that arrived in one read, which makes a generator several times cheaper than the server (0 = read as data arrives; sampled viewers always read at once; slow uses 0)',
  },
  {
    name: 'source-addresses',
    kind: 'int',
    def: '50',
    arg: 'n',
    doc: 'client source addresses 127.0.0.2 … 127.0.0.(n+1), rotated',
  },
  {
    name: 'connect-timeout',
    kind: 'num',
    def: '30',
    arg: 's',
    doc: 'a connection not subscribed by then counts as failed',
  },
  {
    name: 'servers',
    kind: 'int',
    def: '1',
    arg: 'n',
    doc: 'roomcast processes (one port each); > 1 needs the Redis bus (--redis-url); baselines always run one',
  },
  {
    name: 'workers',
    kind: 'int',
    def: '1',
    arg: 'n',
    doc: "roomcast's own `workers` setting (Node cluster on one port; needs --redis-url); CPU and RSS sum the process tree",
  },
  {
    name: 'redis-url',
    kind: 'str',
    def: '',
    arg: 'url',
    doc: 'Redis of the roomcast bus (multi-process runs); keys get a prefix unique to the phase',
  },
  {
    name: 'target',
    kind: 'list',
    def: '',
    arg: 'host:port,…',
    doc: 'measure running roomcast nodes instead of starting them (system "roomcast" only)',
  },
  {
    name: 'target-pids',
    kind: 'list',
    def: '',
    arg: 'pid,…',
    doc: 'with --target: server PIDs whose CPU and RSS to record',
  },
  {
    name: 'api-key',
    kind: 'str',
    def: '',
    arg: 'key',
    doc: 'with --target: the server HTTP API key (otherwise generated)',
  },
  {
    name: 'token-secret',
    kind: 'str',
    def: '',
    arg: 'secret',
    doc: 'with --target: token.hmacSecret for publisher tokens (otherwise generated)',
  },
  {
    name: 'pin',
    kind: 'bool',
    def: 'true',
    doc: 'pin servers and generators to separate cores with taskset (--pin=false to disable)',
  },
  { name: 'server-cpus', kind: 'str', def: '0', arg: 'cpus', doc: 'taskset CPU list of the servers' },
  { name: 'generator-cpus', kind: 'str', def: '1', arg: 'cpus', doc: 'taskset CPU list of the generators' },
  {
    name: 'max-server-rss-mb',
    kind: 'int',
    def: '4096',
    arg: 'MiB',
    doc: 'stop a phase early when a server grows beyond this',
  },
  { name: 'seed', kind: 'int', def: '1', arg: 'n', doc: 'seed of room plans, samples and corpus choices' },
  {
    name: 'out',
    kind: 'str',
    def: 'bench/results',
    arg: 'dir',
    doc: 'results folder; a run writes <out>/<date>/<run-id>/',
  },
  {
    name: 'run-id',
    kind: 'str',
    def: '',
    arg: 'id',
    doc: 'name of the run folder (default: time and a random suffix)',
  },
  { name: 'label', kind: 'str', def: '', arg: 'text', doc: 'free text written at the top of the report' },
  {
    name: 'roomcast-bin',
    kind: 'str',
    def: '',
    arg: 'path',
    doc: 'roomcast launcher (default: packages/cli/bin/roomcast.js of this checkout)',
  },
  { name: 'progress', kind: 'bool', def: 'true', doc: 'live progress line on stderr' },
  { name: 'help', kind: 'bool', def: 'false', doc: 'this help' },
];

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
      const systems = list === 'all' ? [...SYSTEMS] : (list ?? '').split(',').map((x) => x.trim());
      for (const s of systems)
        if (!(SYSTEMS as readonly string[]).includes(s))
          throw new BenchUsageError(`--matrix: unknown system "${s}"`);
      o.workloads.push(w as WorkloadName);
      o.matrix[w as WorkloadName] = systems as SystemName[];
      for (const s of systems as SystemName[]) all.add(s);
    }
    o.systems = SYSTEMS.filter((s) => all.has(s));
  } else for (const w of o.workloads) o.matrix[w] = quickMatrix ? [...QUICK_MATRIX[w]] : [...o.systems];
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

Systems: roomcast (default config), roomcast-nobatch (live-room batching off, when the server
has the switch), ws-naive (ws.send per message per viewer), ws-preframed (one frame per message,
same bytes to every socket), socketio (Socket.IO 4 rooms, io.to(room).emit).

Options:
${rows.join('\n')}

Boolean options take --x, --x=false or --no-x. Exit codes: 0 done, 1 a phase failed, 2 usage.
`;
}
