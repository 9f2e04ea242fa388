// SPEC F4 "several processes per host": `roomcast serve --workers 2` on one port with Redis.
// Clients land on both workers (info lists two nodes, each with clients), a publication made on
// whichever worker answers the API reaches every client, a killed worker is restarted by the
// primary while its clients resume on the port without losing gifts, and SIGTERM to the
// primary stops everything gracefully (clients get 3001).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { redisSkipReason } from '@roomcast/redis/testing';
import { sleep, waitFor } from '@roomcast/server/testing';
import { Fleet, infoNodes, within } from './fixtures/fleet.ts';
import { Viewer } from './fixtures/viewer.ts';

const skip = await redisSkipReason();
const CHANNEL = 'gift:workers';

const workerPids = (primary: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(primary)], { encoding: 'utf8', timeout: 2000 })
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(Number);
  } catch {
    return [];
  }
};

describe('workers', { skip, timeout: 90_000 }, () => {
  it('serves one port with 2 workers sharing rooms through Redis', async (t) => {
    const fleet = new Fleet('workers');
    const viewers: Viewer[] = [];
    t.after(async () => {
      for (const v of viewers) v.stop();
      await fleet.stop();
    });
    const gw = await fleet.start({ name: 'wk', workers: 2 });
    const primary = gw.child.pid as number;
    await waitFor(
      async () =>
        (await infoNodes(gw))
          .map((n) => n.name)
          .sort()
          .join() === 'wk-w0,wk-w1',
      { timeoutMs: 15_000, intervalMs: 200, what: 'info lists both workers' },
    );
    const pidsBefore = workerPids(primary);
    assert.equal(pidsBefore.length, 2, 'two worker processes');

    for (let i = 0; i < 20; i++) {
      viewers.push(
        new Viewer({ url: gw.wsUrl, channel: CHANNEL, minReconnectDelay: 50, maxReconnectDelay: 500 }),
      );
    }
    await Promise.all(viewers.map((v) => v.start()));
    // Heartbeats carry each worker's count every 2 s.
    let counts: number[] = [];
    await waitFor(
      async () => {
        counts = (await infoNodes(gw)).map((n) => n.num_clients);
        return counts.length === 2 && counts.every((n) => n > 0) && counts[0]! + counts[1]! === 20;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'clients on both workers' },
    );
    const entry = (await (await fetch(`${gw.httpUrl}/entry?count=10`)).json()) as { nodes: unknown[] };
    assert.equal(entry.nodes.length, 2, 'the entry scheduler knows both workers');
    const admin = await fleet.admin();
    const bus = admin.keys.busChannel(CHANNEL);
    const reply = await admin.commands.send(bus, ['PUBSUB', admin.sharded ? 'SHARDNUMSUB' : 'NUMSUB', bus]);
    assert.equal(Number((reply as unknown[])[1]), 2, 'both workers subscribed the room');

    const acked: number[] = [];
    let nextId = 1;
    const publish = async (): Promise<void> => {
      const id = nextId++;
      const r = await gw.api('publish', { channel: CHANNEL, data: { id } });
      if (typeof r.body.result?.['offset'] === 'number') acked.push(id);
    };
    for (let i = 0; i < 10; i++) await publish();
    assert.equal(acked.length, 10);
    await waitFor(() => viewers.every((v) => v.missing(acked).length === 0), {
      timeoutMs: 5000,
      what: 'every publication on every worker',
    });

    // kill -9 of one worker: the primary restarts it; its clients come back on the port
    // (either worker) and recover what was published meanwhile.
    const victim = pidsBefore[0] as number;
    process.kill(victim, 'SIGKILL');
    for (let i = 0; i < 20; i++) {
      await publish();
      await sleep(50);
    }
    await waitFor(
      () => {
        const pids = workerPids(primary);
        return pids.length === 2 && !pids.includes(victim);
      },
      { timeoutMs: 15_000, intervalMs: 200, what: 'the primary restarted the killed worker' },
    );
    await waitFor(() => viewers.every((v) => v.isSubscribed && v.missing(acked).length === 0), {
      timeoutMs: 15_000,
      what: 'every acknowledged gift delivered after the worker died',
    });
    const movedClients = viewers.filter((v) => v.connectionLost.length > 0).length;
    assert.ok(
      movedClients > 0 && movedClients < 20,
      `the killed worker's clients reconnected (${movedClients})`,
    );
    assert.deepEqual(
      viewers.flatMap((v) => v.silentGaps),
      [],
    );

    // SIGTERM to the primary: workers close their clients with 3001 and everything exits.
    const stoppedAt = Date.now();
    process.kill(primary, 'SIGTERM');
    await within(gw.exited, 20_000);
    assert.ok(gw.child.exitCode !== null || gw.child.signalCode !== null, 'the primary exited');
    assert.equal(gw.child.exitCode, 0);
    assert.deepEqual(workerPids(primary), []);
    assert.ok(
      viewers.every((v) => v.connectionLost.some((l) => l.at >= stoppedAt && l.code === 3001)),
      'every client told 3001 (shutdown, reconnect)',
    );
    process.stdout.write(
      `workers: clients per worker ${JSON.stringify(counts)}, ${acked.length} gifts, ` +
        `${movedClients} clients moved after a worker kill, stop took ${Date.now() - stoppedAt} ms\n`,
    );
  });

  it('drain answered by one worker drains every worker of the port', async (t) => {
    const fleet = new Fleet('workers-drain');
    const viewers: Viewer[] = [];
    t.after(async () => {
      for (const v of viewers) v.stop();
      await fleet.stop();
    });
    const gw = await fleet.start({ name: 'wd', workers: 2 });
    await waitFor(async () => (await infoNodes(gw)).length === 2, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'two workers',
    });
    for (let i = 0; i < 20; i++)
      viewers.push(
        new Viewer({ url: gw.wsUrl, channel: CHANNEL, minReconnectDelay: 5000, maxReconnectDelay: 5000 }),
      );
    await Promise.all(viewers.map((v) => v.start()));
    await waitFor(async () => (await infoNodes(gw)).every((n) => n.num_clients > 0), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'clients on both workers',
    });
    const r = await gw.api('drain', { period_seconds: 1 });
    assert.equal(r.body.result?.['draining'], true);
    await waitFor(() => viewers.every((v) => v.connectionLost.some((l) => l.code === 4001)), {
      timeoutMs: 10_000,
      what: 'every client of both workers moved off with 4001',
    });
  });
});
