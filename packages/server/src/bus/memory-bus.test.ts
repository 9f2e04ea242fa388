import { busContract } from './contract.ts';
import { MemoryBus } from './memory-bus.ts';

busContract('memory', async () => ({ bus: new MemoryBus() }));
