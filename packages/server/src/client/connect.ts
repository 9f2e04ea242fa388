// The connect command: authenticate (JWT or anonymous), register the session, establish
// server-side subscriptions (token `channels`/`subs`) with recovery, reply, then go live.

import {
  Disconnects,
  encodeConnectResult,
  Errors,
  type ConnectRequest,
  type SubscribeResult,
} from '@roomcast/protocol';
import { InvalidTokenError, TokenExpiredError, type ConnectClaims } from '../auth/token-verifier.ts';
import type { Client } from './client.ts';
import { establish, goLive, type Established } from './subscribe.ts';

export const SERVER_VERSION = '0.1.0';

export async function handleConnect(client: Client, id: number, req: ConnectRequest): Promise<void> {
  const node = client.node;
  const cfg = node.config;
  let claims: ConnectClaims | undefined;
  if (req.token !== undefined && req.token !== '') {
    try {
      claims = await node.tokens.verifyConnect(req.token);
    } catch (err) {
      if (client.state !== 'connecting') return;
      if (err instanceof TokenExpiredError) {
        // The SDK calls getToken() and reconnects.
        client.replyError(id, Errors.tokenExpired);
        client.state = 'rejected';
        return;
      }
      if (err instanceof InvalidTokenError) {
        node.log.info({ client: client.id, why: err.message }, 'invalid connection token');
        client.disconnect(Disconnects.invalidToken);
        return;
      }
      throw err;
    }
    if (claims.sub === '' && !cfg.client.allowAnonymous) {
      client.disconnect(Disconnects.permissionDenied);
      return;
    }
    if (claims.expireAt > 0 && claims.expireAt <= Math.floor(Date.now() / 1000)) {
      client.replyError(id, Errors.tokenExpired);
      client.state = 'rejected';
      return;
    }
  } else if (!cfg.client.allowAnonymous) {
    // Final for the SDK (it stops reconnecting): a token is required here.
    client.replyError(id, Errors.unauthorized);
    client.state = 'rejected';
    return;
  }
  if (client.state !== 'connecting') return;

  client.user = claims?.sub ?? '';
  if (claims?.info !== undefined) client.connInfo = claims.info;
  client.expireAt = claims?.expireAt ?? 0;
  if (claims?.priority !== undefined) client.priority = claims.priority;
  client.name = req.name ?? '';
  client.version = req.version ?? '';
  client.state = 'connected';
  node.addClient(client);

  // Server-side subscriptions from the token, recovered from the positions the SDK sent.
  const serverChannels = new Set<string>([...(claims?.channels ?? []), ...Object.keys(claims?.subs ?? {})]);
  const subs: Record<string, SubscribeResult> = {};
  const established: Established[] = [];
  for (const channel of serverChannels) {
    const parsed = node.namespaces.resolve(channel);
    if (!parsed) {
      node.log.warn({ client: client.id, channel }, 'token names a channel of an unknown namespace; skipped');
      continue;
    }
    const prev = req.subs?.[channel];
    const opts = claims?.subs[channel];
    const r = await establish(client, {
      channel,
      policy: parsed.policy,
      serverSide: true,
      recover: prev?.recover === true ? { offset: prev.offset ?? 0, epoch: prev.epoch ?? '' } : undefined,
      joinLeave: false,
      ...(opts?.info !== undefined ? { chanInfo: opts.info } : {}),
      ...(opts?.data !== undefined ? { data: opts.data } : {}),
    });
    if (client.state !== 'connected') return;
    if ('error' in r) {
      // A server-side subscription that cannot be made is a temporary server problem.
      client.disconnect(Disconnects.internal);
      return;
    }
    subs[channel] = r.result;
    established.push(r);
  }
  if (client.state !== 'connected') return;

  const now = Math.floor(Date.now() / 1000);
  const expires = client.expireAt > 0;
  client.reply(
    id,
    'connect',
    encodeConnectResult({
      client: client.id,
      version: SERVER_VERSION,
      ...(expires ? { expires: true, ttl: Math.max(client.expireAt - now, 1) } : {}),
      ...(Object.keys(subs).length > 0 ? { subs } : {}),
      ping: cfg.client.pingIntervalSeconds,
      pong: cfg.client.pongTimeoutSeconds > 0,
    }),
  );
  for (const e of established) goLive(client, e);
}
