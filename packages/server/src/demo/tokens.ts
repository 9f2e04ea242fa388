// Demo identity: roomcast signs and checks connection tokens with its own HMAC secret, playing
// the application backend. A real backend signs the same claims (`sub`, `info`, `exp`) after its
// own login and keeps the secret (or private key) to itself.

import { jwtVerify, SignJWT } from 'jose';

export const USER_ID = /^[A-Za-z0-9_.-]{1,32}$/;

export interface DemoUser {
  id: string;
  name: string;
}

/** A connection token for `user` whose `info` carries the display name the page shows. */
export async function signDemoToken(secret: string, user: DemoUser, ttl = '24h'): Promise<string> {
  return new SignJWT({ sub: user.id, info: { name: user.name } })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(ttl)
    .sign(new TextEncoder().encode(secret));
}

export class DemoAuthError extends Error {
  override readonly name = 'DemoAuthError';
}

/** The user of a demo token (HS256 with `secret`, unexpired, non-empty `sub`). */
export async function verifyDemoToken(secret: string, token: string): Promise<DemoUser> {
  let payload;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] }));
  } catch (err) {
    throw new DemoAuthError('invalid or expired token', { cause: err });
  }
  const sub = payload.sub ?? '';
  if (!USER_ID.test(sub)) throw new DemoAuthError('token has no user');
  const info = payload['info'];
  const name =
    typeof info === 'object' && info !== null && typeof (info as { name?: unknown }).name === 'string'
      ? (info as { name: string }).name
      : sub;
  return { id: sub, name: name.slice(0, 32) };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m?.[1];
}
