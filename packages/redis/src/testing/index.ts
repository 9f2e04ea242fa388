// Test harness for Redis-backed roomcast tests (e2e suites in tests/ may use it): the shared
// test Redis with per-test key prefixes, private redis-server processes and clusters, and a TCP
// fault proxy.
export {
  countKeysByPrefix,
  deleteKeysByPrefix,
  redisSkipReason,
  testAdapters,
  TEST_REDIS_URL,
  type TestAdapters,
} from './redis-env.ts';
export { FaultProxy, type ProxyMode } from './fault-proxy.ts';
export { freePort, rawCommand, RedisServerProcess, redisServerSkipReason } from './redis-server.ts';
export { TestRedisCluster } from './redis-cluster.ts';
