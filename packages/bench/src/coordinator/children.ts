// Every process a run starts is registered here and dies with the run: on normal completion,
// on an error, on SIGINT/SIGTERM and on exit. Children also watch their IPC channel and leave
// when the bench goes away (generator main, server agent), which covers a SIGKILLed bench.

import type { ChildProcess } from 'node:child_process';

const GRACE_MS = 1500;

export class Children {
  private readonly procs = new Set<ChildProcess>();
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    process.stderr.write(`\nroomcast bench: ${signal}, stopping ${this.procs.size} child process(es)\n`);
    this.killAll('SIGTERM');
    setTimeout(() => {
      this.killAll('SIGKILL');
      process.exit(130);
    }, GRACE_MS).unref();
  };
  private readonly onExit = (): void => this.killAll('SIGKILL');

  install(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('exit', this.onExit);
  }

  uninstall(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('exit', this.onExit);
  }

  add(cp: ChildProcess): void {
    this.procs.add(cp);
    cp.once('exit', () => this.procs.delete(cp));
  }

  killAll(signal: NodeJS.Signals): void {
    for (const cp of this.procs) if (cp.exitCode === null && cp.signalCode === null) cp.kill(signal);
  }

  /** Asks a child to stop (SIGTERM), then kills it after `graceMs`. Resolves on exit. */
  static stop(cp: ChildProcess, graceMs = 5000): Promise<void> {
    if (cp.exitCode !== null || cp.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => cp.kill('SIGKILL'), graceMs);
      cp.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      cp.kill('SIGTERM');
    });
  }
}
