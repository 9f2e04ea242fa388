import { historyContract } from './contract.ts';
import { MemoryHistoryStore } from './memory-history.ts';

historyContract('memory', async () => ({ store: new MemoryHistoryStore({ sweepIntervalMs: 0 }) }));
