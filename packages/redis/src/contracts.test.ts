// The five port contract suites against the shared Redis, each factory call with its own key
// prefix, cleaned up afterwards.

import { describe } from 'node:test';
import {
  busContract,
  historyContract,
  onlineContract,
  presenceContract,
  registryContract,
} from '@roomcast/server/testing';
import { redisSkipReason, testAdapters } from './testing/redis-env.ts';

const skip = await redisSkipReason();

describe('redis adapters (standalone, sharded pub/sub)', { skip }, () => {
  busContract('redis sharded', async () => {
    const t = await testAdapters('bus', { pubsub: 'sharded' });
    return { bus: t.adapters.bus, cleanup: t.cleanup };
  });
  historyContract('redis', async () => {
    const t = await testAdapters('history');
    return { store: t.adapters.history, cleanup: t.cleanup };
  });
  presenceContract('redis', async () => {
    const t = await testAdapters('presence');
    return { store: t.adapters.presence, cleanup: t.cleanup };
  });
  onlineContract('redis', async () => {
    const t = await testAdapters('online');
    return { store: t.adapters.online, cleanup: t.cleanup };
  });
  registryContract('redis', async () => {
    const t = await testAdapters('registry');
    return { registry: t.adapters.registry, cleanup: t.cleanup };
  });
});

describe('redis adapters (standalone, plain pub/sub fallback)', { skip }, () => {
  busContract('redis plain', async () => {
    const t = await testAdapters('bus-plain', { pubsub: 'plain' });
    return { bus: t.adapters.bus, cleanup: t.cleanup };
  });
});
