export * from './history-store.ts';
export { MemoryHistoryStore } from './memory-history.ts';
