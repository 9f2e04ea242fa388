// createServer(): a whole roomcast node in one process (HTTP API, WebSocket gateway, status),
// working with no adapters at all (memory bus and stores). Adapters are passed in by the CLI.

import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Disconnects, type DisconnectCode } from '@roomcast/protocol';
import { registerRoutes } from './api/routes.ts';
import { registerEntryRoute } from './cluster/entry.ts';
import { ApiError } from './errors.ts';
import { resolveConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { registerDemoRoutes } from './demo/routes.ts';
import { registerStatic } from './web/static.ts';
import { Gateway, WEBSOCKET_PATH } from './gateway/gateway.ts';
import { RoomcastNode, type NodeOptions } from './node.ts';

export interface ServerOptions extends Omit<NodeOptions, 'config'> {
  /** A full config, or a partial one filled with defaults. */
  config?: Config | Record<string, unknown>;
  /** Hook to add routes (e.g. the web demo) before the server listens. */
  routes?: (app: FastifyInstance, server: RoomcastServer) => void | Promise<void>;
}

export interface ListenResult {
  port: number;
  host: string;
  websocketUrl: string;
  apiUrl: string;
  statusUrl: string;
}

export class RoomcastServer {
  readonly node: RoomcastNode;
  readonly gateway: Gateway;
  readonly http: FastifyInstance;
  private readonly routesHook: ServerOptions['routes'];
  private closing = false;
  /**
   * Set by a process that hosts several nodes on one port (`--workers`): the API `drain` then asks
   * it to drain every node of the port, not just the worker that happened to answer.
   */
  onDrainRequest: ((periodMs: number) => void) | undefined;
  /** True when `web.root` held a page and it is served at `/`. */
  webServed = false;
  private started = false;

  constructor(opts: ServerOptions = {}) {
    const config = resolveConfig(opts.config ?? {});
    this.node = new RoomcastNode({ ...opts, config });
    this.gateway = new Gateway(this.node);
    this.routesHook = opts.routes;
    const httpCfg = config.http;
    this.http = Fastify({
      logger: false,
      bodyLimit: config.api.maxBodyBytes,
      serverFactory: (handler) => {
        const server: Server = createHttpServer({ maxHeaderSize: httpCfg.maxHeaderBytes }, handler);
        server.headersTimeout = httpCfg.headersTimeoutSeconds * 1000;
        server.requestTimeout = Math.max(httpCfg.headersTimeoutSeconds * 1000, 30_000);
        server.maxHeadersCount = 100;
        server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
          socket.on('error', () => socket.destroy());
          try {
            this.gateway.handleUpgrade(req, socket, head);
          } catch (err) {
            this.node.log.error({ err }, 'upgrade failed');
            socket.destroy();
          }
        });
        return server;
      },
    });
    registerRoutes(this.http, { node: this.node, healthy: () => !this.closing && this.gateway.accepting });
    registerEntryRoute(this.http, this.node);
    this.node.apiMethods.set('drain', async (_node, p) => {
      const period = p['period_seconds'];
      if (period !== undefined && (typeof period !== 'number' || period < 0)) {
        throw new ApiError(107, 'bad request: period_seconds must be a number >= 0');
      }
      const clients = this.node.clients.size;
      const periodMs = (typeof period === 'number' ? period : this.config.shutdown.drainSeconds) * 1000;
      if (this.onDrainRequest) this.onDrainRequest(periodMs);
      else void this.drain({ periodMs });
      return { draining: true, clients };
    });
  }

  get config(): Config {
    return this.node.config;
  }

  /** Starts the node and listens (port 0 picks a free port). */
  async listen(port = this.config.http.port, host = this.config.http.host): Promise<ListenResult> {
    if (!this.started) {
      await this.node.start();
      if (this.config.demo.enabled) await registerDemoRoutes(this.http, this);
      if (this.config.web.root !== '') this.webServed = await registerStatic(this.http, this.config.web.root);
      await this.routesHook?.(this.http, this);
      this.started = true;
    }
    await this.http.listen({ port, host });
    const addr = this.http.server.address() as AddressInfo;
    if (this.config.node.name === '') this.node.name = `${this.node.name}:${addr.port}`;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    const base = `${shown}:${addr.port}`;
    this.node.publicUrl = `ws://${base}`;
    this.node.startHeartbeat();
    return {
      port: addr.port,
      host,
      websocketUrl: `ws://${base}${WEBSOCKET_PATH}`,
      apiUrl: `http://${base}/api`,
      statusUrl: `http://${base}/status`,
    };
  }

  get port(): number {
    return (this.http.server.address() as AddressInfo | null)?.port ?? 0;
  }

  private draining: Promise<void> | undefined;

  /**
   * Drain (scale-in, seed 001): stop accepting, leave the scheduler at once (a heartbeat marks
   * the node draining), then close clients with a reconnect code spread over `periodMs`, so they
   * reconnect to other nodes without a thundering herd and recover their reliable streams.
   */
  drain(opts: { periodMs?: number; code?: DisconnectCode } = {}): Promise<void> {
    this.draining ??= (async () => {
      this.node.draining = true;
      this.gateway.accepting = false;
      await this.node.heartbeat.beat();
      const code = opts.code ?? Disconnects.drain;
      const period = opts.periodMs ?? this.config.shutdown.drainSeconds * 1000;
      const clients = [...this.node.clients.values()];
      this.node.log.info({ clients: clients.length, periodMs: period }, 'draining');
      const STEP_MS = 100;
      const steps = Math.max(1, Math.ceil(period / STEP_MS));
      const perStep = Math.max(1, Math.ceil(clients.length / steps));
      for (let i = 0; i < clients.length; i += perStep) {
        for (const c of clients.slice(i, i + perStep)) c.disconnect(code);
        if (i + perStep < clients.length) await new Promise((r) => setTimeout(r, STEP_MS));
      }
      // Sessions still connecting when the drain began go too.
      for (const c of [...this.node.clients.values()]) c.disconnect(code);
    })();
    return this.draining;
  }

  /**
   * Graceful shutdown: drain (stop accepting, leave the scheduler, close every client with a
   * reconnect code, 3001 by default, over `shutdown.drainSeconds`), wait for sockets to close
   * (bounded), then stop the node.
   */
  async close(opts: { code?: DisconnectCode; timeoutMs?: number; drainMs?: number } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.drain({
      code: opts.code ?? Disconnects.shutdown,
      periodMs: opts.drainMs ?? this.config.shutdown.drainSeconds * 1000,
    });
    const deadline = Date.now() + (opts.timeoutMs ?? this.config.shutdown.timeoutSeconds * 1000);
    while (this.gateway.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.http.close();
    await this.node.stop();
  }
}

export function createServer(opts: ServerOptions = {}): RoomcastServer {
  return new RoomcastServer(opts);
}
