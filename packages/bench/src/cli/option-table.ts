// The option table of `roomcast bench`: each option's type, default, quick-mode value and help
// line, in one place (parsing and --help both read it).

export type Kind = 'int' | 'num' | 'str' | 'list' | 'bool';

export interface OptionDef {
  readonly name: string;
  readonly kind: Kind;
  readonly def: string;
  /** Value under --quick (unless given explicitly). */
  readonly quick?: string;
  readonly arg?: string;
  readonly doc: string;
}

export const WORKLOADS = ['goim', 'live', 'churn', 'slow', 'idle', 'room'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
/** Workloads of a run when --workloads is not given (`room` runs when named: npm run bench:room). */
export const DEFAULT_WORKLOADS: readonly WorkloadName[] = ['goim', 'live', 'churn', 'slow', 'idle'];
export const SYSTEMS = [
  'roomcast',
  'roomcast-nobatch',
  'ws-naive',
  'ws-preframed',
  'socketio',
  'ws-batched',
  'roomcast-redis3',
] as const;
export type SystemName = (typeof SYSTEMS)[number];
/** Systems of a run when --systems is not given (ws-batched and roomcast-redis3 run when named). */
export const LOCAL_SYSTEMS: readonly SystemName[] = [
  'roomcast',
  'roomcast-nobatch',
  'ws-naive',
  'ws-preframed',
  'socketio',
];

/**
 * Under --quick (unless --workloads or --systems are given): every system on goim, the client
 * publishing paths of both protocols on live, roomcast alone on the rest. It exercises every
 * code path of the bench in about a minute.
 */
export const QUICK_MATRIX: Readonly<Record<WorkloadName, readonly SystemName[]>> = {
  goim: ['roomcast', 'roomcast-nobatch', 'ws-naive', 'ws-preframed', 'socketio'],
  live: ['roomcast', 'socketio'],
  churn: ['roomcast'],
  slow: ['roomcast'],
  idle: ['roomcast'],
  room: ['roomcast', 'ws-naive'],
};

export const TABLE: readonly OptionDef[] = [
  {
    name: 'workloads',
    kind: 'list',
    def: DEFAULT_WORKLOADS.join(','),
    arg: 'list',
    doc: `workloads to run: ${WORKLOADS.join(', ')} (room only when named)`,
  },
  {
    name: 'systems',
    kind: 'list',
    def: LOCAL_SYSTEMS.join(','),
    arg: 'list',
    doc: `systems to compare: ${SYSTEMS.join(', ')} (ws-batched and roomcast-redis3 only when named; roomcast-redis3 needs --redis-url)`,
  },
  {
    name: 'matrix',
    kind: 'str',
    def: '',
    arg: 'w=s,…;…',
    doc: 'systems per workload, e.g. "goim=all;live=roomcast,socketio" (overrides --workloads/--systems; "all" is every system, roomcast-redis3 only with --redis-url)',
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
    name: 'slow-warmup',
    kind: 'num',
    def: '5',
    quick: '0.5',
    arg: 's',
    doc: 'slow: seconds of load before measuring (instead of --warmup: a long warm-up would let the server drop the non-readers before the window)',
  },
  {
    name: 'room-viewers',
    kind: 'int',
    def: '10000',
    quick: '300',
    arg: 'n',
    doc: 'room: viewers of the one room (each subscribes live:<room> and gift:<room>)',
  },
  {
    name: 'room-chat-rate',
    kind: 'num',
    def: '1000',
    quick: '100',
    arg: 'msgs/s',
    doc: 'room: chat messages per second (HTTP API publish on live:<room>, corpus text)',
  },
  {
    name: 'room-gift-rate',
    kind: 'num',
    def: '10',
    quick: '5',
    arg: 'msgs/s',
    doc: 'room: gifts per second (HTTP API publish on gift:<room>, priority gift)',
  },
  {
    name: 'room-duration',
    kind: 'num',
    def: '30',
    quick: '1.5',
    arg: 's',
    doc: 'room: measured seconds of publishing (instead of --duration)',
  },
  {
    name: 'room-generators',
    kind: 'int',
    def: '4',
    quick: '2',
    arg: 'n',
    doc: 'room: at least this many client (generator) processes',
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
    doc: 'processes of the roomcast and roomcast-nobatch systems (one port each); > 1 needs the Redis bus (--redis-url); baselines always run one, roomcast-redis3 three',
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
    doc: 'Redis of the roomcast bus: used by roomcast-redis3 and by roomcast/roomcast-nobatch when --servers or --workers > 1 (one process stays embedded); keys get a prefix unique to the phase',
  },
  {
    name: 'redis-pid',
    kind: 'int',
    def: '0',
    arg: 'pid',
    doc: "Redis server PID whose CPU is recorded beside the servers' in Redis phases (0 = the redis-server process found in /proc, if exactly one)",
  },
  {
    name: 'server-node-args',
    kind: 'str',
    def: '',
    arg: 'flags',
    doc: 'extra Node flags for the roomcast processes the bench starts, space-separated (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"; profiles are written when the bench stops the server)',
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
