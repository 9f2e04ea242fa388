// Command connections to Redis, standalone or cluster, with the failure behaviour roomcast
// needs from a broker:
// - fail fast: no offline queue, so while a connection is down every command rejects at once
//   (RedisUnavailableError) instead of piling up and firing late;
// - bounded: every command settles within `commandTimeoutMs` (RedisTimeoutError). node-redis's
//   own timeout only covers commands not yet written, so a deadline wraps each call: a command
//   written into a black hole still rejects on time;
// - self-healing: each connection PINGs every `healthCheckMs`; one silent for three periods (no
//   reply, no traffic) is torn down and reconnected with capped backoff (≤ ~1.1 s between tries).
//
// Errors from Redis itself (a script error, WRONGTYPE) come back as RedisCommandError.

import {
  ClientClosedError,
  ClientOfflineError,
  createClient,
  createCluster,
  ErrorReply,
  TimeoutError,
} from 'redis';
import { RedisCommandError, RedisTimeoutError, RedisUnavailableError } from './errors.ts';
import type { LuaScript } from './lua.ts';

/** Where Redis is: one server by URL, or a cluster discovered from root nodes. */
export type RedisTarget = { url: string } | { cluster: { rootNodes: readonly string[] } };

export interface ConnectionSettings {
  /** Deadline of every command, default 1000 ms: a publish must fail fast, not hang. */
  commandTimeoutMs: number;
  /** TCP connect deadline per attempt, default 2000 ms. */
  connectTimeoutMs: number;
  /** PING period, default 1000 ms; a connection silent for 3 periods is reconnected. */
  healthCheckMs: number;
  /** Deadline for the first connection at start-up, default 5000 ms. */
  startTimeoutMs: number;
  /** CLIENT SETNAME of command connections (subscriber connections get "-bus" appended). */
  clientName: string;
  /** Connection errors and undecodable messages; never thrown, so they are reported here. */
  onError: (err: Error) => void;
}

export interface CommandConnection {
  readonly isCluster: boolean;
  /** Sends one command; in a cluster `key` picks the node (its hash slot), else a random node. */
  send(key: string | undefined, args: readonly string[]): Promise<unknown>;
  /** EVALSHA routed by the first key, loading the script on NOSCRIPT. */
  eval(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown>;
  /**
   * Resolves true once the connection is up (at once when it is), false after `timeoutMs`.
   * A cluster client has no single state: it resolves true at once.
   */
  whenReady(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** node-redis options shared by every connection we open. */
export function nodeRedisDefaults(s: ConnectionSettings, name: string) {
  return {
    name,
    disableOfflineQueue: true,
    pingInterval: s.healthCheckMs,
    commandOptions: { timeout: s.commandTimeoutMs },
    socket: {
      connectTimeout: s.connectTimeoutMs,
      socketTimeout: s.healthCheckMs * 3,
      // Never give up (a broker outage ends some day); retry quickly, capped near 1 s.
      reconnectStrategy: (retries: number): number =>
        Math.min(50 * 2 ** retries, 1000) + Math.floor(Math.random() * 100),
    },
  };
}

export function toRedisError(err: unknown, what: string, timeoutMs: number): Error {
  if (
    err instanceof RedisCommandError ||
    err instanceof RedisTimeoutError ||
    err instanceof RedisUnavailableError
  ) {
    return err;
  }
  if (err instanceof ErrorReply)
    return new RedisCommandError(`redis ${what}: ${err.message}`, { cause: err });
  if (err instanceof TimeoutError) return new RedisTimeoutError(what, timeoutMs, { cause: err });
  const reason =
    err instanceof ClientOfflineError
      ? 'connection is down'
      : err instanceof ClientClosedError
        ? 'connection is closed'
        : err instanceof Error
          ? err.message
          : String(err);
  return new RedisUnavailableError(`redis ${what} failed: ${reason}`, { cause: err });
}

/** Settles with `p`, or rejects with RedisTimeoutError after `ms` (the late outcome is dropped). */
export function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(toRedisError(err, what, ms));
      },
    );
  });
}

/** Awaits a first connection within the start deadline; on failure tears it down. */
export async function startWithin(
  connect: Promise<unknown>,
  destroy: () => void,
  s: ConnectionSettings,
  what: string,
): Promise<void> {
  try {
    await withDeadline(connect, s.startTimeoutMs, `${what} connect`);
  } catch (err) {
    destroy();
    // A timed-out connect() keeps retrying inside node-redis until destroy(); its late
    // rejection is expected.
    connect.catch(() => undefined);
    throw new RedisUnavailableError(`cannot connect to redis (${what})`, { cause: err });
  }
}

/**
 * Lets queued commands finish (graceful close), but never longer than `ms`: a connection that
 * is down or stuck is destroyed instead.
 */
