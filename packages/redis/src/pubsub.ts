// Subscriber connections: one per attached bus endpoint (a node), so one node's slow reader or
// reconnect never stalls another's, and closing an endpoint drops exactly its subscriptions.
//
// Sharded mode uses SSUBSCRIBE: in a cluster each shard channel lives on the master owning its
// hash slot and node-redis keeps one subscriber connection per master. Plain mode (Redis < 7, no
// sharded pub/sub) uses SUBSCRIBE, which a cluster broadcasts to every node.
//
// node-redis resubscribes every channel after a reconnect, before it reports the connection
// ready; `onReconnect` runs then, so by the time the node re-checks its streams, messages flow.

import type { RedisTarget, ConnectionSettings } from './connection.ts';
import { newClusterClient, newStandaloneClient, startWithin, withDeadline } from './connection.ts';

export type MessageListener = (message: string) => void;

export interface PubSubConnection {
  /**
   * Resolves once the server confirmed the subscription. Subscribing again with the same
   * listener is a no-op; a subscription that timed out is undone, so none lingers unseen.
   */
  subscribe(channel: string, listener: MessageListener): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  close(): Promise<void>;
}

export interface PubSubOptions {
  sharded: boolean;
  /** Called after a lost connection is back and its channels are subscribed again. */
  onReconnect: () => void;
}

interface PubSubClient {
  subscribe(channel: string, listener: MessageListener): Promise<void>;
  unsubscribe(channel: string): Promise<void>;
  destroy(): void;
}

class Subscriber implements PubSubConnection {
  readonly #client: PubSubClient;
  readonly #settings: ConnectionSettings;

  constructor(client: PubSubClient, settings: ConnectionSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  async subscribe(channel: string, listener: MessageListener): Promise<void> {
    try {
      await withDeadline(
        this.#client.subscribe(channel, listener),
        this.#settings.commandTimeoutMs,
        'SUBSCRIBE',
      );
    } catch (err) {
      // If the server confirms after our deadline, this unsubscribe (queued behind it) undoes it.
      this.#client.unsubscribe(channel).catch(() => undefined);
      throw err;
    }
  }

  unsubscribe(channel: string): Promise<void> {
    return withDeadline(this.#client.unsubscribe(channel), this.#settings.commandTimeoutMs, 'UNSUBSCRIBE');
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

export async function openPubSub(
  target: RedisTarget,
  s: ConnectionSettings,
  opts: PubSubOptions,
): Promise<PubSubConnection> {
  const name = `${s.clientName}-bus`;
  // A connection that went through 'reconnecting' reports once it is ready again. Initial
  // connect retries do not count: nothing was subscribed yet.
  let started = false;
  const lost = new Set<string>();
  const onLost = (where: string) => {
    if (started) lost.add(where);
  };
  const onReady = (where: string) => {
    if (lost.delete(where)) opts.onReconnect();
  };

  if ('url' in target) {
    const client = newStandaloneClient(target.url, s, name);
    client.on('reconnecting', () => onLost(''));
    client.on('ready', () => onReady(''));
    await startWithin(client.connect(), () => client.destroy(), s, name);
    started = true;
    return new Subscriber(
      {
        subscribe: (ch, l) => (opts.sharded ? client.sSubscribe(ch, l) : client.subscribe(ch, l)),
        unsubscribe: (ch) => (opts.sharded ? client.sUnsubscribe(ch) : client.unsubscribe(ch)),
        destroy: () => client.destroy(),
      },
      s,
    );
  }

  // Per-endpoint cluster client: it only discovers the topology up front and opens one
  // subscriber connection per master that owns a subscribed shard channel.
  const cluster = newClusterClient(target.cluster.rootNodes, s, name, true);
  const where = (node: { host?: string; port?: number }) => `${node.host ?? ''}:${node.port ?? 0}`;
  cluster.on('node-reconnecting', (node: { host?: string; port?: number }) => onLost(where(node)));
  cluster.on('node-ready', (node: { host?: string; port?: number }) => onReady(where(node)));
  await startWithin(cluster.connect(), () => cluster.destroy(), s, name);
  started = true;
  return new Subscriber(
    {
      subscribe: (ch, l) => (opts.sharded ? cluster.sSubscribe(ch, l) : cluster.subscribe(ch, l)),
      unsubscribe: (ch) => (opts.sharded ? cluster.sUnsubscribe(ch) : cluster.unsubscribe(ch)),
      destroy: () => cluster.destroy(),
    },
    s,
  );
}
