// report.md: targets, ratios, charts, then per-workload tables (efficiency, latency, drops and
// checks) and how each number was measured. Numbers come from result.json only.

import { WORKLOADS } from '../cli/options.ts';
import type { Percentiles } from '../stats/percentiles.ts';
import type { Chart } from './charts.ts';
import type { BenchResult, HistogramSummary, PhaseResult } from './result.ts';
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
  const bus = ps.some((p) => p.server.bus);
  const t = table(
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
      ...(bus ? ['Redis CPU s', 'deliveries / CPU-s incl. Redis'] : []),
    ],
    ps.map((p) => [
      p.system + (p.fleet && p.fleet.servers > 1 ? ` (${p.fleet.servers} processes)` : ''),
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
      ...(bus
        ? [
            p.server.bus ? n(p.server.bus.cpuS, 2) : '—',
            p.server.bus ? s(p.deliveries.received / (p.server.cpuS + p.server.bus.cpuS)) : '—',
          ]
        : []),
    ]),
  );
  return bus
    ? t +
        "\n\nRedis CPU: the bus's redis-server process over the same window (not pinned; shared by the gateways)."
    : t;
}

const msp = (values: (number | null | undefined)[], digits = 0): string => {
  const v = values.filter((x): x is number => x !== null && x !== undefined && Number.isFinite(x));
  if (v.length === 0) return '—';
  const sorted = [...v].sort((a, b) => a - b);
  const med = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  return v.length > 1
    ? `${n(med, digits)} (${n(sorted[0], digits)}–${n(sorted.at(-1), digits)})`
    : n(med, digits);
};

const pct2 = (v: number | null): string => (v === null ? '—' : `${(v * 100).toFixed(2)}%`);

const hist = (h: HistogramSummary | null | undefined): string =>
  h ? `${n(h.p50Ms, 0)} / ${n(h.p99Ms, 0)}` : '—';

