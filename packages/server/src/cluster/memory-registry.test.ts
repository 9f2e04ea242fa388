import { registryContract } from './registry-contract.ts';
import { MemoryNodeRegistry } from './node-registry.ts';

registryContract('memory', async () => ({ registry: new MemoryNodeRegistry() }));
