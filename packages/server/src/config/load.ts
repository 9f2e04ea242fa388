// Layers a configuration together: schema defaults < dev overlay < file < env < flags. Only the
// CLI passes `process.env`; library users pass plain objects.

import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import YAML from 'yaml';
import { ConfigSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: string[];
  constructor(message: string, problems: string[], options?: ErrorOptions) {
    super(problems.length > 0 ? `${message}:\n  - ${problems.join('\n  - ')}` : message, options);
    this.problems = problems;
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A leaf of the schema: a dotted path, its schema node and its env name if any. */
export interface ConfigLeaf {
  path: string;
  schema: TSchema;
  env?: string;
  description: string;
}

/** Lists every configurable leaf (objects are walked, arrays and scalars are leaves). */
export function configLeaves(schema: TSchema = ConfigSchema, prefix = ''): ConfigLeaf[] {
  const out: ConfigLeaf[] = [];
  const props = (schema as { properties?: Record<string, TSchema> }).properties;
  if (schema['type'] === 'object' && props) {
    for (const [k, v] of Object.entries(props)) out.push(...configLeaves(v, prefix ? `${prefix}.${k}` : k));
    return out;
  }
  const leaf: ConfigLeaf = { path: prefix, schema, description: String(schema['description'] ?? '') };
  if (typeof schema['env'] === 'string') leaf.env = schema['env'];
  out.push(leaf);
  return out;
}

function leafKind(schema: TSchema): 'integer' | 'number' | 'boolean' | 'string' | 'array' | 'other' {
  const t: unknown = schema['type'];
  if (t === 'integer' || t === 'number' || t === 'boolean' || t === 'string' || t === 'array') return t;
  if (Array.isArray(schema['anyOf'])) return 'string'; // unions of string literals
  return 'other';
}

/** Parses a string (env var or flag) into the leaf's type. */
export function parseLeafValue(leaf: ConfigLeaf, raw: string, source: string): unknown {
  switch (leafKind(leaf.schema)) {
    case 'integer':
    case 'number': {
      const n = Number(raw.trim());
      if (raw.trim() === '' || !Number.isFinite(n)) {
        throw new ConfigError(`invalid ${source}`, [`${leaf.path}: "${raw}" is not a number`]);
      }
      return n;
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
      throw new ConfigError(`invalid ${source}`, [`${leaf.path}: "${raw}" is not true/false`]);
    }
    case 'array':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'string':
      return raw;
    default:
      try {
        return JSON.parse(raw);
      } catch (err) {
        throw new ConfigError(`invalid ${source}`, [`${leaf.path}: expected JSON`], { cause: err });
      }
  }
}

function setPath(target: Obj, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = target;
  for (const k of keys.slice(0, -1)) {
    const next = cur[k];
    if (!isObj(next)) cur[k] = {};
    cur = cur[k] as Obj;
  }
  cur[keys[keys.length - 1] as string] = value;
}

/** Deep merge where arrays and scalars of `over` replace those of `base`. */
export function mergeConfig(base: Obj, over: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObj(b) && isObj(v) ? mergeConfig(b, v) : v;
  }
  return out;
}

export function readConfigFile(file: string): Obj {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}`, [(err as Error).message], { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(
      `config file ${file} is not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'}`,
      [(err as Error).message],
      { cause: err },
    );
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObj(parsed)) throw new ConfigError(`config file ${file} must hold an object`, []);
  return parsed;
}

/** Env overrides: only variables named in the schema are read. */
export function configFromEnv(env: Record<string, string | undefined>): Obj {
  const out: Obj = {};
  for (const leaf of configLeaves()) {
    if (leaf.env === undefined) continue;
    const raw = env[leaf.env];
    if (raw === undefined || raw === '') continue;
    setPath(out, leaf.path, parseLeafValue(leaf, raw, `environment variable ${leaf.env}`));
  }
  return out;
}

/** Flag overrides as `{ 'http.port': '9000' }` (dotted schema paths). */
export function configFromFlags(flags: Record<string, string>): Obj {
  const leaves = new Map(configLeaves().map((l) => [l.path, l]));
  const out: Obj = {};
  for (const [path, raw] of Object.entries(flags)) {
    const leaf = leaves.get(path);
    if (!leaf) {
      throw new ConfigError('unknown option', [
        `--${path}: not a config key (see roomcast print-default-config)`,
      ]);
    }
    setPath(out, path, parseLeafValue(leaf, raw, `flag --${path}`));
  }
  return out;
}