/** The room workload's figures, the way the live-room engine issue lists them. */
function roomTables(ps: PhaseResult[]): string {
  const rs = ps.filter((p) => p.room);
  if (rs.length === 0) return '';
  const systems = [...new Set(rs.map((p) => p.system))];
  const lat = (p: PhaseResult, cls: 'chat' | 'gift' | 'merged'): string => {
    const l = p.latency;
    const x = cls === 'chat' ? l?.chatAll : cls === 'merged' ? l?.merged : l?.splitByClass.gift;
    return x && x.total.n > 0
      ? `${n(x.total.p50, 0)} / ${n(x.total.p99, 0)} (wait ${n(x.windowWait.p50, 0)} / ${n(x.windowWait.p99, 0)}, fan-out ${n(x.fanout.p50, 0)} / ${n(x.fanout.p99, 0)})`
      : '—';
  };
  const per = table(
    [
      'system',
      'rep',
      'viewers',
      'frames / viewer / s (live + gift)',
      'chat / viewer / s (published / s)',
      'gifts delivered',
      'server drops by reason; merged',
      'µs CPU / delivery',
      'deliveries / CPU-s',
      'B / msg plain: all, chat, gift',
      'B / msg deflate: all, chat, gift',
    ],
    rs.map((p) => {
      const r = p.room!;
      return [
        p.system,
        String(p.repetition),
        n(r.viewers),
        `${n(r.framesPerViewerPerS, 2)} (${n(r.liveFramesPerViewerPerS, 2)} + ${n(r.giftFramesPerViewerPerS, 2)})`,
        `${n(r.chatPerViewerPerS, 2)} (${n(r.chatPublishedPerS, 0)})`,
        `${pct2(r.giftsDeliveredRatio)} of accepted, ${pct2(r.giftsDeliveredOfOffered)} of offered (${n(r.giftsDelivered)} pushes; ${n(r.giftsAccepted)} of ${n(r.giftsOffered)} gifts accepted × ${n(r.giftViewers)} viewers; sampled gaps ${n(r.giftGapsSampled)})` +
          ((r.giftsDeliveredRatio ?? 1) < 1 || (r.giftsDeliveredOfOffered ?? 1) < 1 ? ' **< 100%**' : ''),
        `${kv(r.drops)}; merged ${n(r.merged)}`,
        n(p.efficiency.cpuUsPerDelivery, 2),
        s(p.efficiency.deliveriesPerCpuS),
        `${n(r.bytes.all.plain, 1)}, ${n(r.bytes.chat.plain, 1)}, ${n(r.bytes.gift.plain, 1)}`,
        `${n(r.bytes.all.deflate, 1)}, ${n(r.bytes.chat.deflate, 1)}, ${n(r.bytes.gift.deflate, 1)}`,
      ];
    }),
  );
  const latT = table(
    [
      'system',
      'rep',
      'chat p50 / p99 ms (window wait, fan-out)',
      'of which merged lines, per original',
      'gift p50 / p99 ms (window wait, fan-out)',
      'server window wait p50 / p99 ms',
      'server fan-out p50 / p99 ms',
    ],
    rs.map((p) => [
      p.system,
      String(p.repetition),
      lat(p, 'chat'),
      p.latency?.merged
        ? `${lat(p, 'merged')}; ${n(p.latency.merged.lines)} lines for ${n(p.latency.merged.originals)} originals`
        : '—',
      lat(p, 'gift'),
      hist(p.room?.serverWindowWait),
      hist(p.room?.serverFanout),
    ]),
  );
  const med = table(
    [
      'system',
      'frames / viewer / s',
      'chat / viewer / s',
      'gifts delivered % of offered',
      'µs CPU / delivery',
      'deliveries / CPU-s',
      'chat B / msg plain',
      'chat B / msg deflate',
      'chat p99 ms',
      'gift p99 ms',
    ],
    systems.map((sys) => {
      const x = rs.filter((p) => p.system === sys);
      return [
        sys,
        msp(
          x.map((p) => p.room?.framesPerViewerPerS),
          2,
        ),
        msp(
          x.map((p) => p.room?.chatPerViewerPerS),
          2,
        ),
        msp(
          x.map((p) =>
            (p.room?.giftsDeliveredOfOffered ?? null) === null
              ? null
              : p.room!.giftsDeliveredOfOffered! * 100,
          ),
          2,
        ),
        msp(
          x.map((p) => p.efficiency.cpuUsPerDelivery),
          2,
        ),
        msp(x.map((p) => p.efficiency.deliveriesPerCpuS)),
        msp(
          x.map((p) => p.room?.bytes.chat.plain),
          1,
        ),
        msp(
          x.map((p) => p.room?.bytes.chat.deflate),
          1,
        ),
        msp(x.map((p) => (p.latency && p.latency.chatAll.total.n > 0 ? p.latency.chatAll.total.p99 : null))),
        msp(
          x.map((p) =>
            p.latency && p.latency.splitByClass.gift.total.n > 0
              ? p.latency.splitByClass.gift.total.p99
              : null,
          ),
        ),
      ];
    }),
  );
  return [
    'Room figures (the live-room engine issue), per repetition:',
    '',
    per,
    '',
    'Room latency per repetition (sampled viewers, publish → receive; server histograms from /metrics):',
    '',
    latT,
    '',
    'Room figures, median (min–max) over repetitions:',
    '',
    med,
    '',
    ROOM_METHOD,
  ].join('\n');
}

