// roomcast CLI: the composition root. Flags/env → config → adapters → server. Only this module
// reads process.env and process.argv.

import { readFileSync } from 'node:fs';
import cluster from 'node:cluster';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  backends,
  ConfigError,
  createLogger,
  createServer,
  loadConfig,
  renderConfigDocs,
  renderDefaultConfig,
  type Config,
} from '@roomcast/server';
import { parseArgs, UsageError, type ParsedArgs } from './args.ts';
import { compose } from './compose.ts';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Short flags and the config keys they set. */
const ALIASES: Record<string, string> = {
  port: 'http.port',
  host: 'http.host',
  'api-key': 'api.key',
  'token-hmac-secret': 'token.hmacSecret',
  'allow-anonymous': 'client.allowAnonymous',
  'log-level': 'log.level',
  'node-name': 'node.name',
  'redis-url': 'redis.url',
};
const SWITCHES = new Set(['dev', 'help', 'version', 'docs', 'allow-anonymous', 'wait']);
// `--workers N` is the config key `workers`.
const OWN_FLAGS = new Set(['config', 'dev', 'help', 'version', 'format', 'docs', 'url', 'period', 'wait']);

const HELP = `roomcast ${VERSION}: real-time messaging for live-streaming rooms (Centrifugo protocol v2)

Usage: roomcast <command> [options]

Commands:
  serve                   run a node (WebSocket /connection/websocket, HTTP API /api, status /status)
  check-config            validate a configuration and print a summary
  print-default-config    print every setting with its default and doc (--format yaml|json, --docs)
  drain                   move a running node's clients to other nodes and stop it accepting
                          (--url http://host:port, --api-key, --period <s>, --wait)
  bench                   load benchmarks with baselines (roomcast bench --help)

Options:
  --config <file>         JSON or YAML config file (also ROOMCAST_CONFIG)
  --dev                   development defaults: anonymous viewers, API key "dev-api-key",
                          token secret "dev-secret" (what "npm start" uses)
  --port <n>              listen port (ROOMCAST_PORT, default 8000)
  --host <addr>           listen address (ROOMCAST_HOST, default 0.0.0.0)
  --api-key <key>         HTTP API key (ROOMCAST_API_KEY)
  --token-hmac-secret <s> HMAC secret for JWTs (ROOMCAST_TOKEN_HMAC_SECRET)
  --allow-anonymous       allow connections without a token (ROOMCAST_ALLOW_ANONYMOUS=true)
  --log-level <level>     fatal|error|warn|info|debug|trace|silent (ROOMCAST_LOG_LEVEL)
  --redis-url <url>       distributed mode: bus, history and presence on Redis (ROOMCAST_REDIS_URL)
  --workers <n>           n worker processes on the port (needs Redis; ROOMCAST_WORKERS)
  --<key>=<value>         any config key, e.g. --client.maxPayloadBytes=8192
  -h, --help              this help;  --version  print the version

Precedence: defaults < --dev < config file < ROOMCAST_* environment < flags.
`;

function configFlags(args: ParsedArgs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of args.flags) {
    if (OWN_FLAGS.has(k)) continue;
    out[ALIASES[k] ?? k] = v;
  }
  return out;
}

function load(args: ParsedArgs): Config {
  const file = args.flags.get('config') ?? process.env['ROOMCAST_CONFIG'];
  return loadConfig({
    ...(file ? { file } : {}),
    env: process.env,
    flags: configFlags(args),
    dev: args.flags.has('dev'),
  });
}

function banner(
  config: Config,
  args: ParsedArgs,
  urls: { websocketUrl: string; apiUrl: string; statusUrl: string },
  extra: string[],
): string {
  const key = config.api.key
    ? `   (X-API-Key: ${args.flags.has('dev') ? config.api.key : '<configured>'})`
    : '   (no API key set: every call gets 401)';
  return (
    [
      `  WebSocket  ${urls.websocketUrl}`,
      `  HTTP API   ${urls.apiUrl}/<method>${key}`,
      `  Status     ${urls.statusUrl}`,
      `  Entry      ${urls.statusUrl.replace(/\/status$/, '/entry')}`,
      ...extra,
      ...(config.client.allowAnonymous ? ['  Anonymous viewers are allowed.'] : []),
    ].join('\n') + '\n'
  );
}

