// One phase: one workload against one system. Start the server(s), spawn and connect the
// generators, publish (warm-up, measured window, drain), read everything at both ends of the
// window, tear down. Every step has a deadline; teardown runs whatever happened.

import type { ConnectReport, StormReport } from '../generator/ipc.ts';
import { signToken } from '../plan/jwt.ts';
import { publisherInfo } from '../plan/corpus.ts';
import { kindAt } from '../plan/kinds.ts';
import type { Plan } from '../plan/workloads.ts';
import type { PhaseResult, TimelinePoint } from '../report/result.ts';
import { findRedisPid, readMachine, readProc } from '../systems/proc.ts';
import { scrapeMetrics } from '../systems/metrics-scrape.ts';
import { deleteKeys } from '../systems/redis-cleanup.ts';
import { startServers, targetServers, type ServerGroup } from '../systems/server-process.ts';
import { fleetLayout, type FleetLayout } from '../systems/systems.ts';
import { ApiStream, type TextLog } from './api-publisher.ts';
import { Fleet, mergeConnect } from './fleet.ts';
import type { ApiTotals, Reading } from './measure.ts';
import { idleFlow } from './idle.ts';
import { baseResult, type PhaseEnv } from './phase-env.ts';
import { loadResult } from './phase-result.ts';
import { si } from './progress.ts';
import { Scheduler } from './scheduler.ts';

/** Longest wait for a server's agent to answer (a saturated event loop answers late). */
const AGENT_WAIT_MS = 3000;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Connections and publishing of a started phase, torn down in `finally`. */
interface Live {
  servers: ServerGroup;
  fleet: Fleet;
  streams: Map<number, ApiStream>;
  connect: ConnectReport;
  connectS: number;
  /** PID of the Redis server of the bus, when the phase uses one and it was found. */
  busPid: number | undefined;
}

function apiTotals(streams: Map<number, ApiStream>, channels: number): ApiTotals {
  const t: ApiTotals = {
    sent: 0,
    accepted: 0,
    backlogDropped: 0,
    errors: new Map(),
    acceptedByChannel: new Float64Array(channels),
    acceptedAllByChannel: new Float64Array(channels),
    offeredAllByChannel: new Float64Array(channels),
  };
  for (const s of streams.values()) {
    t.sent += s.sent;
    t.accepted += s.accepted;
    t.backlogDropped += s.backlogDropped;
    for (const [k, v] of s.errors) t.errors.set(k, (t.errors.get(k) ?? 0) + v);
    s.acceptedByChannel.forEach((v, i) => (t.acceptedByChannel[i] = (t.acceptedByChannel[i] ?? 0) + v));
    s.offeredAllByChannel.forEach((v, i) => (t.offeredAllByChannel[i] = (t.offeredAllByChannel[i] ?? 0) + v));
    s.acceptedAllByChannel.forEach(
      (v, i) => (t.acceptedAllByChannel[i] = (t.acceptedAllByChannel[i] ?? 0) + v),
    );
  }
  return t;
}

async function read(l: Live, plan: Plan, env: PhaseEnv, recording: boolean): Promise<Reading> {
  const gens = await l.fleet.mark(recording);
  const c = process.cpuUsage();
  return {
    at: performance.now(),
    gens,
    servers: l.servers.sample(),
    machineBusyS: readMachine(env.ticks).busyS,
    coordCpuUs: c.user + c.system,
    api: apiTotals(l.streams, plan.channels.length),
    busCpuS: l.busPid !== undefined ? readProc(l.busPid, env.ticks)?.cpuS : undefined,
  };
}

function mergeTextLogs(streams: Map<number, ApiStream>): TextLog {
  const out: TextLog = new Map();
  for (const s of streams.values())
    for (const [k, list] of s.textLog) {
      const have = out.get(k);
      if (have) {
        have.push(...list);
        have.sort((a, b) => a - b);
      } else out.set(k, list);
    }
  return out;
}

