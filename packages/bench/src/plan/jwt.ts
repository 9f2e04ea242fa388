// HS256 connection tokens for publishing clients (roomcast's `live:` namespace lets signed-in
// users publish). The baselines read the same tokens' claims without verifying them.

import { createHmac } from 'node:crypto';

const b64url = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

export function signToken(claims: Record<string, unknown>, secret: string): string {
  const head = b64url('{"alg":"HS256","typ":"JWT"}');
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}