/** Runs one node in this process (the only one, or a worker of `--workers N`). */
async function serveNode(config: Config, args: ParsedArgs, worker: number | undefined): Promise<void> {
  const explicitRoot = config.web.root !== '';
  config.web.root ||= fileURLToPath(new URL('../../../apps/web/dist', import.meta.url));
  const log = createLogger(config.log.level as Parameters<typeof createLogger>[0]);
  if (worker !== undefined) config.node.name = `${config.node.name || hostname()}-w${worker}`;
  const composition = await compose(config, log);
  const server = createServer({
    config,
    log,
    processMetrics: true,
    ...composition.options,
  });
  let listen;
  try {
    listen = await server.listen();
  } catch (err) {
    await composition.close();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${config.http.port} is already in use: stop the other process or pick another port (--port, ROOMCAST_PORT)`,
      );
    }
    if (e.code === 'EACCES') throw new UsageError(`no permission to listen on port ${config.http.port}`);
    throw err;
  }
  if (worker === undefined) {
    const extra: string[] = [];
    if (server.webServed) extra.push(`  Live room  ${listen.statusUrl.replace(/\/status$/, '/')}`);
    else if (explicitRoot) extra.push(`  (no index.html in web.root ${config.web.root})`);
    if (!server.node.tokens.configured)
      extra.push('  No token key configured: only anonymous connections can succeed.');
    process.stdout.write(
      `roomcast ${VERSION} on node "${server.node.name}" (${composition.description})\n` +
        banner(config, args, listen, extra),
    );
  }
  log.info(
    { port: listen.port, node: server.node.name, backends: composition.description },
    'roomcast started',
  );

  if (worker !== undefined) {
    // `drain` answered by one worker drains every worker of the port (through the primary).
    server.onDrainRequest = (periodMs) => process.send?.({ type: 'roomcast:drain', periodMs });
    process.on('message', (m: { type?: string; periodMs?: number }) => {
      if (m.type === 'roomcast:drain') void server.drain({ periodMs: m.periodMs ?? 0 });
    });
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      // A second Ctrl-C means "now"; a repeated SIGTERM (service manager and cluster primary
      // both signalling the process group) just lets the drain finish.
      if (signal === 'SIGTERM') return;
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, drainSeconds: config.shutdown.drainSeconds }, 'graceful shutdown: moving clients off');
    server
      .close()
      .then(() => composition.close())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * `--workers N`: a Node cluster primary that forks N worker nodes sharing the port (the
 * primary hands accepted sockets round-robin to workers, each with its own open-files budget).
 * Workers share rooms through the Redis bus. Crashed workers are restarted (at most 5 a minute).
 */
function servePrimary(config: Config, args: ParsedArgs): void {
  const n = config.workers;
  const restarts: number[] = [];
  let stopping = false;
  const spawn = (i: number): void => {
    const w = cluster.fork({ ROOMCAST_WORKER_INDEX: String(i) });
    w.on('exit', (code, signal) => {
      if (stopping) return;
      const now = Date.now();
      while (restarts.length > 0 && (restarts[0] ?? 0) < now - 60_000) restarts.shift();
      process.stderr.write(`roomcast: worker ${i} exited (${signal ?? code}); `);
      if (restarts.length >= 5) {
        process.stderr.write('too many restarts, not restarting\n');
        return;
      }
      restarts.push(now);
      process.stderr.write('restarting\n');
      setTimeout(() => spawn(i), 1000);
    });
  };
  for (let i = 0; i < n; i++) spawn(i);
  cluster.on('message', (_from, m: { type?: string }) => {
    if (m.type !== 'roomcast:drain') return;
    for (const w of Object.values(cluster.workers ?? {})) w?.send(m);
  });
  const port = config.http.port;
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
  const b = backends(config);
  process.stdout.write(
    `roomcast ${VERSION}: ${n} workers on port ${port} (bus ${b.bus}, history ${b.history}, presence ${b.presence})\n` +
      banner(
        config,
        args,
        {
          websocketUrl: `ws://${host}:${port}/connection/websocket`,
          apiUrl: `http://${host}:${port}/api`,
          statusUrl: `http://${host}:${port}/status`,
        },
        [],
      ),
  );
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(1);
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    for (const w of workers) w.process.kill(signal);
    const deadline = setTimeout(
      () => process.exit(1),
      (config.shutdown.timeoutSeconds + config.shutdown.drainSeconds + 5) * 1000,
    );
    deadline.unref();
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const w of workers) {
      w.on('exit', () => {
        if (--left === 0) process.exit(0);
      });
    }
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function serve(args: ParsedArgs): Promise<void> {
  const config = load(args);
  if (config.workers > 1 && cluster.isPrimary) {
    servePrimary(config, args);
    return;
  }
  const index = process.env['ROOMCAST_WORKER_INDEX'];
  await serveNode(config, args, cluster.isWorker && index !== undefined ? Number(index) : undefined);
}

