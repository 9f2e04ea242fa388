// Writes a run's folder: result.json, report.md and the SVG charts it links.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { charts } from './charts.ts';
import { renderMarkdown } from './markdown.ts';
import type { BenchResult } from './result.ts';

export function writeReport(dir: string, r: BenchResult): void {
  writeFileSync(join(dir, 'result.json'), JSON.stringify(r, null, 1));
  const cs = charts(r);
  for (const c of cs) writeFileSync(join(dir, c.file), c.svg);
  writeFileSync(join(dir, 'report.md'), renderMarkdown(r, cs));
}
