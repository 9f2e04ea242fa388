// The page's backend calls. In this demo roomcast plays the backend (`/demo/*`, on with
// `roomcast serve --dev`): it mints tokens, publishes paid gifts and runs crowd bots. A real
// app calls its own backend for the same three things (see README.md).

import { httpGiftTransport, type GiftTransport } from '@roomcast/client';

export interface Identity {
  id: string;
  name: string;
}

export interface GiftKind {
  id: string;
  name: string;
  emoji: string;
  value: number;
}

export interface CrowdStatus {
  room: string;
  running: boolean;
  bots: number;
  connected: number;
  endsAt: number;
}

export class BackendError extends Error {
  override readonly name = 'BackendError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function json<T>(res: Response): Promise<T> {
  if (res.ok) return (await res.json()) as T;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: unknown };
    if (typeof body.error === 'string') message = body.error;
  } catch {
    // not JSON: the status line says it
  }
  throw new BackendError(res.status, message);
}

/** A connection token for a named user (the demo signs it with the dev secret). */
export async function fetchToken(who: Identity): Promise<string> {
  const q = new URLSearchParams({ user: who.id, name: who.name });
  return (await json<{ token: string }>(await fetch(`/demo/token?${q}`))).token;
}

/** The gift catalog, or undefined when the server has no demo backend. */
export async function fetchGifts(): Promise<GiftKind[] | undefined> {
  try {
    const res = await fetch('/demo/gifts');
    if (res.status === 404) return undefined;
    return (await json<{ gifts: GiftKind[] }>(res)).gifts;
  } catch {
    return undefined; // network failure: the page works without gifts
  }
}

export function giftTransport(token: () => string): GiftTransport {
  return httpGiftTransport({ url: '/demo/gift', token });
}

export async function startCrowd(room: string, bots: number, seconds: number): Promise<CrowdStatus> {
  return json<CrowdStatus>(
    await fetch('/demo/crowd', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room, bots, seconds }),
    }),
  );
}

export async function stopCrowd(room: string): Promise<void> {
  await json<unknown>(await fetch(`/demo/crowd?room=${encodeURIComponent(room)}`, { method: 'DELETE' }));
}

export async function crowdStatus(room: string): Promise<CrowdStatus> {
  return json<CrowdStatus>(await fetch(`/demo/crowd?room=${encodeURIComponent(room)}`));
}
