// The generator processes of a phase as one fleet. Viewer i of the plan goes to generator
// i mod G, so every room spans every generator and each generator's slots keep the plan's
// order (probes first). Publishers follow the viewers. Source addresses rotate by global index.

import type { SystemDef } from '../systems/systems.ts';
import type { Endpoint } from '../systems/server-process.ts';
import type { ConnectReport, ConnSpec, MarkReport, StormReport } from '../generator/ipc.ts';
import type { SampleBatch } from '../generator/samples.ts';
import type { Plan } from '../plan/workloads.ts';
import { GROUP } from '../generator/counters.ts';
import type { Children } from './children.ts';
import { expectReply, GeneratorHandle } from './generator-handle.ts';

export interface FleetOptions {
  generators: number;
  perGenerator: number;
  sourceAddresses: number;
  concurrency: number;
  connectTimeoutMs: number;
  sampleCapacity: number;
  lazyReadMs: number;
  cpus: string;
}

interface GenLayout {
  specs: ConnSpec[];
  probes: number;
  viewers: number;
  globalOffset: number;
}

const LATENCY_KEEP = 50_000;

export function mergeConnect(reports: readonly ConnectReport[]): ConnectReport {
  const failures: Record<string, number> = {};
  const latencyMs: number[] = [];
  let attempted = 0;
  let ok = 0;
  let failed = 0;
  let ms = 0;
  for (const r of reports) {
    attempted += r.attempted;
    ok += r.ok;
    failed += r.failed;
    ms = Math.max(ms, r.ms);
    for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    for (const l of r.latencyMs) if (latencyMs.length < LATENCY_KEEP) latencyMs.push(l);
  }
  return { attempted, ok, failed, ms, failures, latencyMs };
}

/** How many generators a plan needs: enough for the open-files limit, at least `min`. */
export function generatorCount(plan: Plan, o: { generators: number; perGenerator: number }): number {
  const conns = plan.viewers.length + plan.publishers.length;
  return Math.max(o.generators, plan.minGenerators, Math.ceil(conns / o.perGenerator), 1);
}

export class Fleet {
  readonly gens: GeneratorHandle[];
  private readonly layout: GenLayout[];
  /** Publisher index → [generator, slot]. */
  private readonly route: [number, number][];
  private readonly pools = new Map<string, { members: number[]; next: number }>();
  private readonly outbox: number[][];
  private readonly o: FleetOptions;

  private constructor(
    gens: GeneratorHandle[],
    layout: GenLayout[],
    route: [number, number][],
    plan: Plan,
    o: FleetOptions,
  ) {
    this.gens = gens;
    this.layout = layout;
    this.route = route;
    this.outbox = gens.map(() => []);
    this.o = o;
    plan.publishers.forEach((p, i) => {
      let pool = this.pools.get(p.pool);
      if (!pool) this.pools.set(p.pool, (pool = { members: [], next: 0 }));
      pool.members.push(i);
    });
  }

