// Ratios between systems (computed within each repetition, then the median and spread across
// repetitions), the SPEC targets checked against this run's figures, and the run's warnings.

import type { BenchOptions, SystemName, WorkloadName } from '../cli/options.ts';
import { median } from '../stats/percentiles.ts';
import type { EngineKnobs } from '../systems/roomcast-config.ts';
import type { PhaseResult, Ratio, TargetCheck } from './result.ts';

type Metric = (p: PhaseResult) => number | null;

const deliveriesPerCpu: Metric = (p) => p.efficiency.deliveriesPerCpuS;
const framesPerCpu: Metric = (p) => p.efficiency.framesPerCpuS;

function ok(phases: readonly PhaseResult[], w: WorkloadName, s: SystemName): PhaseResult[] {
  return phases.filter((p) => p.workload === w && p.system === s && p.status !== 'failed');
}

/** Median over repetitions of a metric (null when never measured). */
export function medianOf(
  phases: readonly PhaseResult[],
  w: WorkloadName,
  s: SystemName,
  m: Metric,
): number | null {
  const v = ok(phases, w, s)
    .map(m)
    .filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length > 0 ? median(v) : null;
}

function ratio(
  phases: readonly PhaseResult[],
  w: WorkloadName,
  num: SystemName,
  den: SystemName,
  what: string,
  m: Metric,
): Ratio | null {
  const values: number[] = [];
  for (const a of ok(phases, w, num)) {
    const b = ok(phases, w, den).find((x) => x.repetition === a.repetition);
    const x = m(a);
    const y = b ? m(b) : null;
    if (x !== null && y !== null && y > 0) values.push(x / y);
  }
  if (values.length === 0) return null;
  return {
    workload: w,
    what,
    numerator: num,
    denominator: den,
    value: median(values),
    spread: values.length > 1 ? [Math.min(...values), Math.max(...values)] : null,
  };
}

const THROUGHPUT: readonly WorkloadName[] = ['goim', 'live', 'churn', 'slow', 'room'];

const joinCpu: Metric = (p) => p.churn?.cpuUsPerJoin ?? null;
const joinRate: Metric = (p) => p.churn?.joinsLeavesPerSecond ?? null;

export function ratios(phases: readonly PhaseResult[]): Ratio[] {
  const out: (Ratio | null)[] = [];
  for (const w of THROUGHPUT) {
    out.push(
      ratio(phases, w, 'roomcast-redis3', 'roomcast', 'deliveries per server CPU-second', deliveriesPerCpu),
    );
    out.push(ratio(phases, w, 'roomcast', 'socketio', 'deliveries per server CPU-second', deliveriesPerCpu));
    out.push(ratio(phases, w, 'roomcast', 'ws-naive', 'deliveries per server CPU-second', deliveriesPerCpu));
    out.push(
      ratio(phases, w, 'roomcast', 'roomcast-nobatch', 'deliveries per server CPU-second', deliveriesPerCpu),
    );
    out.push(
      ratio(phases, w, 'roomcast', 'ws-preframed', 'frame writes per server CPU-second', framesPerCpu),
    );
    out.push(
      ratio(
        phases,
        w,
        'roomcast-nobatch',
        'ws-preframed',
        'frame writes per server CPU-second',
        framesPerCpu,
      ),
    );
    out.push(
      ratio(phases, w, 'ws-naive', 'ws-preframed', 'frame writes per server CPU-second', framesPerCpu),
    );
    out.push(ratio(phases, w, 'roomcast', 'ws-batched', 'frame writes per server CPU-second', framesPerCpu));
    out.push(
      ratio(phases, w, 'roomcast', 'ws-batched', 'deliveries per server CPU-second', deliveriesPerCpu),
    );
  }
  out.push(ratio(phases, 'churn', 'roomcast-redis3', 'roomcast', 'server CPU µs per leave+join', joinCpu));
  out.push(ratio(phases, 'churn', 'roomcast-redis3', 'roomcast', 'leaves + joins per second', joinRate));
  return out.filter((r): r is Ratio => r !== null);
}

const fmt = (x: number | null, digits = 0): string =>
  x === null ? 'not measured' : x.toLocaleString('en-US', { maximumFractionDigits: digits });

