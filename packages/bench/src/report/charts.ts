// The report's charts, built from result.json: deliveries per server CPU-second by system,
// latency CDFs, memory per connection vs N, bytes per message.

import { SYSTEMS, WORKLOADS, type SystemName, type WorkloadName } from '../cli/options.ts';
import { medianOf } from './analysis.ts';
import type { BenchResult, PhaseResult } from './result.ts';
import { barChart, lineChart } from './svg.ts';

export interface Chart {
  file: string;
  title: string;
  svg: string;
}

const THROUGHPUT: readonly WorkloadName[] = ['goim', 'live', 'churn', 'slow', 'room'];

function present<T extends string>(all: readonly T[], used: Iterable<string>): T[] {
  const u = new Set(used);
  return all.filter((x) => u.has(x));
}

export function charts(r: BenchResult): Chart[] {
  const out: Chart[] = [];
  const phases = r.phases;
  const systems = present(
    SYSTEMS,
    phases.map((p) => p.system),
  );
  const workloads = present(
    WORKLOADS,
    phases.map((p) => p.workload),
  ).filter((w) => THROUGHPUT.includes(w));
  if (workloads.length > 0) {
    out.push({
      file: 'deliveries-per-cpu.svg',
      title: 'Deliveries per server CPU-second by system',
      svg: barChart({
        title: 'Deliveries per server CPU-second (median of repetitions)',
        unit: 'deliveries / CPU-s',
        categories: workloads,
        series: systems.map((s) => ({
          name: s,
          values: workloads.map((w) => medianOf(phases, w, s, (p) => p.efficiency.deliveriesPerCpuS)),
        })),
      }),
    });
    out.push({
      file: 'frames-per-cpu.svg',
      title: 'Frame writes per server CPU-second by system',
      svg: barChart({
        title: 'WebSocket frames per server CPU-second (median)',
        unit: 'frames / CPU-s',
        categories: workloads,
        series: systems.map((s) => ({
          name: s,
          values: workloads.map((w) => medianOf(phases, w, s, (p) => p.efficiency.framesPerCpuS)),
        })),
      }),
    });
  }
  for (const w of ['goim', 'live', 'room'] as const) {
    const series = systems
      .map((s) => {
        const p = phases.find(
          (x) => x.workload === w && x.system === s && x.latency && x.latency.samples > 0,
        );
        return p?.latency
          ? { name: s, points: p.latency.cdf.map(([ms, q]) => [Math.max(ms, 0.01), q] as [number, number]) }
          : null;
      })
      .filter((s) => s !== null);
    if (series.length === 0) continue;
    out.push({
      file: `latency-cdf-${w}.svg`,
      title: `Latency CDF (${w})`,
      svg: lineChart({
        title: `Latency CDF, publish → receive (${w}, first repetition)`,
        xLabel: 'ms (log scale)',
        yLabel: 'fraction of sampled deliveries',
        xLog: true,
        yMax: 1,
        series,
      }),
    });
  }
  // Server CPU second by second through the first repetition of each load workload: the
  // connect storm, its aftermath during warm-up, and the measured window.
  for (const w of workloads) {
    const series = systems
      .map((s) => {
        const p = phases.find((x) => x.workload === w && x.system === s && (x.timeline?.length ?? 0) > 0);
        return p?.timeline
          ? { name: s, points: p.timeline.map((pt) => [pt.t, pt.serverCpu] as [number, number]) }
          : null;
      })
      .filter((s) => s !== null);
    if (series.length === 0) continue;
    out.push({
      file: `server-cpu-timeline-${w}.svg`,
      title: `Server CPU through the phase (${w})`,
      svg: lineChart({
        title: `Server CPU (cores) through the phase: connect, warm-up, measured window (${w}, first repetition)`,
        xLabel: 'seconds since the phase started',
        yLabel: 'server CPU (cores)',
        xLog: false,
        series,
      }),
    });
  }
  const idle = phases.filter((p) => p.workload === 'idle' && p.idle);
  if (idle.length > 0) {
    out.push({
      file: 'memory-per-connection.svg',
      title: 'Memory per connection vs N',
      svg: lineChart({
        title: 'Server RSS per idle connection (KiB) vs connections',
        xLabel: 'connections',
        yLabel: 'KiB per connection',
        xLog: false,
        series: systems
          .map((s) => {
            const p = idle.find((x) => x.system === s);
            return p?.idle
              ? {
                  name: s,
                  points: p.idle.steps.map((st) => [st.connections, st.rssPerConnKiB] as [number, number]),
                }
              : null;
          })
          .filter((s) => s !== null),
      }),
    });
  }
  const bytesW: WorkloadName = phases.some((p) => p.workload === 'live') ? 'live' : 'goim';
  const b = (s: SystemName, m: (p: PhaseResult) => number | null): number | null =>
    medianOf(phases, bytesW, s, m);
  if (phases.some((p) => p.workload === bytesW)) {
    out.push({
      file: 'bytes-per-message.svg',
      title: `Bytes per delivered message (${bytesW})`,
      svg: barChart({
        title: `Wire bytes per delivered message (${bytesW} corpus)`,
        unit: 'bytes / message',
        categories: systems,
        series: [
          { name: 'plain receivers', values: systems.map((s) => b(s, (p) => p.efficiency.bytesPerDelivery)) },
          {
            name: 'permessage-deflate',
            values: systems.map((s) => b(s, (p) => p.efficiency.compressedBytesPerDelivery)),
          },
        ],
      }),
    });
  }
  return out;
}
