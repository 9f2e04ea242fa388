import { presenceContract } from './contract.ts';
import { MemoryPresenceStore } from './memory-presence.ts';

presenceContract('memory', async () => ({ store: new MemoryPresenceStore() }));
