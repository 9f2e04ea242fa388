// Re-renders a run folder's report.md and SVG charts from its result.json (for a run whose
// report was not written, e.g. one stopped after its last phase, or after a report change).
// result.json is read, never rewritten.
//
//   node packages/bench/src/tools/render.ts bench/results/<date>/<run>/

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { charts } from '../report/charts.ts';
import { renderMarkdown } from '../report/markdown.ts';
import type { BenchResult } from '../report/result.ts';

const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  process.stderr.write('usage: node packages/bench/src/tools/render.ts <run folder> [...]\n');
  process.exit(2);
}
for (const dir of dirs) {
  const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as BenchResult;
  const cs = charts(r);
  for (const c of cs) writeFileSync(join(dir, c.file), c.svg);
  writeFileSync(join(dir, 'report.md'), renderMarkdown(r, cs));
  process.stdout.write(`${dir}: report.md and ${cs.length} charts from ${r.phases.length} phases\n`);
}
