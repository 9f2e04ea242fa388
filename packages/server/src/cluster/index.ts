export * from './node-registry.ts';
export { rankNodes, HEARTBEAT_MS, HEARTBEAT_TTL_MS } from './heartbeat.ts';
