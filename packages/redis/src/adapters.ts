// Composition of the Redis adapters: one command connection (or cluster client) shared by the
// stores and by bus publishes, plus one subscriber connection per attached bus endpoint.

import { RedisBus } from './bus.ts';
import {
  openCommands,
  type CommandConnection,
  type ConnectionSettings,
  type RedisTarget,
} from './connection.ts';
import { RedisConfigError } from './errors.ts';
import { RedisHistoryStore } from './history.ts';
import { KeyLayout } from './keys.ts';
import { RedisOnlineStore } from './online.ts';
import { RedisPresenceStore } from './presence.ts';
import { RedisNodeRegistry } from './registry.ts';

export interface RedisAdaptersOptions {
  /** `redis://[user:pass@]host:port[/db]` of a standalone server (ignored with `cluster`). */
  url?: string;
  /** Redis Cluster: root node URLs to discover the topology from. */
  cluster?: { rootNodes: string[] };
  /** Prepended to every key and channel (default "roomcast:"); must not contain "{" or "}". */
  prefix?: string;
  /**
   * Pub/sub flavour: "sharded" (SSUBSCRIBE/SPUBLISH, Redis ≥ 7), "plain" (SUBSCRIBE/PUBLISH) or
   * "auto" (default: sharded when the server knows SPUBLISH).
   */
  pubsub?: 'auto' | 'sharded' | 'plain';
  /**
   * Command deadline (default 1000 ms): publish, append and reads reject by then. Redis answers
   * in well under a millisecond; a second means it is gone or stuck, and a publisher must learn
   * that fast rather than hang.
   */
  commandTimeoutMs?: number;
  /** TCP connect deadline per attempt (default 2000 ms: generous for a LAN, short for a retry loop). */
  connectTimeoutMs?: number;
  /**
   * PING period per connection (default 1000 ms); a connection silent for 3 periods is
   * reconnected. One PING a second per connection is negligible load and finds a black-holed
   * connection within ~3 s.
   */
  healthCheckMs?: number;
  /** Deadline of the first connection (default 5000 ms): a server start fails instead of waiting. */
  startTimeoutMs?: number;
  /** CLIENT SETNAME of our connections (default "roomcast"). */
  clientName?: string;
  /**
   * Unique-viewer HyperLogLogs expire this long after their last addition (default 7 days: a
   * room's cumulative audience outlives a broadcast, not forever; each HLL is up to 12 KiB).
   */
  uniqueTtlMs?: number;
  /**
   * Connection errors and undecodable bus messages (default: process.emitWarning, repeated
   * messages at most every 10 s). The adapters never throw these at callers.
   */
  onError?: (err: Error) => void;
}

export interface RedisAdapters {
  bus: RedisBus;
  history: RedisHistoryStore;
  presence: RedisPresenceStore;
  online: RedisOnlineStore;
  registry: RedisNodeRegistry;
  /** The resolved pub/sub flavour. */
  sharded: boolean;
  keys: KeyLayout;
  /** The shared command connection (for tests and operational tooling). */
  commands: CommandConnection;
  /** Closes every bus endpoint and the command connection. */
  close(): Promise<void>;
}

/** Reports each distinct error message at most once per `everyMs`, as a process warning. */
function warningReporter(everyMs = 10_000): (err: Error) => void {
  const last = new Map<string, number>();
  return (err) => {
    const key = `${err.name}: ${err.message}`;
    const now = Date.now();
    if ((last.get(key) ?? -Infinity) + everyMs > now) return;
    if (last.size > 100) last.clear();
    last.set(key, now);
    process.emitWarning(err);
  };
}

async function detectSharded(commands: CommandConnection): Promise<boolean> {
  // COMMAND INFO answers [null] for commands the server does not know (Redis < 7: no SPUBLISH).
  const reply = await commands.send(undefined, ['COMMAND', 'INFO', 'SPUBLISH']);
  return Array.isArray(reply) && reply[0] !== null && reply[0] !== undefined;
}

export async function createRedisAdapters(opts: RedisAdaptersOptions): Promise<RedisAdapters> {
  const keys = new KeyLayout(opts.prefix ?? 'roomcast:');
  let target: RedisTarget;
  if (opts.cluster) {
    if (opts.cluster.rootNodes.length === 0)
      throw new RedisConfigError('redis cluster needs at least one root node');
    target = { cluster: { rootNodes: opts.cluster.rootNodes } };
  } else if (opts.url !== undefined) {
    target = { url: opts.url };
  } else {
    throw new RedisConfigError('redis adapters need `url` or `cluster.rootNodes`');
  }
  const settings: ConnectionSettings = {
    commandTimeoutMs: opts.commandTimeoutMs ?? 1000,
    connectTimeoutMs: opts.connectTimeoutMs ?? 2000,
    healthCheckMs: opts.healthCheckMs ?? 1000,
    startTimeoutMs: opts.startTimeoutMs ?? 5000,
    clientName: opts.clientName ?? 'roomcast',
    onError: opts.onError ?? warningReporter(),
  };
  const commands = await openCommands(target, settings);
  try {
    const mode = opts.pubsub ?? 'auto';
    const sharded = mode === 'auto' ? await detectSharded(commands) : mode === 'sharded';
    const bus = new RedisBus({ target, settings, commands, keys, sharded });
    return {
      bus,
      history: new RedisHistoryStore({ commands, keys, sharded }),
      presence: new RedisPresenceStore({ commands, keys }),
      online: new RedisOnlineStore(
        { commands, keys },
        opts.uniqueTtlMs === undefined ? {} : { uniqueTtlMs: opts.uniqueTtlMs },
      ),
      registry: new RedisNodeRegistry({ commands, keys }),
      sharded,
      keys,
      commands,
      close: async () => {
        await bus.closeAll();
        await commands.close();
      },
    };
  } catch (err) {
    await commands.close();
    throw err;
  }
}
