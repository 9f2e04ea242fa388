// Test harness: servers on port 0 with teardown registered, an API caller, SDK clients with
// teardown, token helpers. Every wait has a deadline.

import { after } from 'node:test';
import { Centrifuge, type Options as CentrifugeOptions } from 'centrifuge';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { createServer, type RoomcastServer, type ServerOptions } from '@roomcast/server';

export const API_KEY = 'test-api-key';
export const HMAC_SECRET = 'test-hmac-secret-that-is-long-enough';

export interface TestServer {
  server: RoomcastServer;
  port: number;
  wsUrl: string;
  httpUrl: string;
  api: (method: string, params?: unknown) => Promise<ApiResponse>;
  close: () => Promise<void>;
}

export interface ApiResponse {
  status: number;
  body: { result?: Record<string, unknown>; error?: { code: number; message: string } } & Record<
    string,
    unknown
  >;
}

const deepMerge = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      typeof cur === 'object' &&
      cur !== null &&
      !Array.isArray(cur) &&
      typeof v === 'object' &&
      v !== null &&
      !Array.isArray(v)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
};

export const baseConfig = (): Record<string, unknown> => ({
  api: { key: API_KEY },
  token: { hmacSecret: HMAC_SECRET },
  client: { allowAnonymous: true },
  log: { level: 'silent' },
});

/**
 * Starts a server on port 0. Teardown is registered with the current test; pass
 * `manualTeardown` when starting from a `before` hook (then call `close` from `after`).
 */
export async function startServer(
  config: Record<string, unknown> = {},
  opts: Omit<ServerOptions, 'config'> & { manualTeardown?: boolean } = {},
): Promise<TestServer> {
  const { manualTeardown, ...serverOpts } = opts;
  const server = createServer({ ...serverOpts, config: deepMerge(baseConfig(), config) });
  const l = await server.listen(0, '127.0.0.1');
  const httpUrl = `http://127.0.0.1:${l.port}`;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await server.close({ timeoutMs: 2000 });
  };
  if (!manualTeardown) after(close);
  return {
    server,
    port: l.port,
    wsUrl: l.websocketUrl,
    httpUrl,
    close,
    api: async (method, params = {}) => {
      const res = await fetch(`${httpUrl}/api/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
        body: JSON.stringify(params),
      });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as ApiResponse['body']) : {} };
    },
  };
}

/** An official centrifuge-js client over `ws`, disconnected at teardown. */
export function sdkClient(
  url: string,
  options: Partial<CentrifugeOptions> = {},
  manualTeardown = false,
): Centrifuge {
  const c = new Centrifuge(url, {
    websocket: WebSocket,
    minReconnectDelay: 100,
    maxReconnectDelay: 500,
    ...options,
  });
  if (!manualTeardown) after(() => c.disconnect());
  return c;
}

export async function connectToken(
  claims: Record<string, unknown>,
  opts: { secret?: string; expiresInSeconds?: number } = {},
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (opts.expiresInSeconds !== undefined)
    jwt.setExpirationTime(Math.floor(Date.now() / 1000) + opts.expiresInSeconds);
  return jwt.sign(new TextEncoder().encode(opts.secret ?? HMAC_SECRET));
}

/** Resolves with the first event `name` emitted by `emitter` (deadline-bound). */
export function once<T = unknown>(emitterLike: object, name: string, timeoutMs = 5000): Promise<T> {
  const emitter = emitterLike as {
    once?: (ev: string, fn: (x: T) => void) => unknown;
    on: (ev: string, fn: (x: T) => void) => unknown;
  };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for "${name}"`)), timeoutMs);
    const fn = (x: T): void => {
      clearTimeout(t);
      resolve(x);
    };
    if (emitter.once) emitter.once(name, fn);
    else emitter.on(name, fn);
  });
}

export { waitFor, sleep } from '@roomcast/server/testing';
