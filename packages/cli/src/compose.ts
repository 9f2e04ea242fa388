// Adapters for a node, chosen by config: in-memory (embedded default) or Redis (distributed).
// Only the CLI imports @roomcast/redis; the server core never does.

import { backends, type Config, type Logger, type NodeOptions } from '@roomcast/server';
import { UsageError } from './args.ts';

export interface Composition {
  options: Pick<NodeOptions, 'bus' | 'history' | 'presence' | 'online' | 'registry' | 'lingerMs'>;
  description: string;
  close(): Promise<void>;
}

export async function compose(config: Config, log: Logger): Promise<Composition> {
  const b = backends(config);
  if (b.bus === 'memory' && b.history === 'memory' && b.presence === 'memory') {
    return {
      options: {},
      description: 'embedded: in-memory bus, history and presence',
      close: async () => undefined,
    };
  }
  const { createRedisAdapters } = await import('@roomcast/redis');
  const cluster = config.redis.clusterNodes;
  const target = cluster.length > 0 ? `cluster ${cluster.join(',')}` : config.redis.url;
  let redis;
  try {
    redis = await createRedisAdapters({
      ...(cluster.length > 0 ? { cluster: { rootNodes: cluster } } : { url: config.redis.url }),
      prefix: config.redis.prefix,
      pubsub: config.redis.pubsub,
      clientName: `roomcast:${config.node.name || 'node'}`,
      onError: (err) => log.warn({ err: err.message }, 'redis'),
    });
  } catch (err) {
    throw new UsageError(
      `cannot use Redis at ${target}: ${(err as Error).message} (is it running? check ROOMCAST_REDIS_URL)`,
    );
  }
  const options: Composition['options'] = {};
  if (b.bus === 'redis') {
    options.bus = redis.bus;
    options.lingerMs = config.redis.unsubscribeLingerMs;
  }
  if (b.history === 'redis') options.history = redis.history;
  if (b.presence === 'redis') {
    options.presence = redis.presence;
    options.online = redis.online;
    options.registry = redis.registry;
  }
  return {
    options,
    description: `bus ${b.bus}, history ${b.history}, presence ${b.presence}; Redis ${target} (${redis.sharded ? 'sharded' : 'plain'} pub/sub)`,
    close: () => redis.close(),
  };
}
