// SPEC F3/F4, RELIABILITY 6: a gateway is killed with SIGKILL while 2,000 official SDK clients in
// 20 rooms receive 10,000 gifts published through the HTTP API across three `roomcast serve`
// processes on Redis. The dead gateway's clients reconnect to the survivors (through the entry
// scheduler) and recover; every acknowledged gift (the API answered an offset) must have reached
// every client of its room. Duplicates are counted (and removed by id, as a client does).
//
// The clients live in two child processes (tests/distributed/fixtures/viewer-process.ts) so the
// SDK work spreads over the cores; the publisher and the assertions are here.

import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { redisSkipReason } from '@roomcast/redis/testing';
import { sleep, waitFor } from '@roomcast/server/testing';
import { Fleet, type Gateway } from './fixtures/fleet.ts';
import type { CheckMessage, StartMessage, ViewerReport } from './fixtures/viewer-process.ts';

const CLIENTS = 2000;
const ROOMS = 20;
const GIFTS = 10_000;
const PROCESSES = 2;
/** Gifts per second the publisher aims at (20 s of gifts), 25 per room per second. */
const RATE = 500;
const IN_FLIGHT = 16;
/** The gateway dies once this many gifts were acknowledged. */
const KILL_AT = 4000;

const VIEWER = fileURLToPath(new URL('./fixtures/viewer-process.ts', import.meta.url));
const skip = await redisSkipReason();