  /** Lays the plan out over generator processes and starts them (they connect later). */
  static async spawn(
    plan: Plan,
    tokens: readonly string[],
    servers: number,
    o: FleetOptions,
    children: Children,
  ): Promise<Fleet> {
    const G = generatorCount(plan, o);
    const S = Math.max(1, servers);
    const layout: GenLayout[] = Array.from({ length: G }, () => ({
      specs: [],
      probes: 0,
      viewers: 0,
      globalOffset: 0,
    }));
    plan.viewers.forEach((v, i) => {
      const g = layout[i % G] as GenLayout;
      g.specs.push({ channels: v.channels, group: v.group, server: i % S, stream: -1, token: '' });
      if (i < plan.probes) g.probes++;
      g.viewers++;
    });
    const route: [number, number][] = [];
    plan.publishers.forEach((p, i) => {
      const gi = i % G;
      const g = layout[gi] as GenLayout;
      route.push([gi, g.specs.length]);
      g.specs.push({
        channels: [],
        group: GROUP.publisher,
        server: i % S,
        stream: p.stream,
        token: tokens[i] ?? '',
      });
    });
    let offset = 0;
    for (const g of layout) {
      if (g.specs.length > o.perGenerator + 500)
        throw new Error(`a generator would hold ${g.specs.length} sockets`);
      g.globalOffset = offset;
      offset += g.specs.length;
    }
    const started = await Promise.allSettled(
      layout.map((_, i) => GeneratorHandle.spawn(i, o.cpus, children)),
    );
    const gens = started.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.all(gens.map((h) => h.stop()));
      throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
    }
    return new Fleet(gens, layout, route, plan, o);
  }

  /** Tells every generator its connections and the servers to reach. */
  async setup(plan: Plan, system: SystemDef, endpoints: readonly Endpoint[]): Promise<void> {
    const o = this.o;
    await Promise.all(
      this.gens.map(async (h, i) => {
        const l = this.layout[i] as GenLayout;
        expectReply(
          await h.request(
            {
              type: 'setup',
              generator: i,
              protocol: system.protocol,
              servers: endpoints.map((e) => ({ ...e })),
              channels: plan.channels,
              specs: l.specs,
              sourceAddresses: o.sourceAddresses,
              globalOffset: l.globalOffset,
              concurrency: o.concurrency,
              connectTimeoutMs: o.connectTimeoutMs,
              sampleCapacity: o.sampleCapacity,
              lazyReadMs: o.lazyReadMs,
            },
            30_000,
          ),
          'ok',
        );
      }),
    );
  }

  private timeout(n: number): number {
    return this.o.connectTimeoutMs + 60_000 + n * 2;
  }

  private async connectRanges(range: (l: GenLayout) => [number, number]): Promise<ConnectReport> {
    const reports = await Promise.all(
      this.gens.map(async (h, i) => {
        const [from, to] = range(this.layout[i] as GenLayout);
        return expectReply(await h.request({ type: 'connect', from, to }, this.timeout(to - from)), 'connect')
          .report;
      }),
    );
    return mergeConnect(reports);
  }

  connectProbes(): Promise<ConnectReport> {
    return this.connectRanges((l) => [0, l.probes]);
  }

  connectViewers(): Promise<ConnectReport> {
    return this.connectRanges((l) => [l.probes, l.viewers]);
  }

  connectPublishers(): Promise<ConnectReport> {
    return this.connectRanges((l) => [l.viewers, l.specs.length]);
  }

  /** Connects viewers until `n` of the plan's viewers (in plan order) have been attempted. */
  connectViewersUpTo(n: number, already: number): Promise<ConnectReport> {
    const G = this.gens.length;
    const upTo = (m: number, g: number): number => (m > g ? Math.floor((m - 1 - g) / G) + 1 : 0);
    return this.connectRanges((l) => {
      const g = this.layout.indexOf(l);
      return [Math.min(upTo(already, g), l.viewers), Math.min(upTo(n, g), l.viewers)];
    });
  }

  get viewerCount(): number {
    return this.layout.reduce((a, l) => a + l.viewers, 0);
  }

  /** Queues a client publish from the next member of `pool` (sent on flush). */
  clientPublish(pool: string, kind: number, channel: number): boolean {
    const p = this.pools.get(pool);
    if (!p || p.members.length === 0) return false;
    const member = p.members[p.next % p.members.length] as number;
    p.next++;
    const [g, slot] = this.route[member] as [number, number];
    this.outbox[g]?.push(slot, kind, channel);
    return true;
  }

  flushPublishes(): void {
    this.outbox.forEach((items, g) => {
      if (items.length === 0) return;
      this.gens[g]?.publish(items.splice(0));
    });
  }

  async mark(recording: boolean): Promise<MarkReport[]> {
    return Promise.all(
      this.gens.map(
        async (h) => expectReply(await h.request({ type: 'mark', recording }, 30_000), 'mark').report,
      ),
    );
  }

  async peek(): Promise<number> {
    const r = await Promise.all(this.gens.map((h) => h.request({ type: 'peek' }, 10_000)));
    return r.reduce((a, x) => a + (x.type === 'peek' ? x.msgs : 0), 0);
  }

  async samples(): Promise<SampleBatch[]> {
    return Promise.all(
      this.gens.map(async (h) => expectReply(await h.request({ type: 'samples' }, 60_000), 'samples').batch),
    );
  }

  async slow(): Promise<void> {
    await Promise.all(this.gens.map((h) => h.request({ type: 'slow' }, 10_000)));
  }

  /** Each generator churns `share` of its viewers (`attempted` of the report = viewers that left). */
  async churn(share: number): Promise<ConnectReport> {
    const reports = await Promise.all(
      this.gens.map(async (h, i) => {
        const count = Math.round(share * (this.layout[i]?.viewers ?? 0));
        return expectReply(await h.request({ type: 'churn', count }, this.timeout(count)), 'churn').report;
      }),
    );
    return mergeConnect(reports);
  }

  async storm(concurrency: number): Promise<StormReport> {
    const reports = await Promise.all(
      this.gens.map(
        async (h, i) =>
          expectReply(
            await h.request(
              { type: 'storm', concurrency, timeoutMs: this.o.connectTimeoutMs },
              this.timeout(this.layout[i]?.viewers ?? 0),
            ),
            'storm',
          ).report,
      ),
    );
    const failures: Record<string, number> = {};
    for (const r of reports)
      for (const [k, v] of Object.entries(r.failures)) failures[k] = (failures[k] ?? 0) + v;
    return {
      dropped: reports.reduce((a, r) => a + r.dropped, 0),
      ok: reports.reduce((a, r) => a + r.ok, 0),
      failed: reports.reduce((a, r) => a + r.failed, 0),
      failures,
      doneMs: reports.flatMap((r) => r.doneMs).sort((a, b) => a - b),
    };
  }

  progressTotals(): { frames: number; msgs: number; live: number; cpuPct: number[] } {
    let frames = 0;
    let msgs = 0;
    let live = 0;
    const cpuPct: number[] = [];
    for (const h of this.gens) {
      const p = h.progress;
      if (!p) continue;
      frames += p.frames;
      msgs += p.msgs;
      live += p.live;
      cpuPct.push(p.cpuPct);
    }
    return { frames, msgs, live, cpuPct };
  }

  async stop(): Promise<void> {
    await Promise.all(this.gens.map((h) => h.stop()));
  }
}
