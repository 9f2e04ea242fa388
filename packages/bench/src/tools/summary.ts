// Prints Markdown summary tables from one or more result.json files: per (workload, system) the
// median and the min–max over repetitions of the figures BENCHMARKS.md quotes, and the run's
// ratios and SPEC checks. Every number comes from the files; nothing is typed by hand.
//
//   node packages/bench/src/tools/summary.ts bench/results/<date>/<run>/result.json [...]
//   node packages/bench/src/tools/summary.ts --merge a/result.json b/result.json
//
// --merge treats the files as one run: phases of a later file are numbered after the repetitions
// of the same (workload, system) in the earlier ones, and ratios and targets are computed again
// over all of them (e.g. to complete the repetitions of a run that was stopped).

import { readFileSync } from 'node:fs';
import { ratios, targets } from '../report/analysis.ts';
import type { BenchResult, PhaseResult } from '../report/result.ts';

type Get = (p: PhaseResult) => number | null | undefined;
type Split = NonNullable<PhaseResult['latency']>['chatAll'];

/** A figure of the chat (all lines) or gift latency split, when it has samples. */
const chat =
  (f: (x: Split) => number): Get =>
  (p) =>
    p.latency?.chatAll.total.n ? f(p.latency.chatAll) : null;
const gift =
  (f: (x: Split) => number): Get =>
  (p) =>
    p.latency?.splitByClass.gift.total.n ? f(p.latency.splitByClass.gift) : null;
/** `v × k`, keeping "not measured" (null/undefined) as null. */
const scaled = (v: number | null | undefined, k: number): number | null => (v == null ? null : v * k);

function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((x) => `| ${x.join(' | ')} |`),
  ].join('\n');
}