/** Next IPC message of `type` from `child`, or an error after `timeoutMs`. */
function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.off('message', on);
      reject(new Error(`viewer process: no "${type}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: { type: string; message?: string }): void => {
      if (m.type === 'error') {
        clearTimeout(t);
        child.off('message', on);
        reject(new Error(`viewer process failed: ${m.message ?? ''}`));
      } else if (m.type === type) {
        clearTimeout(t);
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
  });
}

describe('gateway kill -9 under gift load', { skip, timeout: 175_000 }, () => {
  const fleet = new Fleet('kill9');
  after(() => fleet.stop());

  it('loses 0 acknowledged gifts across 2,000 SDK clients when a gateway is killed mid-stream', async () => {
    const t0 = Date.now();
    const gws = await fleet.startMany(3, {}, 'k');
    const [a, b, c] = gws as [Gateway, Gateway, Gateway];
    const channelOf = (i: number): string => `gift:kill-${i % ROOMS}`;

    // 2,000 clients: client i watches room i % 20 and first connects to gateway i % 3.
    const children: ChildProcess[] = [];
    const per = CLIENTS / PROCESSES;
    for (let p = 0; p < PROCESSES; p++) {
      const child = fork(VIEWER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      fleet.track(child);
      children.push(child);
      const clients = Array.from({ length: per }, (_, k) => {
        const i = p * per + k;
        return { url: (gws[i % 3] as Gateway).wsUrl, channel: channelOf(i) };
      });
      const start: StartMessage = {
        type: 'start',
        clients,
        entryHttp: gws.map((g) => g.httpUrl),
        fallbackWs: gws.map((g) => g.wsUrl),
      };
      child.send(start);
    }
    const ready = await Promise.all(
      children.map((ch) => nextMessage<{ clients: number; ms: number }>(ch, 'ready', 60_000)),
    );
    assert.equal(
      ready.reduce((s, r) => s + r.clients, 0),
      CLIENTS,
    );
    const connectedMs = Date.now() - t0;

    // Publisher: gift ids 0..9999, room id % 20, paced at RATE/s with IN_FLIGHT requests at most,
    // spread over the live gateways. A failed call (the gateway died under it) is retried on
    // another one with the same idempotency key, so it is stored once; a gift counts as
    // acknowledged only when some call answered an offset.
    let alive: Gateway[] = [a, b, c];
    const acked = new Map<number, number>();
    let retried = 0;
    const failures = new Map<string, number>();
    const publish = async (id: number): Promise<void> => {
      const channel = channelOf(id);
      const deadline = Date.now() + 20_000;
      for (let attempt = 0; Date.now() < deadline; attempt++) {
        const gw = alive[(id + attempt) % alive.length] as Gateway;
        const r = await gw.api(
          'publish',
          { channel, data: { id, room: channel, gift: 'rocket' }, idempotency_key: `gift-${id}` },
          3000,
        );
        const offset = r.body.result?.['offset'];
        if (typeof offset === 'number' && offset > 0) {
          acked.set(id, offset);
          if (attempt > 0) retried++;
          return;
        }
        const why = r.failure ?? r.body.error?.message ?? `HTTP ${r.status}`;
        failures.set(why, (failures.get(why) ?? 0) + 1);
        await sleep(50);
      }
    };
    const pubStart = Date.now();
    let nextId = 0;
    const lanes = Array.from({ length: IN_FLIGHT }, async () => {
      while (nextId < GIFTS) {
        const id = nextId++;
        const due = pubStart + (id * 1000) / RATE;
        if (due > Date.now()) await sleep(due - Date.now());
        await publish(id);
      }
    });

    // Mid-stream: kill -9 of gateway b while gifts flow.
    await waitFor(() => acked.size >= KILL_AT, { timeoutMs: 60_000, what: `${KILL_AT} gifts acknowledged` });
    const killAt = Date.now();
    await fleet.kill9(b);
    alive = [a, c];
    const killedAfterMs = killAt - pubStart;

    await Promise.all(lanes);
    const publishMs = Date.now() - pubStart;
    assert.equal(
      acked.size,
      GIFTS,
      `every gift acknowledged after retries (failures: ${JSON.stringify([...failures])})`,
    );

    const ackedByChannel: Record<string, number[]> = {};
    for (const id of acked.keys()) (ackedByChannel[channelOf(id)] ??= []).push(id);
    const check: CheckMessage = {
      type: 'check',
      acked: ackedByChannel,
      killedUrl: b.wsUrl,
      killAt,
      deadlineMs: 45_000,
    };
    const reports = await Promise.all(
      children.map((ch) => {
        const r = nextMessage<ViewerReport>(ch, 'report', 60_000);
        ch.send(check);
        return r;
      }),
    );
    const sum = (f: (r: ViewerReport) => number): number => reports.reduce((s, r) => s + f(r), 0);
    const figures = {
      clients: sum((r) => r.clients),
      rooms: ROOMS,
      gifts_acknowledged: acked.size,
      publish_retries: retried,
      publish_failures: Object.fromEntries(failures),
      connect_ms: connectedMs,
      publish_ms: publishMs,
      killed_after_ms: killedAfterMs,
      deliveries_expected: sum((r) => r.clients) * (GIFTS / ROOMS),
      missing: sum((r) => r.missing),
      clients_with_missing: sum((r) => r.clientsWithMissing),
      duplicates_removed: sum((r) => r.duplicates),
      clients_with_duplicates: sum((r) => r.clientsWithDuplicates),
      duplicates_on_moved_clients: sum((r) => r.duplicatesOnMoved),
      silent_gaps: sum((r) => r.silentGaps),
      told_recovered_false: sum((r) => r.toldLoss),
      recovered_resubscribes: sum((r) => r.recoveredResubscribes),
      unacked_received: Math.max(...reports.map((r) => r.unackedReceived)),
      clients_on_killed: sum((r) => r.onKilled),
      moved_and_subscribed: sum((r) => r.movedAndSubscribed),
      reconnect_ms: {
        p50: Math.max(...reports.map((r) => r.reconnectMs.p50)),
        p95: Math.max(...reports.map((r) => r.reconnectMs.p95)),
        max: Math.max(...reports.map((r) => r.reconnectMs.max)),
      },
      clients_per_gateway: Object.fromEntries(gws.map((g) => [g.name, sum((r) => r.perUrl[g.wsUrl] ?? 0)])),
      total_ms: Date.now() - t0,
    };
    process.stdout.write(`kill -9 figures: ${JSON.stringify(figures, null, 2)}\n`);
    for (const ch of children) ch.send({ type: 'stop' });

    assert.equal(figures.clients, CLIENTS);
    assert.ok(
      figures.clients_on_killed >= CLIENTS / 3 - 1,
      'a third of the clients were on the killed gateway',
    );
    assert.equal(
      figures.missing,
      0,
      `acknowledged gifts missing: ${reports.flatMap((r) => r.missingSample).join(' | ')}`,
    );
    assert.equal(figures.silent_gaps, 0, reports.flatMap((r) => r.silentGapSample).join(' | '));
    assert.equal(
      figures.moved_and_subscribed,
      figures.clients_on_killed,
      'every client of the dead gateway moved',
    );
    assert.equal(
      sum((r) => r.stillOnKilled),
      0,
    );
    assert.equal(
      sum((r) => r.notSubscribed),
      0,
    );
    assert.ok(
      figures.killed_after_ms < publishMs - 3000,
      'the kill happened mid-stream, with gifts after it',
    );
  });
});
