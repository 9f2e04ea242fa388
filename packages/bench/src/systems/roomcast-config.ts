// The configuration roomcast runs with under the bench. The server's own defaults (from
// `roomcast print-default-config --format json`) are the base, so the bench measures what users
// get; the bench changes only what load generation needs (listen address, API key, token secret,
// per-IP cap, command rate, log level) and, per system and workload, the room engine's options.
// The batching switch is looked up in the printed defaults, so the "batching off" variant works
// as soon as the server grows the setting and is identical to the default before.

import { execFileSync } from 'node:child_process';

export interface DefaultConfig {
  namespaces?: Record<string, unknown>[];
  [key: string]: unknown;
}

/** Where the batching switch of a namespace may live, first match wins, and its "off" value. */
const BATCH_SWITCHES: readonly { path: readonly string[]; off: unknown }[] = [
  { path: ['room', 'enabled'], off: false },
  { path: ['batch', 'enabled'], off: false },
  { path: ['batch'], off: false },
  { path: ['batchWindowMs'], off: 0 },
];

export interface EngineKnobs {
  /** Path of the batching switch inside the `live` namespace, or null when the server has none. */
  batchSwitch: { path: readonly string[]; off: unknown } | null;
  /** Room-engine options the server knows (keys of namespaces[live].room). */
  roomKeys: ReadonlySet<string>;
}

export function readDefaults(roomcastBin: string): DefaultConfig {
  const text = execFileSync(process.execPath, [roomcastBin, 'print-default-config', '--format', 'json'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return JSON.parse(text) as DefaultConfig;
}

function at(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || !(k in cur)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function liveNamespace(d: DefaultConfig): Record<string, unknown> | undefined {
  return d.namespaces?.find((n) => n['name'] === 'live');
}

export function detectEngine(d: DefaultConfig): EngineKnobs {
  const live = liveNamespace(d);
  const batchSwitch = BATCH_SWITCHES.find((s) => at(live, s.path) !== undefined) ?? null;
  const room = live?.['room'];
  const roomKeys = new Set(typeof room === 'object' && room !== null ? Object.keys(room) : []);
  return { batchSwitch, roomKeys };
}

export interface RoomcastConfigInput {
  defaults: DefaultConfig;
  knobs: EngineKnobs;
  port: number;
  nodeName: string;
  apiKey: string;
  hmacSecret: string;
  batching: boolean;
  /** Room-engine options for this workload (only the ones the server knows are applied). */
  engine: Record<string, unknown>;
  /** Redis for the bus between processes ('' = in-memory, one process). */
  redisUrl: string;
  /** Key prefix in Redis: unique per phase, so runs never see each other's data. */
  redisPrefix: string;
  /** Processes serving the port (Node cluster), when the server has the setting. */
  workers: number;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const k of path.slice(0, -1)) {
    const next = cur[k];
    const o: Record<string, unknown> =
      typeof next === 'object' && next !== null ? { ...(next as Record<string, unknown>) } : {};
    cur[k] = o;
    cur = o;
  }
  cur[path.at(-1) as string] = value;
}

/** The config file of one roomcast process; `applied` lists the engine settings changed. */
export function roomcastConfig(i: RoomcastConfigInput): {
  config: Record<string, unknown>;
  applied: string[];
} {
  const applied: string[] = [];
  const namespaces = (i.defaults.namespaces ?? []).map((n) => {
    if (n['name'] !== 'live') return n;
    const ns: Record<string, unknown> = { ...n };
    for (const [k, v] of Object.entries(i.engine)) {
      if (!i.knobs.roomKeys.has(k)) continue;
      setPath(ns, ['room', k], v);
      applied.push(`live.room.${k}=${JSON.stringify(v)}`);
    }
    if (!i.batching && i.knobs.batchSwitch) {
      setPath(ns, i.knobs.batchSwitch.path, i.knobs.batchSwitch.off);
      applied.push(`live.${i.knobs.batchSwitch.path.join('.')}=${JSON.stringify(i.knobs.batchSwitch.off)}`);
    }
    return ns;
  });
  const extra: Record<string, unknown> = {};
  if (i.redisUrl !== '') {
    if (typeof i.defaults['redis'] !== 'object')
      throw new Error('this roomcast has no redis settings (--redis-url)');
    extra['redis'] = {
      ...(i.defaults['redis'] as Record<string, unknown>),
      url: i.redisUrl,
      prefix: i.redisPrefix,
    };
  }
  if (i.workers > 1) {
    if (typeof i.defaults['workers'] !== 'number')
      throw new Error('this roomcast has no workers setting (--workers)');
    extra['workers'] = i.workers;
  }
  const config = {
    ...extra,
    node: { name: i.nodeName },
    http: { port: i.port, host: '127.0.0.1' },
    api: { key: i.apiKey },
    token: { hmacSecret: i.hmacSecret },
    client: {
      allowAnonymous: true,
      // Generators spread over 127.0.0.x, but one address still carries thousands of sockets.
      maxConnectionsPerIp: 0,
      // Publishing users send a few messages per second; viewers only pong.
      commandRateLimit: 1000,
      connectTimeoutSeconds: 60,
    },
    namespaces,
    log: { level: 'warn' },
  };
  return { config, applied };
}
