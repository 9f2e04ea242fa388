// SPEC F4 drain (scale-in) on three `roomcast serve` processes: `roomcast drain --period 3 --wait`
// moves every client of one gateway to the others over the period (close 4001, spread over
// time, not all at once), the entry scheduler stops naming the drained gateway at once, and the
// moved clients keep receiving gifts with none missing.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redisSkipReason } from '@roomcast/redis/testing';
import { sleep, waitFor } from '@roomcast/server/testing';
import { runCli } from '../helpers/cli.ts';
import { API_KEY, Fleet, infoNodes, type Gateway } from './fixtures/fleet.ts';
import { EntryPicker, Viewer } from './fixtures/viewer.ts';

const skip = await redisSkipReason();
const PERIOD_S = 3;
const ROOMS = ['gift:drain-0', 'gift:drain-1', 'gift:drain-2'];

describe('drain', { skip, timeout: 90_000 }, () => {
  it(`roomcast drain --period ${PERIOD_S} --wait moves all clients to the other gateways, no gift missing`, async (t) => {
    const fleet = new Fleet('drain');
    const viewers: Viewer[] = [];
    let picker: EntryPicker | undefined = undefined;
    t.after(async () => {
      picker?.stop();
      for (const v of viewers) v.stop();
      await fleet.stop();
    });
    const gws = await fleet.startMany(3, {}, 'd');
    const [a, b, c] = gws as [Gateway, Gateway, Gateway];
    // Reconnecting clients ask the entry scheduler where to go, as an app would.
    const entry = new EntryPicker(
      gws.map((g) => g.httpUrl),
      [a.wsUrl, c.wsUrl],
    );
    picker = entry;
    await entry.start(200);
    const start = async (gw: Gateway, n: number): Promise<Viewer[]> => {
      const vs = Array.from(
        { length: n },
        (_, i) =>
          new Viewer({
            url: gw.wsUrl,
            channel: ROOMS[i % ROOMS.length] as string,
            pick: entry.pick,
            minReconnectDelay: 50,
            maxReconnectDelay: 300,
          }),
      );
      viewers.push(...vs);
      await Promise.all(vs.map((v) => v.start()));
      return vs;
    };
    const onB = await start(b, 60);
    await start(a, 10);
    await start(c, 10);

    // Gifts keep flowing through a and c during the whole drain.
    const acked = new Map<string, number[]>();
    let publishing = true;
    let nextId = 1;
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        const channel = ROOMS[i % ROOMS.length] as string;
        const id = nextId++;
        const r = await (i % 2 === 0 ? a : c).api('publish', { channel, data: { id, room: channel } });
        const offset = r.body.result?.['offset'];
        if (typeof offset === 'number' && offset > 0) {
          let ids = acked.get(channel);
          if (!ids) acked.set(channel, (ids = []));
          ids.push(id);
        }
        await sleep(20);
      }
    })();
    await sleep(300);

    const drainAt = Date.now();
    const drain = runCli(
      ['drain', '--url', b.httpUrl, '--api-key', API_KEY, '--period', String(PERIOD_S), '--wait'],
      {},
      60_000,
    );
    // The drained gateway leaves the entry scheduler at once and answers health with 503.
    await waitFor(
      async () => {
        const r = await fetch(`${a.httpUrl}/entry?count=10`);
        const body = (await r.json()) as { nodes: Array<{ name: string }> };
        return !body.nodes.some((n) => n.name === b.name);
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'b out of the entry scheduler' },
    );
    assert.equal((await fetch(`${b.httpUrl}/health`)).status, 503);
    const out = await drain;
    const drainMs = Date.now() - drainAt;
    assert.equal(out.code, 0, `roomcast drain: ${out.stdout}${out.stderr}`);
    assert.match(out.stdout, /60 clients to move/);
    assert.match(out.stdout, /^drained$/m);

    // Every client of b was moved with the drain code, spread over the period, and is
    // subscribed again on a or c. (Times count from the first move: the drain command itself
    // takes a second or so to start.)
    const moved = onB.map((v) => v.connectionLost.find((l) => l.at >= drainAt));
    assert.ok(
      moved.every((m) => m?.code === 4001),
      `4001 for all: ${JSON.stringify(moved.map((m) => m?.code))}`,
    );
    const times = moved.map((m) => (m?.at ?? 0) - drainAt);
    const first = Math.min(...times);
    const last = Math.max(...times);
    assert.ok(last - first >= (PERIOD_S * 1000) / 2, `moves spread over the period (${first}..${last} ms)`);
    assert.ok(last - first <= PERIOD_S * 1000 + 1000, `moves within the period (${first}..${last} ms)`);
    await waitFor(() => onB.every((v) => v.isSubscribed && v.url !== b.wsUrl), {
      timeoutMs: 5000,
      what: 'every moved client subscribed on another gateway',
    });
    const backMs = Math.max(...onB.map((v) => (v.subscribed.at(-1)?.at ?? 0) - drainAt));
    assert.ok(
      backMs - first <= PERIOD_S * 1000 + 5000,
      `all resubscribed by ${backMs} ms (first move ${first})`,
    );
    assert.ok(drainMs <= PERIOD_S * 1000 + 15_000, `roomcast drain --wait returned after ${drainMs} ms`);
    assert.equal((await infoNodes(b)).at(0)?.num_clients, 0);
    const perGateway = new Map<string, number>();
    for (const v of viewers) perGateway.set(v.url, (perGateway.get(v.url) ?? 0) + 1);
    assert.equal(perGateway.get(b.wsUrl) ?? 0, 0);

    await sleep(500);
    publishing = false;
    await publisher;
    await waitFor(() => viewers.every((v) => v.missing(acked.get(v.channel) ?? []).length === 0), {
      timeoutMs: 10_000,
      what: 'every acknowledged gift delivered to every viewer',
    });
    assert.deepEqual(
      viewers.flatMap((v) => v.silentGaps),
      [],
    );
    const gifts = [...acked.values()].reduce((n, ids) => n + ids.length, 0);
    process.stdout.write(
      `drain: 60 clients moved in ${first}..${last} ms (period ${PERIOD_S} s), all resubscribed by ${backMs} ms, ` +
        `roomcast drain --wait took ${drainMs} ms; ${gifts} gifts, 0 missing, ` +
        `${viewers.reduce((n, v) => n + v.duplicates, 0)} duplicates; now ${JSON.stringify([...perGateway])}\n`,
    );
  });
});
