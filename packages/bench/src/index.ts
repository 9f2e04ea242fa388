// Entry point of `roomcast bench` (the CLI routes `roomcast bench …` here).

import { BenchUsageError, parseOptions, renderHelp } from './cli/options.ts';
import { runAll } from './coordinator/run.ts';

export { parseOptions, renderHelp, type BenchOptions } from './cli/options.ts';
export type { BenchResult, PhaseResult } from './report/result.ts';

/** Runs the bench with `argv` (the arguments after "bench"); resolves to the exit code. */
export async function runBench(argv: string[]): Promise<number> {
  let o;
  try {
    o = parseOptions(argv);
  } catch (err) {
    if (err instanceof BenchUsageError) {
      process.stderr.write(`roomcast bench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (o.help) {
    process.stdout.write(renderHelp());
    return 0;
  }
  return runAll(o);
}