export async function closeWithin(
  close: () => Promise<unknown>,
  destroy: () => void,
  ms: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      close().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    destroy();
  }
}

const isNoScript = (err: unknown): boolean =>
  err instanceof RedisCommandError &&
  err.cause instanceof ErrorReply &&
  err.cause.message.startsWith('NOSCRIPT');

abstract class BaseCommands implements CommandConnection {
  abstract readonly isCluster: boolean;
  protected readonly settings: ConnectionSettings;

  constructor(settings: ConnectionSettings) {
    this.settings = settings;
  }

  protected abstract raw(key: string | undefined, args: readonly string[]): Promise<unknown>;
  abstract whenReady(timeoutMs: number): Promise<boolean>;
  abstract close(): Promise<void>;

  send(key: string | undefined, args: readonly string[]): Promise<unknown> {
    let p: Promise<unknown>;
    try {
      p = this.raw(key, args);
    } catch (err) {
      p = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return withDeadline(p, this.settings.commandTimeoutMs, args[0] ?? 'command');
  }

  async eval(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const call = ['EVALSHA', script.sha, String(keys.length), ...keys, ...args];
    try {
      return await this.send(keys[0], call);
    } catch (err) {
      if (!isNoScript(err)) throw err;
      // Replies come back in order on one connection, so concurrent callers that all hit
      // NOSCRIPT retry in their original order.
      await this.send(keys[0], ['SCRIPT', 'LOAD', script.source]);
      return this.send(keys[0], call);
    }
  }
}

export type StandaloneClient = ReturnType<typeof newStandaloneClient>;
export type ClusterClient = ReturnType<typeof newClusterClient>;

// Return types are inferred: node-redis's client types are generic over modules and RESP.
export function newStandaloneClient(url: string, s: ConnectionSettings, name: string) {
  const client = createClient({ url, ...nodeRedisDefaults(s, name) });
  client.on('error', (err: unknown) =>
    s.onError(toRedisError(err, `connection ${name}`, s.commandTimeoutMs)),
  );
  return client;
}

export function newClusterClient(
  rootNodes: readonly string[],
  s: ConnectionSettings,
  name: string,
  minimizeConnections: boolean,
) {
  // node-redis applies only `defaults` to the nodes it discovers, so credentials given in the
  // root URLs are copied there (TLS is not: use a standalone rediss:// URL or extend this).
  const first = rootNodes[0] === undefined ? undefined : new URL(rootNodes[0]);
  const credentials =
    first && first.password !== ''
      ? {
          password: decodeURIComponent(first.password),
          ...(first.username !== '' ? { username: decodeURIComponent(first.username) } : {}),
        }
      : {};
  const cluster = createCluster({
    rootNodes: rootNodes.map((url) => ({ url })),
    defaults: { ...nodeRedisDefaults(s, name), ...credentials },
    minimizeConnections,
  });
  const report = (err: unknown) =>
    s.onError(toRedisError(err, `cluster connection ${name}`, s.commandTimeoutMs));
  cluster.on('error', report);
  cluster.on('node-error', report);
  return cluster;
}

class StandaloneCommands extends BaseCommands {
  readonly isCluster = false;
  readonly client: StandaloneClient;

  constructor(client: StandaloneClient, settings: ConnectionSettings) {
    super(settings);
    this.client = client;
  }

  protected raw(_key: string | undefined, args: readonly string[]): Promise<unknown> {
    return this.client.sendCommand(args);
  }

  whenReady(timeoutMs: number): Promise<boolean> {
    if (this.client.isReady) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.client.on('ready', onReady);
    });
  }

  async close(): Promise<void> {
    await closeWithin(
      () => this.client.close(),
      () => this.client.destroy(),
      this.settings.commandTimeoutMs,
    );
  }
}

class ClusterCommands extends BaseCommands {
  readonly isCluster = true;
  readonly cluster: ClusterClient;

  constructor(cluster: ClusterClient, settings: ConnectionSettings) {
    super(settings);
    this.cluster = cluster;
  }

  protected raw(key: string | undefined, args: readonly string[]): Promise<unknown> {
    return this.cluster.sendCommand(key, false, [...args]);
  }

  async whenReady(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    await closeWithin(
      () => this.cluster.close(),
      () => this.cluster.destroy(),
      this.settings.commandTimeoutMs,
    );
  }
}

export async function openCommands(target: RedisTarget, s: ConnectionSettings): Promise<CommandConnection> {
  if ('url' in target) {
    const client = newStandaloneClient(target.url, s, s.clientName);
    await startWithin(client.connect(), () => client.destroy(), s, s.clientName);
    return new StandaloneCommands(client, s);
  }
  const cluster = newClusterClient(target.cluster.rootNodes, s, s.clientName, false);
  await startWithin(cluster.connect(), () => cluster.destroy(), s, s.clientName);
  return new ClusterCommands(cluster, s);
}
