export * from './presence-store.ts';
export { MemoryPresenceStore } from './memory-presence.ts';