function fleetInfo(l: FleetLayout): NonNullable<PhaseResult['fleet']> {
  return { servers: l.servers, workers: l.workers, redis: l.redisUrl !== '' };
}

export async function runPhase(env: PhaseEnv): Promise<PhaseResult> {
  const { o, system, plan } = env;
  const tag = `[${env.repetition}/${o.repeat} ${plan.workload} · ${system.name}]`;
  const redisPrefix = `roomcast-bench:${env.runId}:${plan.workload}:${system.name}:${env.repetition}:`;
  let servers: ServerGroup | undefined;
  let fleet: Fleet | undefined;
  const streams = new Map<number, ApiStream>();
  let sched: Scheduler | undefined;
  let ticker: NodeJS.Timeout | undefined;
  const timeline: TimelinePoint[] = [];
  const layout: FleetLayout =
    o.target.length > 0 ? { servers: o.target.length, workers: 1, redisUrl: '' } : fleetLayout(system, o);
  try {
    env.progress.update(`${tag} starting server and generators`);
    const tokens = plan.publishers.map((p, i) =>
      signToken({ sub: p.user, info: publisherInfo(i) }, env.secret),
    );
    const serverStart =
      o.target.length > 0
        ? Promise.resolve(targetServers(o.target, o.targetPids, env.ticks))
        : startServers({
            system,
            children: env.children,
            tmpDir: env.tmpDir,
            roomcastBin: o.roomcastBin,
            defaults: env.defaults,
            knobs: env.knobs,
            engine: plan.engine,
            apiKey: env.apiKey,
            hmacSecret: env.secret,
            servers: layout.servers,
            redisUrl: layout.redisUrl,
            redisPrefix,
            workers: layout.workers,
            cpus: env.pinned ? o.serverCpus : '',
            ticks: env.ticks,
            nodeArgs: o.serverNodeArgs.split(' ').filter((a) => a !== ''),
          });
    const serverCount = layout.servers;
    const fleetStart = Fleet.spawn(
      plan,
      tokens,
      serverCount,
      {
        generators: o.generators,
        perGenerator: o.perGenerator,
        sourceAddresses: o.sourceAddresses,
        concurrency: o.concurrency,
        connectTimeoutMs: o.connectTimeout * 1000,
        sampleCapacity: 300_000,
        lazyReadMs: plan.eagerReads ? 0 : o.lazyReadMs,
        cpus: env.pinned ? o.generatorCpus : '',
      },
      env.children,
    );
    const [sr, fr] = await Promise.allSettled([serverStart, fleetStart]);
    if (sr.status === 'fulfilled') servers = sr.value;
    if (fr.status === 'fulfilled') fleet = fr.value;
    if (sr.status === 'rejected') throw sr.reason instanceof Error ? sr.reason : new Error(String(sr.reason));
    if (fr.status === 'rejected') throw fr.reason instanceof Error ? fr.reason : new Error(String(fr.reason));
    if (!servers || !fleet) throw new Error('start failed');
    await fleet.setup(plan, system, servers.endpoints);
    const f = fleet;
    const srv = servers;
    let state = 'connecting';
    const phaseT0 = performance.now();
    let last = { at: performance.now(), msgs: 0, frames: 0, cpu: srv.sample().map((s) => s?.cpuS ?? 0) };
    ticker = setInterval(() => {
      const now = performance.now();
      const t = f.progressTotals();
      const samples = srv.sample();
      const dt = (now - last.at) / 1000;
      const cpu = samples.map((s) => s?.cpuS ?? 0);
      const util = cpu.reduce((a, c, i) => a + (c - (last.cpu[i] ?? 0)), 0) / dt;
      const rss = samples.reduce((a, s) => a + (s?.rssBytes ?? 0), 0) / 1048576;
      timeline.push({
        t: Math.round((now - phaseT0) / 100) / 10,
        state,
        serverCpu: Math.round(util * 1000) / 1000,
        msgsPerS: Math.round((t.msgs - last.msgs) / dt),
        framesPerS: Math.round((t.frames - last.frames) / dt),
        viewers: t.live,
      });
      env.progress.update(
        `${tag} ${state} | viewers ${si(t.live)}/${si(f.viewerCount)} | ${si(t.msgs)} deliveries (${si((t.msgs - last.msgs) / dt)}/s) | ` +
          `${si((t.frames - last.frames) / dt)} frames/s | server cpu ${Math.round(util * 100)}% rss ${rss.toFixed(0)}MB | ` +
          `gen cpu ${t.cpuPct.map((c) => Math.round(c) + '%').join(',')}`,
      );
      last = { at: now, msgs: t.msgs, frames: t.frames, cpu };
    }, 1000);

    const t0 = performance.now();
    const probes = await f.connectProbes();
    if (plan.workload === 'idle') {
      const r = await idleFlow(env, srv, f, probes, (s) => (state = s));
      return { ...r, engineApplied: srv.engineApplied, fleet: fleetInfo(layout), timeline };
    }
    const viewers = await f.connectViewers();
    const pubs = await f.connectPublishers();
    const connect = mergeConnect([probes, viewers, pubs]);
    const live: Live = {
      servers: srv,
      fleet: f,
      streams,
      connect,
      connectS: (performance.now() - t0) / 1000,
      busPid: layout.redisUrl !== '' ? findRedisPid(layout.redisUrl, o.redisPid) : undefined,
    };

    // Publishing: one HTTP API stream per kind, clients through the fleet. Streams go to the
    // servers in turn (a backend behind a load balancer); each stream keeps its order.
    if (srv.endpoints.length === 0) throw new Error('no server endpoint');
    for (const r of plan.rates) {
      if (r.pool !== undefined || streams.has(r.kind)) continue;
      const rate = plan.rates
        .filter((x) => x.kind === r.kind && x.pool === undefined)
        .reduce((a, x) => a + x.rate, 0);
      const endpoint = srv.endpoints[streams.size % srv.endpoints.length] as (typeof srv.endpoints)[number];
      streams.set(
        r.kind,
        new ApiStream({
          stream: 1 + r.kind,
          kind: r.kind,
          host: endpoint.host,
          port: endpoint.port,
          apiKey: env.apiKey,
          channels: plan.channels,
          single: plan.apiSingle,
          maxQueue: plan.apiSingle ? Math.max(1, Math.ceil(rate)) : 20_000,
          logTexts: kindAt(r.kind).latencyClass === 'chat',
        }),
      );
    }
    let clientMisses = 0;
    sched = new Scheduler(plan, plan.warmupS, {
      api: (kind, ch) => streams.get(kind)?.enqueue(ch),
      client: (pool, kind, ch) => {
        if (!f.clientPublish(pool, kind, ch)) clientMisses++;
      },
      flush: () => f.flushPublishes(),
    });
    // Slow readers stop before the warm-up, so their kernel buffers are full when measuring starts.
    if (plan.slow) await f.slow();
    state = 'warm-up';
    sched.start();
    await sleep(plan.warmupS * 1000);

    // Reset the servers' event-loop histograms and read their counters just before the window
    // (a saturated server answers late: the waits are bounded and kept out of the window).
    await srv.agentReset(AGENT_WAIT_MS);
    const metrics0 = srv.isRoomcast ? await scrapeMetrics(srv.endpoints) : new Map<string, number>();
    const start = await read(live, plan, env, true);
    for (const s of streams.values()) s.recording = true;
    state = 'measuring';

    // The measured window, with churn, the reconnect storm and the RSS guard.
    const churnReports: ConnectReport[] = [];
    let churnSeconds = 0;
    let churnFrom = 0;
    let churnTo = 0;
    let storm: StormReport | undefined;
    let stormCpuS = 0;
    let aborted = '';
    const endAt = start.at + plan.durationS * 1000;
    let nextTick = performance.now() + 1000;
    while (performance.now() < endAt) {
      await sleep(Math.max(0, Math.min(nextTick, endAt) - performance.now()));
      if (performance.now() < nextTick) continue;
      nextTick += 1000;
      const rss = srv.sample().reduce((a, s) => a + (s?.rssBytes ?? 0), 0) / 1048576;
      if (!srv.allAlive()) {
        aborted = `a server process exited${srv.exitInfo()}:\n${srv.logTail().slice(-3000)}`;
        break;
      }
      if (rss > o.maxServerRssMb) {
        aborted = `server RSS ${rss.toFixed(0)} MB over --max-server-rss-mb ${o.maxServerRssMb}`;
        break;
      }
      const c = plan.churn;
      if (!c) continue;
      const tNow = sched.t;
      if (c.stormAt !== undefined && !storm && tNow >= c.stormAt) {
        state = 'reconnect storm';
        const before = srv.sample();
        storm = await f.storm(o.concurrency * 4);
        const after = srv.sample();
        stormCpuS = after.reduce((a, s, i) => a + (s?.cpuS ?? 0) - (before[i]?.cpuS ?? 0), 0);
        state = 'measuring';
        nextTick = performance.now() + 1000;
      } else if (!storm && c.perSecond > 0) {
        const from = performance.now();
        if (churnSeconds === 0) churnFrom = from;
        churnReports.push(await f.churn(c.perSecond));
        churnTo = performance.now();
        churnSeconds++;
      }
    }
    sched.stop();
    state = 'draining';
    const drainUntil = performance.now() + o.drain * 1000;
    while (performance.now() < drainUntil && [...streams.values()].some((s) => !s.idle)) await sleep(50);
    for (const s of streams.values()) s.recording = false;
    // Drained when no viewer received anything for 300 ms (and two lazy-read periods).
    const quietPolls = Math.max(3, Math.ceil((2 * (plan.eagerReads ? 0 : o.lazyReadMs)) / 100) + 1);
    let prev = -1;
    let stable = 0;
    while (performance.now() < drainUntil && stable < quietPolls) {
      const m = await f.peek();
      stable = m === prev ? stable + 1 : 0;
      prev = m;
      await sleep(100);
    }
    const end = await read(live, plan, env, false);
    const agent = await srv.agentRead(false, AGENT_WAIT_MS);
    const metrics1 = srv.isRoomcast ? await scrapeMetrics(srv.endpoints) : new Map<string, number>();
    state = 'collecting samples';
    const samples = await f.samples();

    return loadResult({
      env,
      start,
      end,
      agent,
      pids: srv.pids,
      generatorPids: f.gens.map((g) => g.pid),
      metrics0,
      metrics1,
      samples,
      clientMisses,
      churnReports,
      churnSeconds,
      churnWallS: (churnTo - churnFrom) / 1000,
      textLog: mergeTextLogs(streams),
      storm,
      stormCpuS,
      aborted,
      connect: live.connect,
      connectS: live.connectS,
      engineApplied: srv.engineApplied,
      busPid: live.busPid,
      fleet: fleetInfo(layout),
      timeline,
    });
  } catch (err) {
    const log = servers?.logTail() ?? '';
    return {
      ...baseResult(env),
      fleet: fleetInfo(layout),
      timeline,
      status: 'failed',
      error:
        (err instanceof Error ? err.message : String(err)) +
        (log ? `\nserver log:\n${log.slice(-2000)}` : ''),
    };
  } finally {
    clearInterval(ticker);
    sched?.stop();
    for (const s of streams.values()) s.close();
    await fleet?.stop().catch(() => undefined);
    await servers?.stop().catch(() => undefined);
    if (layout.redisUrl !== '' && o.target.length === 0 && system.server.type === 'roomcast')
      await deleteKeys(layout.redisUrl, redisPrefix).catch((err: unknown) =>
        env.progress.log(
          `    could not remove the phase's Redis keys (${redisPrefix}*): ${err instanceof Error ? err.message : String(err)}`,
        ),
      );
  }
}