/** Fills defaults and validates; throws ConfigError listing every problem. */
export function resolveConfig(input: Obj = {}): Config {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(input)) as Obj;
  const problems = [...Value.Errors(ConfigSchema, withDefaults)].map(
    (e) => `${e.path.replace(/^\//, '').replaceAll('/', '.') || '(root)'}: ${e.message}`,
  );
  if (problems.length > 0) throw new ConfigError('invalid configuration', problems.slice(0, 20));
  const config = withDefaults as Config;
  const semantic = checkSemantics(config);
  if (semantic.length > 0) throw new ConfigError('invalid configuration', semantic);
  return config;
}

function checkSemantics(c: Config): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const ns of c.namespaces) {
    if (seen.has(ns.name)) problems.push(`namespaces: duplicate namespace "${ns.name}"`);
    seen.add(ns.name);
    if (ns.recovery && ns.historySize === 0)
      problems.push(`namespaces.${ns.name}: recovery needs historySize > 0`);
  }
  if (c.channels.recovery && c.channels.historySize === 0)
    problems.push('channels: recovery needs historySize > 0');
  if (c.client.pongTimeoutSeconds >= c.client.pingIntervalSeconds && c.client.pongTimeoutSeconds > 0) {
    problems.push('client.pongTimeoutSeconds must be below client.pingIntervalSeconds');
  }
  const redis = c.redis.url !== '' || c.redis.clusterNodes.length > 0;
  for (const key of ['bus', 'history', 'presence'] as const) {
    if (c[key] === 'redis' && !redis)
      problems.push(`${key}: "redis" needs redis.url (ROOMCAST_REDIS_URL) or redis.clusterNodes`);
  }
  const backend = (k: 'bus' | 'history'): string => (c[k] === 'auto' ? (redis ? 'redis' : 'memory') : c[k]);
  if (backend('history') === 'redis' && backend('bus') !== 'redis') {
    problems.push(
      'history: "redis" publishes in the same Lua script as it stores, so bus must be "redis" too',
    );
  }
  if (c.workers > 1 && backend('bus') !== 'redis') {
    problems.push('workers: more than 1 process needs the Redis bus (set ROOMCAST_REDIS_URL)');
  }
  if (c.client.queueSoftLimitBytes > c.client.queueHardLimitBytes) {
    problems.push('client.queueSoftLimitBytes must not exceed client.queueHardLimitBytes');
  }
  return problems;
}

/** Development overlay used by `roomcast serve --dev` (and `npm start`). */
export const DEV_OVERLAY: Obj = {
  api: { key: 'dev-api-key' },
  token: { hmacSecret: 'dev-secret' },
  client: { allowAnonymous: true },
  demo: { enabled: true },
  log: { level: 'info' },
};

export interface LoadOptions {
  file?: string;
  env?: Record<string, string | undefined>;
  flags?: Record<string, string>;
  dev?: boolean;
}

export function loadConfig(opts: LoadOptions = {}): Config {
  let layered: Obj = opts.dev ? structuredClone(DEV_OVERLAY) : {};
  if (opts.file) layered = mergeConfig(layered, readConfigFile(opts.file));
  if (opts.env) layered = mergeConfig(layered, configFromEnv(opts.env));
  if (opts.flags) layered = mergeConfig(layered, configFromFlags(opts.flags));
  return resolveConfig(layered);
}

/** The backend each port uses after `auto` is resolved. */
export function backends(c: Config): {
  bus: 'memory' | 'redis';
  history: 'memory' | 'redis';
  presence: 'memory' | 'redis';
} {
  const redis = c.redis.url !== '' || c.redis.clusterNodes.length > 0;
  const pick = (v: Config['bus']): 'memory' | 'redis' => (v === 'auto' ? (redis ? 'redis' : 'memory') : v);
  return { bus: pick(c.bus), history: pick(c.history), presence: pick(c.presence) };
}

/** The default configuration as plain data (what `print-default-config` prints). */
export function defaultConfig(): Config {
  return resolveConfig({});
}
