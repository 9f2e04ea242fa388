// Starting and watching the servers under test. roomcast starts through its real CLI
// (`roomcast serve --config <file>`) and the baselines through their own entry, each as a
// separate process with the measuring agent preloaded, pinned with taskset when asked.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AgentReply, AgentStats } from '../agent/server-agent.ts';
import { Children } from '../coordinator/children.ts';
import { readProcTree, type ProcSample } from './proc.ts';
import { roomcastConfig, type DefaultConfig, type EngineKnobs } from './roomcast-config.ts';
import type { SystemDef } from './systems.ts';

const AGENT = pathToFileURL(fileURLToPath(new URL('../agent/server-agent.ts', import.meta.url))).href;
const BASELINE_MAIN = fileURLToPath(new URL('../baselines/main.ts', import.meta.url));
export const DEFAULT_ROOMCAST_BIN = fileURLToPath(new URL('../../../cli/bin/roomcast.js', import.meta.url));

const READY_TIMEOUT_MS = 30_000;
const LOG_TAIL = 40;

export interface Endpoint {
  host: string;
  port: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

class ServerProc {
  readonly child: ChildProcess;
  readonly endpoint: Endpoint;
  private readonly log: string[] = [];
  private nextReq = 1;
  private readonly waiting = new Map<number, (r: AgentReply) => void>();

  constructor(child: ChildProcess, endpoint: Endpoint) {
    this.child = child;
    this.endpoint = endpoint;
    const keep = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') this.log.push(line);
      if (this.log.length > LOG_TAIL) this.log.splice(0, this.log.length - LOG_TAIL);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (m: unknown) => {
      if (typeof m !== 'object' || m === null || !('agent' in m)) return;
      const r = m as AgentReply;
      this.waiting.get(r.req)?.(r);
      this.waiting.delete(r.req);
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  logTail(): string {
    return this.log.join('\n');
  }

  agent(
    body: { agent: 'reset' } | { agent: 'read'; gc: boolean },
    timeoutMs = 10_000,
  ): Promise<AgentReply | undefined> {
    if (!this.alive || !this.child.connected) return Promise.resolve(undefined);
    const req = this.nextReq++;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiting.delete(req);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(req, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.child.send({ ...body, req });
    });
  }

  async waitReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (!this.alive)
        throw new Error(`server exited during start (code ${this.child.exitCode}):\n${this.logTail()}`);
      try {
        const r = await fetch(`http://${this.endpoint.host}:${this.endpoint.port}/health`, {
          signal: AbortSignal.timeout(1000),
        });
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`server not ready after ${READY_TIMEOUT_MS} ms:\n${this.logTail()}`);
  }
}

export interface StartOptions {
  system: SystemDef;
  /** roomcast processes (baselines always start one). */
  servers: number;
  children: Children;
  tmpDir: string;
  roomcastBin: string;
  defaults: DefaultConfig | undefined;
  knobs: EngineKnobs | undefined;
  engine: Record<string, unknown>;
  apiKey: string;
  hmacSecret: string;
  redisUrl: string;
  redisPrefix: string;
  workers: number;
  /** taskset CPU list, or '' for no pinning. */
  cpus: string;
  ticks: number;
  /** Extra Node flags for roomcast processes (e.g. --cpu-prof). */
  nodeArgs?: readonly string[];
}

/** The servers of one phase: started processes, or running targets. */
export class ServerGroup {
  readonly endpoints: Endpoint[];
  /** roomcast (started or targeted): it has /metrics worth reading. */
  readonly isRoomcast: boolean;
  readonly engineApplied: string[];
  private readonly procs: ServerProc[];
  private readonly targetPids: number[];
  private readonly ticks: number;

  constructor(
    endpoints: Endpoint[],
    procs: ServerProc[],
    targetPids: number[],
    engineApplied: string[],
    ticks: number,
    isRoomcast: boolean,
  ) {
    this.endpoints = endpoints;
    this.isRoomcast = isRoomcast;
    this.procs = procs;
    this.targetPids = targetPids;
    this.engineApplied = engineApplied;
    this.ticks = ticks;
  }

  get pids(): number[] {
    return this.procs.length > 0 ? this.procs.map((p) => p.pid) : this.targetPids;
  }

  /** Per server: its process and every descendant (cluster workers) summed. */
  sample(): (ProcSample | undefined)[] {
    return this.pids.map((pid) => readProcTree(pid, this.ticks));
  }

  allAlive(): boolean {
    return this.procs.every((p) => p.alive);
  }

