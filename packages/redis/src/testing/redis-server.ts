// Private redis-server processes for tests that must restart, kill or cluster Redis without
// touching the shared instance. Each runs on a free port (never 6379 or 8000) with no
// persistence, in a temp dir the caller removes; stop() kills exactly the PID started here.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { sleep } from '@roomcast/server/testing';

const RESERVED = new Set([6379, 8000]);

/** Why private Redis tests must be skipped (no redis-server binary), or undefined. */
export function redisServerSkipReason(): string | undefined {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8', timeout: 5000 });
  if (r.error || r.status !== 0)
    return 'redis-server is not installed (needed to start private Redis processes)';
  return undefined;
}

/** A TCP port nobody listens on right now (small race with other processes, checked by start). */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        const p = a !== null && typeof a === 'object' ? a.port : 0;
        s.close(() => resolve(p));
      });
    });
    // The cluster bus uses port + 10000, so it must fit as well.
    if (port > 0 && !RESERVED.has(port) && !RESERVED.has(port + 10000) && port + 10000 < 65536) return port;
  }
  throw new Error('no free port found');
}

/** Sends one inline command and returns the raw reply text, or throws after `timeoutMs`. */
export function rawCommand(port: number, command: string, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no reply to ${command} on port ${port}`));
    }, timeoutMs);
    s.once('connect', () => s.write(`${command}\r\n`));
    s.on('data', (d) => {
      buf += d.toString('utf8');
      // A status/error/integer line, or a bulk string once complete.
      const m = /^\$(\d+)\r\n/.exec(buf);
      if (
        (m && buf.length >= m[0].length + Number(m[1]) + 2) ||
        (!buf.startsWith('$') && buf.endsWith('\r\n'))
      ) {
        clearTimeout(timer);
        s.destroy();
        resolve(buf);
      }
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export class RedisServerProcess {
  readonly port: number;
  readonly #dir: string;
  readonly #extra: readonly string[];
  #child: ChildProcess | undefined;

  private constructor(port: number, dir: string, extra: readonly string[]) {
    this.port = port;
    this.#dir = dir;
    this.#extra = extra;
  }

  /** Starts redis-server in `dir` and waits (deadline 5 s) until it answers PING. */
  static async start(
    dir: string,
    opts: { port?: number; cluster?: boolean } = {},
  ): Promise<RedisServerProcess> {
    const port = opts.port ?? (await freePort());
    const extra = opts.cluster
      ? [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `${dir}/nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
        ]
      : [];
    const p = new RedisServerProcess(port, dir, extra);
    await p.#spawn();
    return p;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async #spawn(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.#dir,
        ...this.#extra,
      ],
      { stdio: 'ignore' },
    );
    this.#child = child;
    const deadline = Date.now() + 5000;
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode}`);
      try {
        if ((await rawCommand(this.port, 'PING', 500)).startsWith('+PONG')) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`redis-server on port ${this.port} did not answer PING within 5 s`);
      }
      await sleep(50);
    }
  }

  /** Kills exactly this process (SIGKILL: no shutdown save) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    let timer: NodeJS.Timeout | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      timer = setTimeout(resolve, 5000);
    });
    child.kill('SIGKILL');
    await exited;
    clearTimeout(timer);
  }

  /** Kill -9 and start again on the same port: the dataset and the script cache are gone. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }
}
