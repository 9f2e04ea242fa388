// report.md: targets, ratios, charts, then per-workload tables (efficiency, latency, drops and
// checks) and how each number was measured. Numbers come from result.json only.

import { WORKLOADS } from '../cli/options.ts';
import type { Percentiles } from '../stats/percentiles.ts';
import type { Chart } from './charts.ts';
import type { BenchResult, PhaseResult } from './result.ts';
import { shortNum } from './svg.ts';

const n = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined || !Number.isFinite(v)
    ? '—'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const s = (v: number | null | undefined): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : shortNum(v);
const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)}%`;
const ms = (p: Percentiles | undefined): string =>
  p && p.n > 0 ? `${n(p.p50, 1)} / ${n(p.p90, 1)} / ${n(p.p99, 1)} / ${n(p.max, 0)}` : '—';
const kv = (o: Record<string, number>): string => {
  const e = Object.entries(o).filter(([, v]) => v !== 0);
  return e.length === 0 ? '—' : e.map(([k, v]) => `${k}: ${n(v)}`).join(', ');
};

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function efficiencyTable(ps: PhaseResult[]): string {
  return table(
    [
      'system',
      'rep',
      'status',
      'viewers',
      'publishes/s',
      'deliveries',
      'deliveries/s',
      'server CPU s',
      'µs CPU / delivery',
      'deliveries / CPU-s',
      'frames / CPU-s',
      'frames / delivery',
      'msgs / frame',
      'B / msg',
      'B / msg deflate',
      'delivered / expected',
      'bottleneck',
    ],
    ps.map((p) => [
      p.system,
      String(p.repetition),
      p.status,
      n(p.connections.connected - p.groups.publisher.live),
      n(p.publish.perSecond, 1),
      n(p.deliveries.received),
      s(p.deliveries.perSecond),
      n(p.server.cpuS, 2),
      n(p.efficiency.cpuUsPerDelivery, 2),
      s(p.efficiency.deliveriesPerCpuS),
      s(p.efficiency.framesPerCpuS),
      n(p.efficiency.framesPerDelivery, 3),
      n(p.efficiency.msgsPerFrame, 2),
      n(p.efficiency.bytesPerDelivery, 1),
      n(p.efficiency.compressedBytesPerDelivery, 1),
      pct(p.deliveries.ratio),
      p.bottleneck.verdict,
    ]),
  );
}

function latencyTable(ps: PhaseResult[]): string {
  return table(
    [
      'system',
      'rep',
      'samples',
      'total p50/p90/p99/max ms',
      'window wait',
      'fan-out',
      'chat p99',
      'gift p99',
      'system p99',
      'server ELD p99 / max ms',
      'server RSS start → end (peak) MB',
      'gen CPU',
    ],
    ps.map((p) => {
      const l = p.latency;
      const sp = p.server.processes;
      return [
        p.system,
        String(p.repetition),
        n(l?.samples),
        ms(l?.total),
        ms(l?.windowWait),
        ms(l?.fanout),
        l && l.byClass.chat.n > 0 ? n(l.byClass.chat.p99, 1) : '—',
        l && l.byClass.gift.n > 0 ? n(l.byClass.gift.p99, 1) : '—',
        l && l.byClass.system.n > 0 ? n(l.byClass.system.p99, 1) : '—',
        sp.map((x) => `${n(x.eldP99Ms, 1)} / ${n(x.eldMaxMs, 0)}`).join(', ') || '—',
        sp.map((x) => `${n(x.rssStartMb)} → ${n(x.rssEndMb)} (${n(x.rssPeakMb)})`).join(', ') || '—',
        p.generators.map((g) => pct(g.util)).join(', ') || '—',
      ];
    }),
  );
}

function dropsTable(ps: PhaseResult[]): string {
  return table(
    [
      'system',
      'rep',
      'missing (expected − received)',
      'closes seen by viewers',
      'server-reported',
      'publish errors',
      'checked',
      'gaps',
      'conflated / engine',
      'mismatch / reorder / dup',
    ],
    ps.map((p) => [
      p.system,
      String(p.repetition),
      n(p.drops.missing),
      kv(p.drops.closes),
      kv(p.drops.server),
      kv(p.publish.errors) +
        (p.publish.backlogDropped > 0
          ? `, not sent (publisher backlog): ${n(p.publish.backlogDropped)}`
          : ''),
      n(p.checks.checked),
      n(p.checks.gaps),
      `${n(p.checks.conflated)} / ${n(p.checks.engine)}`,
      `${n(p.checks.contentMismatch)} / ${n(p.checks.reorders)} / ${n(p.checks.duplicates)}`,
    ]),
  );
}

function workloadSection(r: BenchResult, w: string): string {
  const ps = r.phases.filter((p) => p.workload === w);
  if (ps.length === 0) return '';
  const out = [`### ${w}`, '', ps[0]?.description ?? '', ''];
  const applied = new Map<string, string[]>();
  for (const p of ps) if (p.engineApplied.length > 0) applied.set(p.system, p.engineApplied);
  if (applied.size > 0)
    out.push(
      `Room-engine settings: ${[...applied].map(([sys, a]) => `${sys} ${a.map((x) => `\`${x}\``).join(', ')}`).join('; ')}.`,
      '',
    );
  const failed = ps.filter((p) => p.status !== 'ok');
  for (const f of failed) {
    const [first, ...rest] = (f.error ?? '').split('\n');
    out.push(`- **${f.system} (rep ${f.repetition}) ${f.status}**: ${first ?? ''}`);
    if (rest.length > 0) out.push('', '  ```', ...rest.slice(-25).map((l) => `  ${l}`), '  ```');
  }
  if (failed.length > 0) out.push('');
  if (w === 'idle') {
    out.push(
      table(
        [
          'system',
          'connections',
          'RSS MB',
          'RSS / conn KiB',
          'heap / conn KiB',
          'external / conn KiB',
          'CPU µs / connect',
          'baseline RSS MB',
        ],
        ps.flatMap((p) =>
          (p.idle?.steps ?? []).map((st) => [
            p.system,
            n(st.connections),
            n(st.rssMb, 1),
            n(st.rssPerConnKiB, 2),
            n(st.heapPerConnKiB, 2),
            n(st.externalPerConnKiB, 2),
            n(st.cpuUsPerConnect, 0),
            n(p.idle?.baselineRssMb, 1),
          ]),
        ),
      ),
    );
    return out.join('\n');
  }
  out.push(
    'Efficiency:',
    '',
    efficiencyTable(ps),
    '',
    '"delivered / expected": expected = accepted publications × readers subscribed at the start. Below 100%: dropped, capped or merged ' +
      "(roomcast's room engine merges likes, entries and identical chat and caps messages per viewer, by design); above 100%: " +
      'messages published before the window arrived in it (batching windows, backlogs).',
    '',
    'Latency (ms) and resources:',
    '',
    latencyTable(ps),
    '',
    'Drops and checks:',
    '',
    dropsTable(ps),
    '',
  );
  const churn = ps.filter((p) => p.churn);
  if (churn.length > 0) {
    out.push(
      'Churn and reconnect storm:',
      '',
      table(
        [
          'system',
          'rep',
          'joins',
          'joins/s',
          'join latency p50/p90/p99/max ms',
          'join failures',
          'CPU µs per leave+join',
          'storm: dropped → ok / failed',
          'storm t50 / t90 / t99 / t100 ms',
          'storm server CPU s',
        ],
        churn.map((p) => {
          const c = p.churn;
          const st = c?.storm;
          return [
            p.system,
            String(p.repetition),
            n(c?.joins),
            n(c?.joinsPerSecond, 1),
            ms(c?.joinLatencyMs),
            kv(c?.joinFailures ?? {}),
            n(c?.cpuUsPerJoin, 0),
            st ? `${n(st.dropped)} → ${n(st.ok)} / ${n(st.failed)}` : '—',
            st ? `${n(st.t50Ms)} / ${n(st.t90Ms)} / ${n(st.t99Ms)} / ${n(st.t100Ms)}` : '—',
            st ? n(st.serverCpuS, 2) : '—',
          ];
        }),
      ),
      '',
    );
  }
  const slow = ps.filter((p) => p.slow);
  if (slow.length > 0) {
    out.push(
      'Slow readers:',
      '',
      table(
        [
          'system',
          'rep',
          'slow viewers',
          'server RSS growth MB',
          'readers delivered / expected',
          'readers latency p99 ms',
          'server-reported',
        ],
        slow.map((p) => [
          p.system,
          String(p.repetition),
          n(p.slow?.slowViewers),
          n(p.slow?.rssGrowthMb, 1),
          pct(p.slow?.readersDeliveryRatio),
          n(p.latency?.total.p99, 1),
          kv(p.drops.server),
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}

const METHOD = `## How it was measured

- **Servers** run as their own processes (roomcast through \`roomcast serve --config\`, baselines through their entry),
  with a small agent preloaded for event-loop delay and forced GC. CPU time (user + system, all threads) and RSS are
  read from \`/proc/<pid>/stat\` and \`/proc/<pid>/status\` at the start and end of the measured window. The window runs
  from the start mark (after warm-up) to the end of the drain (publishing stopped, deliveries stopped arriving).
- **Receivers** are raw \`net\` sockets with a hand-written upgrade. Most viewers count in place: data frames, bytes after
  the upgrade (headers included) and pushes = number of \`\\n\` + 1 per text message (Centrifugo JSON puts one push per
  line; pings \`{}\` are answered, not counted), or one per \`42\` packet for Socket.IO. A sample of viewers decodes every
  message: content is rebuilt from the message id and compared byte for byte, order is checked per (channel, sender),
  and latency is receive time − publish time on the machine's monotonic clock (shared by all processes). Half of the
  sampled viewers negotiate permessage-deflate; their wire bytes give "B / msg deflate".
- **Deliveries** are messages counted by viewers that kept reading. **Expected** = accepted publications per channel ×
  readers subscribed to it at the start mark. **Frames / CPU-s** counts data frames received by viewers, i.e. socket
  frame writes by the server.
- **Window wait** = first arrival of a message at any sampled viewer (each room's first subscriber is a probe that the
  server writes to first) − publish; **fan-out** = arrival − that first arrival.
- **Bottleneck**: a process using ≥ 85% of a core (or of its pinned cores) is saturated. When the generators are and the
  server is not, the phase is flagged generator-bound: its rates understate the server. Foreign load = machine busy
  time (from \`/proc/stat\`) minus the bench's own processes.
- With \`--workers\` > 1, CPU and RSS sum roomcast's process tree; event-loop delay is the primary's only.
- Ratios are taken within one repetition (same conditions) and then the median over repetitions.
`;

export function renderMarkdown(r: BenchResult, cs: readonly Chart[]): string {
  const m = r.machine;
  const o = r.options;
  const out: string[] = [
    `# roomcast bench ${r.runId}${r.label ? `: ${r.label}` : ''}`,
    '',
    `${r.startedAt} → ${r.finishedAt}${r.quick ? ' · **quick mode** (smoke run: figures are not speeds)' : ''}`,
    '',
    `Machine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memGiB} GiB, open files ${m.openFilesLimit ?? '?'}, Node ${m.node}, Linux ${m.kernel}; ` +
      `load average ${m.loadAvgStart.map((x) => x.toFixed(2)).join(' ')} → ${m.loadAvgEnd.map((x) => x.toFixed(2)).join(' ')}; ` +
      (m.pinned
        ? `servers pinned to CPU ${o.serverCpus}, generators to CPU ${o.generatorCpus}.`
        : 'no CPU pinning.'),
    '',
    `Run: ${o.workloads.map((w) => `${w} × ${(o.matrix[w] ?? o.systems).join(', ')}`).join('; ')}; ${o.repeat} repetition(s); ${o.duration} s measured after ${o.warmup} s warm-up; ` +
      `sample ${o.sample}, deflate share ${o.deflateShare}; ${o.servers} roomcast process(es).`,
    '',
    `Room engine: ${r.engine.note}${r.engine.roomKeys.length > 0 ? ` (room options known to the server: ${r.engine.roomKeys.join(', ')})` : ''}.`,
    '',
  ];
  if (r.warnings.length > 0) out.push('**Warnings**', '', ...r.warnings.map((w) => `- ${w}`), '');
  out.push(
    '## Targets (SPEC)',
    '',
    table(
      ['target', 'goal', 'measured', 'met'],
      r.targets.map((t) => [
        t.target,
        t.goal,
        t.measured + (t.note ? ` (${t.note})` : ''),
        t.met === null ? '—' : t.met ? 'yes' : 'no',
      ]),
    ),
    '',
    '## Ratios (same run, same workload)',
    '',
    r.ratios.length === 0
      ? 'No pair of systems measured.'
      : table(
          ['workload', 'what', 'ratio', 'spread'],
          r.ratios.map((x) => [
            x.workload,
            `${x.what}: ${x.numerator} ÷ ${x.denominator}`,
            `${x.value.toFixed(2)}×`,
            x.spread ? `${x.spread[0].toFixed(2)}–${x.spread[1].toFixed(2)}` : '—',
          ]),
        ),
    '',
    '## Charts',
    '',
    ...cs.flatMap((c) => [`![${c.title}](${c.file})`, '']),
    '## Results by workload',
    '',
  );
  for (const w of WORKLOADS) {
    const sec = workloadSection(r, w);
    if (sec) out.push(sec, '');
  }
  out.push(METHOD);
  return out.join('\n');
}
