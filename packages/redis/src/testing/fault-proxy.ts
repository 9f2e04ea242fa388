// A small node:net TCP proxy between the adapters and Redis, to simulate outages: black-hole
// (connections stay open, nothing moves either way, as in a network partition), reset every
// connection, or refuse new ones. Data held during a black hole is delivered on heal, as TCP
// would after a partition ends.

import { createServer, connect, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket;
}

export type ProxyMode = 'pass' | 'blackhole' | 'refuse';

export class FaultProxy {
  readonly port: number;
  readonly #server: Server;
  readonly #pairs = new Set<Pair>();
  #mode: ProxyMode = 'pass';

  private constructor(server: Server, port: number) {
    this.#server = server;
    this.port = port;
  }

  static async start(targetHost: string, targetPort: number): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    if (addr === null || typeof addr === 'string') throw new Error('proxy has no TCP address');
    const proxy = new FaultProxy(server, addr.port);
    server.on('connection', (client) => proxy.accept(client, targetHost, targetPort));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get connections(): number {
    return this.#pairs.size;
  }

  accept(client: Socket, host: string, port: number): void {
    if (this.#mode === 'refuse') {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect({ host, port });
    const pair: Pair = { client, upstream };
    this.#pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk) => {
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => {
        if (this.#mode !== 'blackhole') from.resume();
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      this.#pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
    if (this.#mode === 'blackhole') this.#hold(pair);
  }

  #hold(pair: Pair): void {
    pair.client.pause();
    pair.upstream.pause();
  }

  /** Stops moving bytes on every connection, current and new; nothing is closed. */
  blackhole(): void {
    this.#mode = 'blackhole';
    for (const p of this.#pairs) this.#hold(p);
  }

  /** Back to normal: held connections move again (held bytes are delivered late). */
  heal(): void {
    this.#mode = 'pass';
    for (const p of this.#pairs) {
      p.client.resume();
      p.upstream.resume();
    }
  }

  /** New connections are reset at once (Redis down); existing ones keep working. */
  refuse(): void {
    this.#mode = 'refuse';
  }

  /** Resets every open connection (TCP RST to the client). */
  dropAll(): void {
    for (const p of this.#pairs) {
      p.client.resetAndDestroy();
      p.upstream.destroy();
    }
    this.#pairs.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