export function targets(phases: readonly PhaseResult[], rs: readonly Ratio[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const check = (
    target: string,
    goal: string,
    value: number | null,
    met: (v: number) => boolean,
    measured: (v: number) => string,
    note: string,
  ): void => {
    out.push({
      target,
      goal,
      measured: value === null ? 'not measured' : measured(value),
      met: value === null ? null : met(value),
      note,
    });
  };
  const goim = medianOf(phases, 'goim', 'roomcast', deliveriesPerCpu);
  check(
    'chat deliveries per server CPU-second, batched room (goim)',
    '≥ 3,000,000',
    goim,
    (v) => v >= 3e6,
    (v) => fmt(v),
    "roomcast on goim; goim's published figure is ~1.6M per core",
  );
  for (const w of ['goim', 'live'] as const) {
    const r = rs.find((x) => x.workload === w && x.numerator === 'roomcast' && x.denominator === 'socketio');
    check(
      `deliveries per CPU-second vs Socket.IO rooms (${w})`,
      '≥ 10×',
      r?.value ?? null,
      (v) => v >= 10,
      (v) => `${v.toFixed(2)}×`,
      'same workload, same run',
    );
  }
  for (const s of ['roomcast', 'roomcast-nobatch'] as const) {
    const r = rs.find((x) => x.workload === 'goim' && x.numerator === s && x.denominator === 'ws-preframed');
    check(
      `frame writes per server CPU-second vs bare pre-framed loop (${s}, goim)`,
      '≥ 0.9×',
      r?.value ?? null,
      (v) => v >= 0.9,
      (v) => `${v.toFixed(2)}×`,
      s === 'roomcast'
        ? "one frame per socket write on both sides; roomcast's frames carry ~40 messages, the loop's one"
        : 'one frame per socket write on both sides, one message per frame on both',
    );
  }
  {
    const r = rs.find(
      (x) =>
        x.workload === 'goim' &&
        x.numerator === 'roomcast' &&
        x.denominator === 'ws-batched' &&
        x.what.startsWith('frame'),
    );
    if (r)
      check(
        'frame writes per server CPU-second vs bare batched loop (roomcast, goim)',
        '≥ 0.9×',
        r.value,
        (v) => v >= 0.9,
        (v) => `${v.toFixed(2)}×`,
        'same batching window, so frames of the same size on both sides',
      );
  }
  const idle = ok(phases, 'idle', 'roomcast');
  const lastStep = idle.map((p) => p.idle?.steps.at(-1)).filter((s) => s !== undefined);
  const rssPer = lastStep.length > 0 ? median(lastStep.map((s) => s.rssPerConnKiB)) : null;
  check(
    'idle connection memory (process RSS)',
    '≤ 8 KiB',
    rssPer,
    (v) => v <= 8,
    (v) => `${v.toFixed(2)} KiB at ${lastStep.at(-1)?.connections ?? 0} connections`,
    'forced GC, RSS from /proc',
  );
  const maxViewers = Math.max(
    0,
    ...phases
      .filter((p) => p.system.startsWith('roomcast'))
      .map((p) => p.connections.connected - p.groups.publisher.live),
  );
  check(
    'viewers on one machine',
    '≥ 100,000',
    maxViewers > 0 ? maxViewers : null,
    (v) => v >= 1e5,
    (v) => `${fmt(v)} viewers connected in this run`,
    'needs several server processes and the Redis bus',
  );
  const live = ok(phases, 'live', 'roomcast');
  const viewers = live[0] ? live[0].connections.connected - live[0].groups.publisher.live : 0;
  const chatP99 = medianOf(phases, 'live', 'roomcast', (p) =>
    p.latency && p.latency.byClass.chat.n > 0 ? p.latency.byClass.chat.p99 : null,
  );
  check(
    'chat latency p99 (live)',
    '≤ window + 100 ms at 100k viewers',
    chatP99,
    () => false,
    (v) => `${v.toFixed(0)} ms at ${fmt(viewers)} viewers`,
    'informative below 100k viewers',
  );
  const giftP99 = medianOf(phases, 'live', 'roomcast', (p) =>
    p.latency && p.latency.byClass.gift.n > 0 ? p.latency.byClass.gift.p99 : null,
  );
  check(
    'gift latency p99 (live)',
    '≤ 50 ms at 20k viewers',
    giftP99,
    (v) => v <= 50,
    (v) => `${v.toFixed(1)} ms at ${fmt(viewers)} viewers`,
    viewers >= 20000 ? '' : 'measured below 20k viewers',
  );
  const room = ok(phases, 'room', 'roomcast');
  if (room.length > 0) {
    const rv = room[0]?.room?.viewers ?? 0;
    const gifts = medianOf(phases, 'room', 'roomcast', (p) => p.room?.giftsDeliveredOfOffered ?? null);
    check(
      'gifts delivered (room)',
      '100%',
      gifts,
      (v) => v >= 1,
      (v) => `${(v * 100).toFixed(2)}%`,
      'gifts offered × viewers, whole phase',
    );
    const rChat = medianOf(phases, 'room', 'roomcast', (p) =>
      p.latency && p.latency.chatAll.total.n > 0 ? p.latency.chatAll.total.p99 : null,
    );
    check(
      'chat latency p99 (room)',
      '≤ window + 100 ms (1,100 ms) at 100k viewers',
      rChat,
      (v) => v <= 1100,
      (v) => `${v.toFixed(0)} ms at ${fmt(rv)} viewers`,
      'measured below 100k viewers',
    );
    const rGift = medianOf(phases, 'room', 'roomcast', (p) =>
      p.latency && p.latency.byClass.gift.n > 0 ? p.latency.byClass.gift.p99 : null,
    );
    check(
      'gift latency p99 (room)',
      '≤ 50 ms at 20k viewers',
      rGift,
      (v) => v <= 50,
      (v) => `${v.toFixed(1)} ms at ${fmt(rv)} viewers`,
      rv >= 20000 ? '' : 'measured below 20k viewers',
    );
    const rBytes = medianOf(phases, 'room', 'roomcast', (p) => p.room?.bytes.chat.deflate ?? null);
    check(
      'wire bytes per delivered chat message (room corpus, compressed)',
      '≤ 25 B',
      rBytes,
      (v) => v <= 25,
      (v) => `${v.toFixed(1)} B`,
      'live channel, receivers with permessage-deflate',
    );
  }
  const comp = medianOf(phases, 'live', 'roomcast', (p) => p.efficiency.compressedBytesPerDelivery);
  check(
    'wire bytes per delivered message (live corpus, compressed)',
    '≤ 25 B',
    comp,
    (v) => v <= 25,
    (v) => `${v.toFixed(1)} B`,
    'receivers with permessage-deflate',
  );
  return out;
}

export interface Analysis {
  ratios: Ratio[];
  targets: TargetCheck[];
  warnings: string[];
  engineNote: string;
}

export function analyse(
  phases: readonly PhaseResult[],
  o: BenchOptions,
  knobs: EngineKnobs | undefined,
): Analysis {
  const rs = ratios(phases);
  const warnings: string[] = [];
  const engineNote = !knobs
    ? 'roomcast defaults not read (targets or no roomcast system)'
    : knobs.batchSwitch
      ? `roomcast-nobatch sets live.${knobs.batchSwitch.path.join('.')}=${JSON.stringify(knobs.batchSwitch.off)}`
      : 'the server has no batching switch yet: roomcast-nobatch runs the same configuration as roomcast';
  if (o.systems.includes('roomcast-nobatch') && knobs && !knobs.batchSwitch) warnings.push(engineNote);
  for (const p of phases) {
    const at = `${p.workload} · ${p.system} (rep ${p.repetition})`;
    if (p.status === 'failed') warnings.push(`${at} failed: ${(p.error ?? '').split('\n')[0]}`);
    if (p.status === 'aborted')
      warnings.push(`${at} stopped early: ${(p.error ?? '').split('\n')[0]} (details under ${p.workload})`);
    const foreign =
      p.machine.foreignCores > 0.3
        ? `; ${p.machine.foreignCores.toFixed(2)} cores busy outside the bench (other load on the machine)`
        : '';
    if (
      p.bottleneck.verdict === 'generator' ||
      p.bottleneck.verdict === 'machine' ||
      p.bottleneck.note.startsWith('WARNING')
    )
      warnings.push(`${at}: ${p.bottleneck.note}${foreign}`);
    else if (foreign !== '') warnings.push(`${at}: figures may be disturbed${foreign}`);
    const c = p.checks;
    if (c.contentMismatch + c.reorders + c.duplicates + c.malformed > 0)
      warnings.push(
        `${at}: checks found ${c.contentMismatch} content mismatches, ${c.reorders} reorders, ${c.duplicates} duplicates, ${c.malformed} malformed lines`,
      );
    if (p.latency && p.latency.droppedSamples > 0)
      warnings.push(`${at}: ${p.latency.droppedSamples} latency samples not kept (sample store full)`);
    if (p.room && ((p.room.giftsDeliveredRatio ?? 1) < 1 || (p.room.giftsDeliveredOfOffered ?? 1) < 1))
      warnings.push(
        `${at}: gifts delivered below 100%: ${p.room.giftsDelivered} gift pushes for ${p.room.giftsAccepted} accepted / ${p.room.giftsOffered} offered gifts × ${p.room.giftViewers} viewers`,
      );
    if (p.connections.failed > 0)
      warnings.push(
        `${at}: ${p.connections.failed} of ${p.connections.planned} connections failed (${Object.entries(
          p.connections.failures,
        )
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`,
      );
  }
  if (o.quick)
    warnings.push(
      'quick mode: tiny sizes and durations; the figures only show that the bench works, never a speed',
    );
  return { ratios: rs, targets: targets(phases, rs), warnings, engineNote };
}
