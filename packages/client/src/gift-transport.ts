// A gift transport for backends that take `POST <url> {room, gift, count, id}` with the user's
// token as a bearer credential (the demo's /demo/gift does). A real app points it at its own
// endpoint, which charges the user and publishes the gift through roomcast's HTTP API.

import { RoomError } from './errors.ts';
import type { GiftTransport } from './room.ts';

export interface HttpGiftTransportOptions {
  url: string;
  /** The user's credential for the backend (the demo uses the connection token). */
  token: () => string | Promise<string>;
  fetch?: typeof fetch;
}

export function httpGiftTransport(opts: HttpGiftTransportOptions): GiftTransport {
  const doFetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  return async (req) => {
    let res: Response;
    try {
      res = await doFetch(opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${await opts.token()}` },
        body: JSON.stringify(req),
      });
    } catch (err) {
      throw new RoomError('offline', { cause: err });
    }
    if (res.ok) return;
    let message: string | undefined;
    try {
      const body = (await res.json()) as { error?: unknown };
      if (typeof body.error === 'string') message = body.error;
    } catch {
      message = undefined; // a body that is not JSON: the status says enough
    }
    if (res.status === 401)
      throw new RoomError('sign_in_required', { code: 401, ...(message ? { message } : {}) });
    if (res.status === 429)
      throw new RoomError('rate_limited', { code: 429, ...(message ? { message } : {}) });
    throw new RoomError('gift_failed', { code: res.status, ...(message ? { message } : {}) });
  };
}
