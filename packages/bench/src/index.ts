// Entry point of `roomcast bench` (being built: see issue 5).
export async function runBench(_argv: string[]): Promise<number> {
  process.stderr.write('roomcast bench is not built yet\n');
  return 1;
}
