// A whole bench run: for each repetition, each workload, each system, one phase; results are
// written after every phase (an interrupted run keeps what it measured), then the report.

import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { BenchOptions } from '../cli/options.ts';
import { buildPlan } from '../plan/workloads.ts';
import { analyse } from '../report/analysis.ts';
import { writeReport } from '../report/write.ts';
import { RESULT_SCHEMA, type BenchResult, type MachineInfo, type PhaseResult } from '../report/result.ts';
import { clockTicks, openFilesLimit } from '../systems/proc.ts';
import {
  detectEngine,
  readDefaults,
  type DefaultConfig,
  type EngineKnobs,
} from '../systems/roomcast-config.ts';
import { DEFAULT_ROOMCAST_BIN } from '../systems/server-process.ts';
import { SYSTEM_DEFS } from '../systems/systems.ts';
import { Children } from './children.ts';
import { runPhase } from './phase.ts';
import { ProgressLine, si } from './progress.ts';

function tasksetWorks(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function machine(pinned: boolean): MachineInfo {
  return {
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    openFilesLimit: openFilesLimit() ?? null,
    node: process.version,
    kernel: release(),
    loadAvgStart: loadavg(),
    loadAvgEnd: [],
    pinned,
  };
}

function summary(r: PhaseResult): string {
  const e = r.efficiency;
  const head = `  ${r.workload} · ${r.system}: ${r.status}`;
  if (r.status === 'failed') return `${head}: ${(r.error ?? '').split('\n')[0]}`;
  if (r.idle)
    return `${head}: ${r.idle.steps.map((s) => `${s.connections} conns ${s.rssPerConnKiB.toFixed(1)} KiB/conn`).join(', ')}`;
  const lat = r.latency?.total;
  return (
    `${head}: ${si(r.deliveries.received)} deliveries, ${e.deliveriesPerCpuS !== null ? si(e.deliveriesPerCpuS) : '—'}/CPU-s, ` +
    `${e.framesPerCpuS !== null ? si(e.framesPerCpuS) : '—'} frames/CPU-s, p99 ${lat ? lat.p99.toFixed(0) : '—'} ms, ` +
    `server ${Math.round(r.server.util * 100)}% cpu; ${r.bottleneck.verdict}`
  );
}

export async function runAll(o: BenchOptions): Promise<number> {
  const started = new Date();
  const runId =
    o.runId || `${started.toISOString().slice(11, 19).replace(/:/g, '')}-${randomBytes(3).toString('hex')}`;
  const dir = resolve(o.out, started.toISOString().slice(0, 10), runId);
  mkdirSync(dir, { recursive: true });
  const children = new Children();
  children.install();
  const progress = new ProgressLine(o.progress);
  const tmpDir = mkdtempSync(join(tmpdir(), 'roomcast-bench-'));
  const cores = availableParallelism();
  const pinned = o.pin && cores >= 2 && tasksetWorks();
  const opts: BenchOptions = { ...o, roomcastBin: o.roomcastBin || DEFAULT_ROOMCAST_BIN };
  const mach = machine(pinned);
  const phases: PhaseResult[] = [];
  let defaults: DefaultConfig | undefined;
  let knobs: EngineKnobs | undefined;
  const result = (): BenchResult => {
    const a = analyse(phases, opts, knobs);
    return {
      schema: RESULT_SCHEMA,
      runId,
      label: opts.label,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      quick: opts.quick,
      machine: { ...mach, loadAvgEnd: loadavg() },
      options: opts,
      engine: {
        batchSwitch: knobs?.batchSwitch ? knobs.batchSwitch.path.join('.') : null,
        roomKeys: knobs ? [...knobs.roomKeys] : [],
        note: a.engineNote,
      },
      phases,
      ratios: a.ratios,
      targets: a.targets,
      warnings: a.warnings,
    };
  };
  try {
    if (
      opts.target.length === 0 &&
      Object.values(opts.matrix).some((ss) => ss.some((s) => SYSTEM_DEFS[s].server.type === 'roomcast'))
    ) {
      defaults = readDefaults(opts.roomcastBin);
      knobs = detectEngine(defaults);
    }
    const matrix = opts.workloads.map((w) => `${w} × ${opts.matrix[w].join(', ')}`).join('; ');
    progress.log(
      `roomcast bench ${runId}: ${matrix}${pinned ? ` (servers on cpu ${opts.serverCpus}, generators on cpu ${opts.generatorCpus})` : ''}`,
    );
    const apiKey = opts.apiKey || randomBytes(12).toString('hex');
    const secret = opts.tokenSecret || randomBytes(24).toString('hex');
    for (let rep = 1; rep <= opts.repeat; rep++) {
      for (const w of opts.workloads) {
        const plan = buildPlan(w, opts);
        for (const s of opts.matrix[w]) {
          const t0 = performance.now();
          const r = await runPhase({
            o: opts,
            runId,
            system: SYSTEM_DEFS[s],
            plan,
            repetition: rep,
            children,
            tmpDir,
            defaults,
            knobs,
            apiKey,
            secret,
            ticks: clockTicks(),
            cores,
            pinned,
            progress,
          });
          r.phaseS = (performance.now() - t0) / 1000;
          phases.push(r);
          progress.log(summary(r));
          if (r.bottleneck.note.startsWith('WARNING')) progress.log(`    ${r.bottleneck.note}`);
          writeFileSync(join(dir, 'result.json'), JSON.stringify(result(), null, 1));
        }
      }
    }
  } finally {
    children.killAll('SIGKILL');
    children.uninstall();
    rmSync(tmpDir, { recursive: true, force: true });
  }
  const final = result();
  writeReport(dir, final);
  for (const w of final.warnings) progress.log(`warning: ${w}`);
  progress.log(`results: ${join(dir, 'report.md')}`);
  return phases.some((p) => p.status === 'failed') ? 1 : 0;
}
