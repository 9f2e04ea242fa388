// Public surface of @roomcast/redis: the adapters for roomcast's ports on Redis (standalone or
// Redis Cluster) and the errors they raise.
export { createRedisAdapters, type RedisAdapters, type RedisAdaptersOptions } from './adapters.ts';
export { RedisBus } from './bus.ts';
export { RedisHistoryStore } from './history.ts';
export { RedisPresenceStore } from './presence.ts';
export { RedisOnlineStore, type RedisOnlineOptions } from './online.ts';
export { RedisNodeRegistry } from './registry.ts';
export { KeyLayout, tagOf } from './keys.ts';
export { encodeBusMessage, decodeBusMessage } from './codec.ts';
export type { CommandConnection } from './connection.ts';
export {
  BusDecodeError,
  RedisCommandError,
  RedisConfigError,
  RedisTimeoutError,
  RedisUnavailableError,
} from './errors.ts';