function fmt(v: number, digits: number): string {
  const a = Math.abs(v);
  if (digits < 0) {
    if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
    if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
    return v.toLocaleString('en-US', { maximumFractionDigits: 0 });
  }
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** "median (min–max)" over the values, or "—". */
export function medianSpread(values: readonly (number | null | undefined)[], digits = -1): string {
  const v = values
    .filter((x): x is number => typeof x === 'number' && Number.isFinite(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return '—';
  const med =
    v.length % 2 === 1
      ? (v[(v.length - 1) / 2] as number)
      : ((v[v.length / 2 - 1] as number) + (v[v.length / 2] as number)) / 2;
  return v.length > 1
    ? `${fmt(med, digits)} (${fmt(v[0] as number, digits)}–${fmt(v.at(-1) as number, digits)})`
    : fmt(med, digits);
}

const COLUMNS: { head: string; get: Get; digits: number }[] = [
  { head: 'deliveries / CPU-s', get: (p) => p.efficiency.deliveriesPerCpuS, digits: -1 },
  { head: 'µs CPU / delivery', get: (p) => p.efficiency.cpuUsPerDelivery, digits: 2 },
  { head: 'frames / CPU-s', get: (p) => p.efficiency.framesPerCpuS, digits: -1 },
  { head: 'msgs / frame', get: (p) => p.efficiency.msgsPerFrame, digits: 2 },
  { head: 'server CPU (cores)', get: (p) => p.server.util, digits: 2 },
  { head: 'B / msg', get: (p) => p.efficiency.bytesPerDelivery, digits: 1 },
  { head: 'B / msg deflate', get: (p) => p.efficiency.compressedBytesPerDelivery, digits: 1 },
  { head: 'p50 ms', get: (p) => (p.latency?.total.n ? p.latency.total.p50 : null), digits: 0 },
  { head: 'p99 ms', get: (p) => (p.latency?.total.n ? p.latency.total.p99 : null), digits: 0 },
  { head: 'chat p99 ms', get: chat((x) => x.total.p99), digits: 0 },
  { head: 'gift p99 ms', get: gift((x) => x.total.p99), digits: 0 },
];

function loadTable(r: BenchResult): string {
  const keys = [
    ...new Set(r.phases.filter((p) => p.workload !== 'idle').map((p) => `${p.workload}\u0000${p.system}`)),
  ];
  const rows = keys.map((k) => {
    const [w, s] = k.split('\u0000') as [string, string];
    const ps = r.phases.filter((p) => p.workload === w && p.system === s && p.status !== 'failed');
    return [
      w,
      s,
      String(ps.length),
      ...COLUMNS.map((c) => medianSpread(ps.map(c.get), c.digits)),
      fmt(Math.max(0, ...ps.map((p) => p.machine.foreignCores)), 2),
      [...new Set(ps.map((p) => p.bottleneck.verdict))].join(', '),
    ];
  });
  return mdTable(
    ['workload', 'system', 'reps', ...COLUMNS.map((c) => c.head), 'foreign cores (max)', 'bottleneck'],
    rows,
  );
}

function churnTable(r: BenchResult): string {
  const ps = r.phases.filter((p) => p.churn && p.status !== 'failed');
  if (ps.length === 0) return '';
  const cols: { head: string; get: Get; digits: number }[] = [
    { head: 'leaves + joins / s', get: (p) => p.churn?.joinsLeavesPerSecond, digits: 1 },
    { head: 'join p50 ms', get: (p) => p.churn?.joinLatencyMs.p50, digits: 1 },
    { head: 'join p99 ms', get: (p) => p.churn?.joinLatencyMs.p99, digits: 1 },
    { head: 'server CPU µs per leave+join', get: (p) => p.churn?.cpuUsPerJoin, digits: 0 },
    { head: 'storm t99 ms', get: (p) => p.churn?.storm?.t99Ms, digits: 0 },
    { head: 'storm failed', get: (p) => (p.churn?.storm ? p.churn.storm.failed : null), digits: 0 },
  ];
  const systems = [...new Set(ps.map((p) => p.system))];
  const rows = systems.map((s) => {
    const x = ps.filter((p) => p.system === s);
    return [s, String(x.length), ...cols.map((c) => medianSpread(x.map(c.get), c.digits))];
  });
  return mdTable(['system', 'reps', ...cols.map((c) => c.head)], rows);
}

function idleTable(r: BenchResult): string {
  const ps = r.phases.filter((p) => p.idle && p.status !== 'failed');
  if (ps.length === 0) return '';
  const systems = [...new Set(ps.map((p) => p.system))];
  const steps = [...new Set(ps.flatMap((p) => p.idle?.steps.map((s, i) => i) ?? []))];
  const head = ['system', 'reps', ...steps.map((i) => `RSS / conn KiB at step ${i + 1} (conns)`)];
  const rows = systems.map((s) => {
    const x = ps.filter((p) => p.system === s);
    return [
      s,
      String(x.length),
      ...steps.map(
        (i) =>
          `${medianSpread(
            x.map((p) => p.idle?.steps[i]?.rssPerConnKiB),
            2,
          )} (${medianSpread(
            x.map((p) => p.idle?.steps[i]?.connections),
            0,
          )})`,
      ),
    ];
  });
  return mdTable(head, rows);
}

function roomTable(r: BenchResult): string {
  const ps = r.phases.filter((p) => p.room && p.status !== 'failed');
  if (ps.length === 0) return '';
  const systems = [...new Set(ps.map((p) => p.system))];
  const cols: { head: string; get: Get; digits: number }[] = [
    { head: 'viewers', get: (p) => p.room?.viewers, digits: 0 },
    { head: 'frames / viewer / s', get: (p) => p.room?.framesPerViewerPerS, digits: 2 },
    { head: 'gift frames / viewer / s', get: (p) => p.room?.giftFramesPerViewerPerS, digits: 2 },
    { head: 'chat / viewer / s', get: (p) => p.room?.chatPerViewerPerS, digits: 2 },
    { head: 'chat accepted / s', get: (p) => p.room?.chatPublishedPerS, digits: 0 },
    {
      head: 'gifts delivered % of offered',
      get: (p) => scaled(p.room?.giftsDeliveredOfOffered, 100),
      digits: 2,
    },
    {
      head: 'gifts delivered % of accepted',
      get: (p) => scaled(p.room?.giftsDeliveredRatio, 100),
      digits: 2,
    },
    {
      head: 'cap drops / s',
      get: (p) =>
        scaled(p.room?.drops['roomcast_room_drops_total{reason="cap"}'], 1 / (p.room?.publishSeconds ?? 1)),
      digits: 0,
    },
    { head: 'merged / s', get: (p) => scaled(p.room?.merged, 1 / (p.room?.publishSeconds ?? 1)), digits: 0 },
    { head: 'µs CPU / delivery', get: (p) => p.efficiency.cpuUsPerDelivery, digits: 2 },
    { head: 'deliveries / CPU-s', get: (p) => p.efficiency.deliveriesPerCpuS, digits: -1 },
    { head: 'chat B/msg plain', get: (p) => p.room?.bytes.chat.plain, digits: 1 },
    { head: 'chat B/msg deflate', get: (p) => p.room?.bytes.chat.deflate, digits: 1 },
    { head: 'gift B/msg plain', get: (p) => p.room?.bytes.gift.plain, digits: 1 },
    { head: 'gift B/msg deflate', get: (p) => p.room?.bytes.gift.deflate, digits: 1 },
    { head: 'chat p50 ms', get: chat((x) => x.total.p50), digits: 0 },
    { head: 'chat p99 ms', get: chat((x) => x.total.p99), digits: 0 },
    { head: 'chat wait p50 ms', get: chat((x) => x.windowWait.p50), digits: 0 },
    { head: 'chat wait p99 ms', get: chat((x) => x.windowWait.p99), digits: 0 },
    { head: 'chat fan-out p50 ms', get: chat((x) => x.fanout.p50), digits: 0 },
    { head: 'chat fan-out p99 ms', get: chat((x) => x.fanout.p99), digits: 0 },
    { head: 'gift p50 ms', get: gift((x) => x.total.p50), digits: 0 },
    { head: 'gift p99 ms', get: gift((x) => x.total.p99), digits: 0 },
    { head: 'gift wait p99 ms', get: gift((x) => x.windowWait.p99), digits: 0 },
    { head: 'gift fan-out p99 ms', get: gift((x) => x.fanout.p99), digits: 0 },
    { head: 'server wait p50 ms', get: (p) => p.room?.serverWindowWait?.p50Ms, digits: 0 },
    { head: 'server wait p99 ms', get: (p) => p.room?.serverWindowWait?.p99Ms, digits: 0 },
    { head: 'server fan-out p50 ms', get: (p) => p.room?.serverFanout?.p50Ms, digits: 0 },
    { head: 'server fan-out p99 ms', get: (p) => p.room?.serverFanout?.p99Ms, digits: 0 },
  ];
  // Transposed: one row per figure, one column per system (the table is long, not wide).
  return mdTable(
    ['figure', ...systems],
    cols.map((c) => [
      c.head,
      ...systems.map((s) => medianSpread(ps.filter((p) => p.system === s).map(c.get), c.digits)),
    ]),
  );
}

/** Several runs as one: later phases renumbered after the earlier repetitions of their pair. */
export function mergeRuns(rs: readonly BenchResult[]): BenchResult {
  const first = rs[0];
  if (!first) throw new Error('nothing to merge');
  const phases: PhaseResult[] = [];
  for (const r of rs) {
    const offset = new Map<string, number>();
    for (const p of r.phases) {
      const key = `${p.workload}\u0000${p.system}`;
      if (!offset.has(key))
        offset.set(
          key,
          Math.max(
            0,
            ...phases.filter((q) => `${q.workload}\u0000${q.system}` === key).map((q) => q.repetition),
          ),
        );
      phases.push({ ...p, repetition: p.repetition + (offset.get(key) ?? 0) });
    }
  }
  const rsOut = ratios(phases);
  return {
    ...first,
    runId: rs.map((r) => r.runId).join(' + '),
    finishedAt: rs.at(-1)?.finishedAt ?? first.finishedAt,
    machine: { ...first.machine, loadAvgEnd: rs.at(-1)?.machine.loadAvgEnd ?? first.machine.loadAvgEnd },
    phases,
    ratios: rsOut,
    targets: targets(phases, rsOut),
  };
}

function main(args: string[]): void {
  const merge = args.includes('--merge');
  const files = args.filter((a) => a !== '--merge');
  const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as BenchResult);
  const list = merge
    ? [{ f: files.join(' + '), r: mergeRuns(runs) }]
    : runs.map((r, i) => ({ f: files[i], r }));
  for (const { f, r } of list) {
    const out = [
      `## ${r.runId} (${f})`,
      '',
      `${r.startedAt} → ${r.finishedAt}; load average ${r.machine.loadAvgStart.map((x) => x.toFixed(2)).join(' ')} → ${r.machine.loadAvgEnd.map((x) => x.toFixed(2)).join(' ')}`,
      '',
      loadTable(r),
      '',
      churnTable(r),
      '',
      idleTable(r),
      '',
      roomTable(r),
      '',
      '| ratio | median | spread |',
      '|---|---|---|',
      ...r.ratios.map(
        (x) =>
          `| ${x.workload}: ${x.what}, ${x.numerator} ÷ ${x.denominator} | ${x.value.toFixed(2)}× | ${x.spread ? `${x.spread[0].toFixed(2)}–${x.spread[1].toFixed(2)}` : '—'} |`,
      ),
      '',
      '| target | goal | measured | met |',
      '|---|---|---|---|',
      ...r.targets.map(
        (t) =>
          `| ${t.target} | ${t.goal} | ${t.measured}${t.note ? ` (${t.note})` : ''} | ${t.met === null ? '—' : t.met ? 'yes' : 'no'} |`,
      ),
      '',
    ];
    process.stdout.write(out.filter((l, i, a) => !(l === '' && a[i - 1] === '')).join('\n') + '\n');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
