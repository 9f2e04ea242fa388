// createServer(): a whole roomcast node in one process (HTTP API, WebSocket gateway, status),
// working with no adapters at all (memory bus and stores). Adapters are passed in by the CLI.

import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { Disconnects, type DisconnectCode } from '@roomcast/protocol';
import { registerRoutes } from './api/routes.ts';
import { resolveConfig } from './config/load.ts';
import type { Config } from './config/schema.ts';
import { registerDemoRoutes } from './demo/routes.ts';
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
  }

  get config(): Config {
    return this.node.config;
  }

  /** Starts the node and listens (port 0 picks a free port). */
  async listen(port = this.config.http.port, host = this.config.http.host): Promise<ListenResult> {
    if (!this.started) {
      await this.node.start();
      if (this.config.demo.enabled) await registerDemoRoutes(this.http, this);
      await this.routesHook?.(this.http, this);
      this.started = true;
    }
    await this.http.listen({ port, host });
    const addr = this.http.server.address() as AddressInfo;
    if (this.config.node.name === '') this.node.name = `${this.node.name}:${addr.port}`;
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    const base = `${shown}:${addr.port}`;
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

  /**
   * Graceful shutdown: stop accepting, close every client with a reconnect code (3001 by
   * default) so it resumes elsewhere, wait for sockets to close (bounded), then stop the node.
   */
  async close(opts: { code?: DisconnectCode; timeoutMs?: number } = {}): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.gateway.closeAll(opts.code ?? Disconnects.shutdown);
    const deadline = Date.now() + (opts.timeoutMs ?? this.config.shutdown.timeoutSeconds * 1000);
    while (this.gateway.connections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.http.close();
    await this.node.stop();
  }
}

export function createServer(opts: ServerOptions = {}): RoomcastServer {
  return new RoomcastServer(opts);
}