  /** " (pid N: code/signal)" for processes that exited. */
  exitInfo(): string {
    const dead = this.procs.filter((p) => !p.alive);
    return dead
      .map((p) => ` (pid ${p.pid}: ${p.child.signalCode ?? `exit code ${p.child.exitCode}`})`)
      .join('');
  }

  async agentReset(timeoutMs?: number): Promise<void> {
    await Promise.all(this.procs.map((p) => p.agent({ agent: 'reset' }, timeoutMs)));
  }

  /** Agent figures per process (undefined for targets, which have no agent). */
  async agentRead(gc: boolean, timeoutMs?: number): Promise<(AgentStats | undefined)[]> {
    if (this.procs.length === 0) return this.targetPids.map(() => undefined);
    const replies = await Promise.all(this.procs.map((p) => p.agent({ agent: 'read', gc }, timeoutMs)));
    return replies.map((r) => (r && r.agent === 'stats' ? r.stats : undefined));
  }

  logTail(): string {
    return this.procs.map((p) => p.logTail()).join('\n');
  }

  async stop(): Promise<void> {
    await Promise.all(this.procs.map((p) => Children.stop(p.child)));
  }
}

function spawnServer(
  o: StartOptions,
  args: string[],
  endpoint: Endpoint,
  env: NodeJS.ProcessEnv,
  extraNodeArgs: readonly string[] = [],
): ServerProc {
  const nodeArgs = ['--expose-gc', ...extraNodeArgs, '--import', AGENT, ...args];
  const child =
    o.cpus !== ''
      ? spawn('taskset', ['-c', o.cpus, process.execPath, ...nodeArgs], {
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          env,
        })
      : spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env });
  o.children.add(child);
  return new ServerProc(child, endpoint);
}

/** The environment of a server: ours minus ROOMCAST_* (they would override the config file). */
function serverEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ROOMCAST_')) env[k] = v;
  return { ...env, ...extra };
}

export async function startServers(o: StartOptions): Promise<ServerGroup> {
  const procs: ServerProc[] = [];
  const applied = new Set<string>();
  try {
    if (o.system.server.type === 'roomcast') {
      if (!o.defaults || !o.knobs) throw new Error('roomcast defaults were not read');
      const n = o.system.multiProcess ? o.servers : 1;
      for (let i = 0; i < n; i++) {
        const port = await freePort();
        const { config, applied: a } = roomcastConfig({
          defaults: o.defaults,
          knobs: o.knobs,
          port,
          nodeName: `bench-${o.system.name}-${i}`,
          apiKey: o.apiKey,
          hmacSecret: o.hmacSecret,
          batching: o.system.server.batching,
          engine: o.engine,
          redisUrl: o.redisUrl,
          redisPrefix: o.redisPrefix,
          workers: o.workers,
        });
        for (const x of a) applied.add(x);
        const file = join(o.tmpDir, `${o.system.name}-${i}.json`);
        writeFileSync(file, JSON.stringify(config, null, 2));
        const env = serverEnv({});
        procs.push(
          spawnServer(
            o,
            [o.roomcastBin, 'serve', '--config', file],
            { host: '127.0.0.1', port },
            env,
            o.nodeArgs,
          ),
        );
      }
    } else {
      const port = await freePort();
      procs.push(
        spawnServer(
          o,
          [BASELINE_MAIN, o.system.server.baseline, String(port), o.apiKey],
          { host: '127.0.0.1', port },
          serverEnv({}),
        ),
      );
    }
    await Promise.all(procs.map((p) => p.waitReady()));
  } catch (err) {
    await Promise.all(procs.map((p) => Children.stop(p.child)));
    throw err;
  }
  return new ServerGroup(
    procs.map((p) => p.endpoint),
    procs,
    [],
    [...applied],
    o.ticks,
    o.system.server.type === 'roomcast',
  );
}

/** Running roomcast nodes given with --target (host:port each). */
export function targetServers(
  targets: readonly string[],
  pids: readonly number[],
  ticks: number,
): ServerGroup {
  const endpoints = targets.map((t) => {
    const m = /^(?:wss?:\/\/|https?:\/\/)?([^:/]+):(\d+)/.exec(t);
    if (!m) throw new Error(`bad --target "${t}" (host:port)`);
    const host = m[1] as string;
    if (!/^127\.|^localhost$/.test(host))
      throw new Error(`--target must be on loopback (127.0.0.0/8), got ${host}`);
    return { host: host === 'localhost' ? '127.0.0.1' : host, port: Number(m[2]) };
  });
  return new ServerGroup(endpoints, [], [...pids], [], ticks, true);
}
