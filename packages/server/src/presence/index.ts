export * from './presence-store.ts';
export * from './online-store.ts';
export { MemoryPresenceStore } from './memory-presence.ts';
export { MemoryOnlineStore } from './memory-online.ts';