const ROOM_METHOD = `How the room figures are measured:

- **Viewers**: raw sockets subscribed to \`live:room\` and \`gift:room\` at the start of the window, spread over
  several generator processes. Chat is published through the HTTP API on \`live:room\` (\`{"type":"chat","text":…,"id":…}\`
  from the corpus, priority normal), gifts on \`gift:room\` with \`"priority":"gift"\`; messages due while a request is
  out go in the next \`/api/batch\`. roomcast runs its default room settings (1 s window for rooms ≥ 1,000 local
  viewers, 20 messages per viewer per second, conflation).
- **Frames / viewer / s**: WebSocket data frames received by viewers in the window ÷ viewers ÷ publishing seconds;
  the gift part is told apart by the channel name at a fixed offset of each push (\`{"push":{"channel":"g…\`).
- **Chat / viewer / s**: live-channel publications received ÷ viewers ÷ publishing seconds, minus online-count pushes
  (publications without a bench id, counted by the decoding viewers). "published / s": chat publications the server
  accepted per second.
- **Gifts delivered**: gift pushes counted by every viewer from the first gift to the end of the drain ÷ (gifts × viewers
  subscribed to the gift channel), for the gifts the server accepted (acknowledged) and for the gifts the plan asked
  to publish (offered: a server that falls behind leaves gifts in the publisher's backlog); flagged when below 100%.
  "Sampled gaps": gift sequence numbers missing at decoding viewers.
- **Drops by reason**: roomcast's \`roomcast_room_drops_total{reason}\` (cap: over the per-viewer budget; stale; overflow),
  \`roomcast_room_rejected_total{reason}\` and \`roomcast_room_merged_total\` (originals folded into conflated lines),
  differences between scrapes of \`/metrics\` at both ends of the window.
- **CPU**: server CPU (user + system, /proc) over the window ÷ deliveries counted by viewers (µs per delivery), and its
  inverse (deliveries per CPU-second).
- **Bytes / msg**: wire bytes (frame headers included) ÷ publications, on plain receivers and on the sampled receivers
  that negotiated permessage-deflate (roomcast compresses each shared frame once, \`server_no_context_takeover\`);
  "chat" is the live channel, "gift" the gift channel.
- **Latency** (sampled viewers): publish stamp → receive on one monotonic clock; window wait = first arrival of the
  message at any sampled viewer − publish; fan-out = arrival − that first arrival. Merged chat lines (\`"count":n\`, no
  message id: the engine merges identical texts of a window, and merged lines win the per-viewer budget) are timed
  per original: the n latest publications of that text before the line's first arrival (from the publisher's log)
  each give one sample; "chat" is single lines and these originals together. **Server histograms**:
  \`roomcast_room_window_wait_seconds\` (arrival at the node → batch flush, per delivered room message) and
  \`roomcast_room_fanout_seconds\` (writing one batch to every local viewer), bucket deltas over the window, quantiles
  interpolated inside buckets (bounds 0, 1, 5, 10, 25, 50, 100, 250, 500, 750, 1000, 1500, 2500, 5000 ms). Gifts do
  not pass the room engine (the gift namespace has no batching), so the server histograms are chat only.
`;

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
          'leaves + joins',
          'leaves + joins / s',
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
            `${n(c?.leaves)} + ${n(c?.joins)}`,
            n(c?.joinsLeavesPerSecond, 1),
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
  const room = roomTables(ps);
  if (room !== '') out.push(room, '');
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
    `Run: ${o.workloads.map((w) => `${w} × ${(o.matrix[w] ?? o.systems).join(', ')}`).join('; ')}; ${o.repeat} repetition(s); ${o.duration} s measured after ${o.warmup} s warm-up${o.workloads.includes('slow') ? ` (slow: ${o.slowWarmup} s)` : ''}; ` +
      `sample ${o.sample}, deflate share ${o.deflateShare}; ${o.servers} roomcast process(es)` +
      (o.workloads.includes('room')
        ? `; room: ${o.roomViewers} viewers, ${o.roomChatRate} chat/s, ${o.roomGiftRate} gifts/s, ${o.roomDuration} s measured, ≥ ${o.roomGenerators} client processes`
        : '') +
      (o.systems.includes('roomcast-redis3') ? `; roomcast-redis3: 3 gateways on ${o.redisUrl}` : '') +
      '.',
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
