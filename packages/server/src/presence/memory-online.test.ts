import { onlineContract } from './online-contract.ts';
import { MemoryOnlineStore } from './memory-online.ts';

onlineContract('memory', async () => ({ store: new MemoryOnlineStore() }));
