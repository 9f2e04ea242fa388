// Summarises a V8 CPU profile (`node --cpu-prof`, e.g. a roomcast server started by
// `roomcast bench --server-node-args "--cpu-prof --cpu-prof-dir=…"`): self time per function,
// top N as a Markdown table, plus the totals of V8's own categories (GC, program, idle).
//
//   node packages/bench/src/tools/profile-summary.ts <file.cpuprofile> [top] [fromS] [toS]
//
// `fromS`/`toS` keep only samples in that span (seconds since the profile started), e.g. the
// measured window of a phase.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function where(f: CallFrame): string {
  if (f.url === '') return '';
  const path = f.url.startsWith('file://') ? relative(ROOT, fileURLToPath(f.url)) : f.url;
  return `${path}:${f.lineNumber + 1}`;
}

export function summarise(
  p: CpuProfile,
  fromS = 0,
  toS = Number.POSITIVE_INFINITY,
): {
  totalMs: number;
  rows: SelfTime[];
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, { name: string; where: string; us: number }>();
  let t = 0;
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    const s = t / 1e6;
    if (s < fromS || s > toS) continue;
    const n = byId.get(p.samples[i] as number);
    if (!n) continue;
    const f = n.callFrame;
    const name = f.functionName || '(anonymous)';
    const w = where(f);
    const key = `${name}@${w}`;
    const e = self.get(key);
    if (e) e.us += dt;
    else self.set(key, { name, where: w, us: dt });
    total += dt;
  }
  const rows = [...self.values()]
    .sort((a, b) => b.us - a.us)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: total > 0 ? e.us / total : 0 }));
  return { totalMs: total / 1000, rows };
}

function main(argv: string[]): void {
  const [file, topText, fromText, toText] = argv;
  if (!file) {
    process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top] [fromS] [toS]\n');
    process.exit(2);
  }
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const top = Number(topText ?? 25);
  const { totalMs, rows } = summarise(
    p,
    fromText !== undefined ? Number(fromText) : 0,
    toText !== undefined ? Number(toText) : Number.POSITIVE_INFINITY,
  );
  const out = [
    `Profile ${file}: ${(totalMs / 1000).toFixed(1)} s of samples` +
      (fromText !== undefined ? ` (from ${fromText} s to ${toText ?? 'end'} s)` : ''),
    '',
    '| # | function | where | self ms | self % |',
    '|---|---|---|---|---|',
    ...rows
      .slice(0, top)
      .map(
        (r, i) =>
          `| ${i + 1} | \`${r.name}\` | ${r.where === '' ? '(native / V8)' : `\`${r.where}\``} | ${r.selfMs.toFixed(0)} | ${(r.share * 100).toFixed(1)}% |`,
      ),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