/** `roomcast drain`: asks a node (HTTP API `drain`) to move its clients off, optionally waits. */
async function drain(args: ParsedArgs): Promise<number> {
  const url = (args.flags.get('url') ?? `http://127.0.0.1:${process.env['ROOMCAST_PORT'] ?? '8000'}`).replace(
    /\/$/,
    '',
  );
  const key = args.flags.get('api-key') ?? process.env['ROOMCAST_API_KEY'] ?? '';
  const period = args.flags.get('period');
  if (period !== undefined && !(Number(period) >= 0))
    throw new UsageError('--period must be a number of seconds >= 0');
  const call = async (method: string, body: unknown): Promise<Record<string, unknown>> => {
    let res: Response;
    try {
      res = await fetch(`${url}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new UsageError(`cannot reach ${url}: ${(err as Error).message}`);
    }
    if (res.status === 401)
      throw new UsageError(`${url} refused the API key (set --api-key or ROOMCAST_API_KEY)`);
    const json = (await res.json()) as { result?: Record<string, unknown>; error?: { message: string } };
    if (json.error) throw new UsageError(`${url}: ${json.error.message}`);
    return json.result ?? {};
  };
  const r = await call('drain', period !== undefined ? { period_seconds: Number(period) } : {});
  process.stdout.write(`draining ${url}: ${String(r['clients'])} clients to move\n`);
  if (!args.flags.has('wait')) return 0;
  const deadline = Date.now() + (Number(period ?? 0) + 60) * 1000;
  for (;;) {
    // Every node behind this URL counts (with --workers, several nodes share one port).
    const info = await call('info', {});
    const nodes = (info['nodes'] as Array<{ num_clients: number; url?: string }> | undefined) ?? [];
    const here = nodes[0]?.url;
    const left = nodes
      .filter((n, i) => i === 0 || (here !== undefined && n.url === here))
      .reduce((s, n) => s + n.num_clients, 0);
    process.stderr.write(`\r${left} clients left   `);
    if (left === 0) {
      process.stderr.write('\n');
      process.stdout.write('drained\n');
      return 0;
    }
    if (Date.now() > deadline) {
      process.stderr.write('\n');
      process.stdout.write(`gave up waiting: ${left} clients still connected\n`);
      return 1;
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}

function checkConfig(args: ParsedArgs): void {
  const c = load(args);
  const ns = c.namespaces.map((n) => `${n.name}:`).join(', ');
  const keys = [
    c.token.hmacSecret && 'HMAC',
    c.token.rsaPublicKey && 'RSA',
    c.token.ecdsaPublicKey && 'ECDSA',
    c.token.ed25519PublicKey && 'Ed25519',
    c.token.jwksUrl && 'JWKS',
  ].filter(Boolean);
  process.stdout.write(
    [
      'configuration OK',
      `  listen       ${c.http.host}:${c.http.port}`,
      `  namespaces   ${ns || '(none)'}`,
      `  token keys   ${keys.join(', ') || '(none: anonymous only)'}`,
      `  anonymous    ${c.client.allowAnonymous ? 'allowed' : 'not allowed'}`,
      `  API key      ${c.api.key ? 'set' : c.api.insecure ? 'insecure mode' : 'not set (API refuses calls)'}`,
    ].join('\n') + '\n',
  );
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'bench') {
    // The bench has its own options (roomcast bench --help).
    const { runBench } = await import('@roomcast/bench');
    return runBench(argv.slice(1));
  }
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, SWITCHES);
  } catch (err) {
    process.stderr.write(`roomcast: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.flags.has('version')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (
    args.command === undefined ||
    args.command === 'help' ||
    (args.flags.has('help') && args.command === undefined)
  ) {
    process.stdout.write(HELP);
    return args.command === undefined && !args.flags.has('help') ? 2 : 0;
  }
  if (args.flags.has('help')) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    switch (args.command) {
      case 'serve':
        await serve(args);
        return -1; // keep running
      case 'drain':
        return await drain(args);
      case 'check-config':
        checkConfig(args);
        return 0;
      case 'print-default-config': {
        if (args.flags.has('docs')) process.stdout.write(renderConfigDocs());
        else {
          const format = args.flags.get('format') ?? 'yaml';
          if (format !== 'yaml' && format !== 'json') throw new UsageError('--format must be yaml or json');
          process.stdout.write(renderDefaultConfig(format));
        }
        return 0;
      }
      default:
        throw new UsageError(
          `unknown command "${args.command}" (try: serve, check-config, print-default-config)`,
        );
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`roomcast: ${err.message}\n`);
      return err instanceof UsageError ? 2 : 1;
    }
    throw err;
  }
}

/** Runs the CLI with process.argv and exits with its code (serve keeps running). */
export function run(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      if (code >= 0) process.exit(code);
    },
    (err: unknown) => {
      process.stderr.write(`roomcast: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

if (import.meta.main) run();
