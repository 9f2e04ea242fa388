// The coordinator's side of one generator process: fork (pinned with taskset when asked),
// request/reply over IPC with deadlines, fire-and-forget publishes, progress figures.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromGenerator, Progress, PublishMsg, Reply, Request } from '../generator/ipc.ts';
import { Children } from './children.ts';

const GENERATOR_MAIN = fileURLToPath(new URL('../generator/main.ts', import.meta.url));
const READY_TIMEOUT_MS = 20_000;

export class GeneratorHandle {
  readonly index: number;
  readonly child: ChildProcess;
  progress: Progress | undefined;
  private nextReq = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; timer: NodeJS.Timeout }>();

  private constructor(index: number, child: ChildProcess) {
    this.index = index;
    this.child = child;
    child.on('message', (m: FromGenerator) => {
      if ('req' in m) {
        const p = this.pending.get(m.req);
        if (!p) return;
        this.pending.delete(m.req);
        clearTimeout(p.timer);
        p.resolve(m.body);
      } else if (m.type === 'progress') this.progress = m;
    });
    child.on('exit', (code, signal) => {
      for (const [req, p] of this.pending) {
        clearTimeout(p.timer);
        p.resolve({ type: 'error', message: `generator ${index} exited (${signal ?? code})` });
        this.pending.delete(req);
      }
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static spawn(index: number, cpus: string, children: Children): Promise<GeneratorHandle> {
    const child = fork(GENERATOR_MAIN, [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: ['--max-old-space-size=2048'],
      ...(cpus !== ''
        ? { execPath: 'taskset', execArgv: ['-c', cpus, process.execPath, '--max-old-space-size=2048'] }
        : {}),
    });
    children.add(child);
    const h = new GeneratorHandle(index, child);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`generator ${index} did not start in ${READY_TIMEOUT_MS} ms`));
      }, READY_TIMEOUT_MS);
      child.on('message', (m: FromGenerator) => {
        if (!('req' in m) && m.type === 'ready') {
          clearTimeout(t);
          resolve(h);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`generator ${index} exited during start (code ${code})`));
      });
    });
  }

  request(body: Request, timeoutMs: number): Promise<Reply> {
    if (!this.child.connected)
      return Promise.resolve({ type: 'error', message: `generator ${this.index} is gone` });
    const req = this.nextReq++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(req);
        resolve({
          type: 'error',
          message: `generator ${this.index}: ${body.type} timed out after ${timeoutMs} ms`,
        });
      }, timeoutMs);
      this.pending.set(req, { resolve, timer });
      this.child.send({ req, body });
    });
  }

  publish(items: number[]): void {
    if (items.length > 0 && this.child.connected)
      this.child.send({ type: 'pub', items } satisfies PublishMsg);
  }

  async stop(): Promise<void> {
    if (this.child.connected) await this.request({ type: 'stop' }, 5000);
    await Children.stop(this.child, 3000);
  }
}

/** Unwraps a reply of the expected type, or throws with the generator's error. */
export function expectReply<T extends Reply['type']>(r: Reply, type: T): Extract<Reply, { type: T }> {
  if (r.type === type) return r as Extract<Reply, { type: T }>;
  throw new Error(r.type === 'error' ? r.message : `unexpected reply ${r.type} (wanted ${type})`);
}
