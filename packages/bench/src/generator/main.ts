// Entry point of a generator process (forked by the coordinator with an IPC channel). It exits
// when told to stop or when the coordinator goes away, so no generator outlives a bench run.

import { Generator } from './generator.ts';
import type { FromGenerator, Reply, Request, ToGenerator } from './ipc.ts';

const PROGRESS_MS = 1000;

function send(msg: FromGenerator): void {
  if (process.connected) process.send?.(msg);
}

function serve(): void {
  let gen: Generator | undefined;
  let progress: NodeJS.Timeout | undefined;
  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();

  const handle = async (body: Request): Promise<Reply> => {
    if (body.type === 'setup') {
      const g = new Generator(body);
      gen = g;
      progress = setInterval(() => {
        const cpu = process.cpuUsage(lastCpu);
        const now = performance.now();
        const cpuPct = ((cpu.user + cpu.system) / 1000 / (now - lastAt)) * 100;
        lastCpu = process.cpuUsage();
        lastAt = now;
        send({ type: 'progress', ...g.totals(), cpuPct });
      }, PROGRESS_MS);
      progress.unref();
      return { type: 'ok' };
    }
    const g = gen;
    if (!g) return { type: 'error', message: 'not set up' };
    switch (body.type) {
      case 'connect':
        return { type: 'connect', report: await g.connectRange(body.from, body.to) };
      case 'mark':
        return { type: 'mark', report: g.mark(body.recording) };
      case 'samples':
        return { type: 'samples', batch: g.samples.take() };
      case 'peek': {
        const t = g.totals();
        return { type: 'peek', msgs: t.msgs, frames: t.frames };
      }
      case 'slow':
        g.slow();
        return { type: 'ok' };
      case 'churn':
        return { type: 'churn', report: await g.churn(body.count) };
      case 'storm':
        return { type: 'storm', report: await g.storm(body.concurrency, body.timeoutMs) };
      case 'stop':
        g.stop();
        clearInterval(progress);
        setTimeout(() => process.exit(0), 50);
        return { type: 'ok' };
    }
  };

  process.on('message', (raw: ToGenerator) => {
    if ('type' in raw) {
      gen?.publish(raw.items);
      return;
    }
    handle(raw.body).then(
      (body) => send({ req: raw.req, body }),
      (err: unknown) =>
        send({
          req: raw.req,
          body: { type: 'error', message: err instanceof Error ? err.message : String(err) },
        }),
    );
  });

  // The coordinator went away (finished, crashed or was killed): close everything and leave.
  process.on('disconnect', () => {
    gen?.stop();
    process.exit(0);
  });

  send({ type: 'ready' });
}

serve();
