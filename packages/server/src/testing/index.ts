// Test helpers for roomcast and its adapters: contract suites and deadline-bound waiting.
export { busContract, type BusFactoryResult } from '../bus/contract.ts';
export { historyContract, type HistoryFactoryResult } from '../history/contract.ts';
export { presenceContract, type PresenceFactoryResult } from '../presence/contract.ts';
export { onlineContract, type OnlineFactoryResult } from '../presence/online-contract.ts';
export { registryContract, type RegistryFactoryResult } from '../cluster/registry-contract.ts';
export { waitFor, sleep, uniquePrefix } from './wait.ts';
