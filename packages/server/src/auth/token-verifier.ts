// JWT verification for connection and subscription tokens (Centrifugo claim set). Algorithms
// are pinned per key: an HS* token is checked only against the HMAC secret, RS*/PS* only
// against the RSA key, ES* only against the ECDSA key, EdDSA only against the Ed25519 key, and
// JWKS keys only with the alg they declare. `alg:none`, a public key used as an HMAC secret,
// or an alg with no configured key are all invalid tokens.

import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTHeaderParameters,
} from 'jose';
import { PRIORITY, type PriorityLevel } from '../bus/bus.ts';
import type { Config } from '../config/schema.ts';

/** Classes a connection token may grant (system and gift come only from the backend). */
const TOKEN_PRIORITIES = new Set(['high', 'normal', 'low']);

export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}
export class TokenExpiredError extends Error {
  override readonly name = 'TokenExpiredError';
}

const HMAC = ['HS256', 'HS384', 'HS512'];
const RSA = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];
const EC = ['ES256', 'ES384', 'ES512'];
const ED = ['EdDSA', 'Ed25519'];

export interface ConnectClaims {
  sub: string;
  /** Unix seconds when the connection expires (0 = never). */
  expireAt: number;
  info?: string;
  channels: string[];
  subs: Record<string, { info?: string; data?: string }>;
  meta?: unknown;
  /** Delivery class from the `roomcast` claim (`{"roomcast":{"priority":"high"}}`). */
  priority?: PriorityLevel;
}

export interface SubscribeClaims {
  sub: string;
  channel: string;
  expireAt: number;
  info?: string;
  data?: string;
  override?: { presence?: boolean; joinLeave?: boolean; forceRecovery?: boolean; forcePositioning?: boolean };
}

type KeyLike = KeyObject | Uint8Array | CryptoKey;

function loadKey(pem: string, types: string[], what: string): KeyObject | undefined {
  if (pem.trim() === '') return undefined;
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new Error(`token.${what}: not a PEM public key`, { cause: err });
  }
  if (!types.includes(key.asymmetricKeyType ?? '')) {
    throw new Error(
      `token.${what}: expected a ${types.join('/')} key, got ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  return key;
}

const rawJson = (v: unknown): string | undefined =>
  v === undefined || v === null ? undefined : JSON.stringify(v);
const b64Json = (v: unknown): string | undefined => {
  if (typeof v !== 'string' || v === '') return undefined;
  // b64info/b64data carry binary in Centrifugo; in JSON mode we pass it on as a JSON string.
  return JSON.stringify(v);
};

export class TokenVerifier {
  private readonly hmac?: Uint8Array;
  private readonly rsa?: KeyObject;
  private readonly ec?: KeyObject;
  private readonly ed?: KeyObject;
  private readonly jwks?: ReturnType<typeof createRemoteJWKSet>;
  private readonly algorithms: string[];
  private readonly opts: Config['token'];

  constructor(opts: Config['token']) {
    this.opts = opts;
    if (opts.hmacSecret !== '') this.hmac = new TextEncoder().encode(opts.hmacSecret);
    const rsa = loadKey(opts.rsaPublicKey, ['rsa', 'rsa-pss'], 'rsaPublicKey');
    const ec = loadKey(opts.ecdsaPublicKey, ['ec'], 'ecdsaPublicKey');
    const ed = loadKey(opts.ed25519PublicKey, ['ed25519'], 'ed25519PublicKey');
    if (rsa) this.rsa = rsa;
    if (ec) this.ec = ec;
    if (ed) this.ed = ed;
    if (opts.jwksUrl !== '') this.jwks = createRemoteJWKSet(new URL(opts.jwksUrl));
    this.algorithms = [
      ...(this.hmac ? HMAC : []),
      ...(this.rsa || this.jwks ? RSA : []),
      ...(this.ec || this.jwks ? EC : []),
      ...(this.ed || this.jwks ? ED : []),
    ];
  }

  /** True when some key is configured (otherwise every token is invalid). */
  get configured(): boolean {
    return this.algorithms.length > 0;
  }

  private async verify(token: string): Promise<JWTPayload> {
    if (token.length > this.opts.maxTokenBytes) throw new InvalidTokenError('token too long');
    if (!this.configured) throw new InvalidTokenError('no token keys configured');
    const keyFor = async (header: JWTHeaderParameters): Promise<KeyLike> => {
      const alg = header.alg;
      if (HMAC.includes(alg) && this.hmac) return this.hmac;
      if (header.kid !== undefined && this.jwks) return this.jwks(header);
      if (RSA.includes(alg) && this.rsa) return this.rsa;
      if (EC.includes(alg) && this.ec) return this.ec;
      if (ED.includes(alg) && this.ed) return this.ed;
      if (this.jwks) return this.jwks(header);
      throw new InvalidTokenError(`no key for alg ${alg}`);
    };
    try {
      const { payload } = await jwtVerify(token, keyFor, {
        algorithms: this.algorithms,
        ...(this.opts.audience !== '' ? { audience: this.opts.audience } : {}),
        ...(this.opts.issuer !== '' ? { issuer: this.opts.issuer } : {}),
        ...(this.opts.requireExp ? { requiredClaims: ['exp'] } : {}),
      });
      return payload;
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new TokenExpiredError('token expired', { cause: err });
      if (err instanceof InvalidTokenError) throw err;
      throw new InvalidTokenError(err instanceof Error ? err.message : 'invalid token', { cause: err });
    }
  }

  private static expireAt(p: JWTPayload): number {
    const override = p['expire_at'];
    if (typeof override === 'number') return override;
    return typeof p.exp === 'number' ? p.exp : 0;
  }

  async verifyConnect(token: string): Promise<ConnectClaims> {
    const p = await this.verify(token);
    if (p['channel'] !== undefined)
      throw new InvalidTokenError('channel claim is not allowed in connection tokens');
    if (p.sub !== undefined && typeof p.sub !== 'string') throw new InvalidTokenError('sub must be a string');
    const channels = p['channels'];
    if (
      channels !== undefined &&
      (!Array.isArray(channels) || !channels.every((c) => typeof c === 'string'))
    ) {
      throw new InvalidTokenError('channels must be a string array');
    }
    const subsClaim = p['subs'];
    const subs: ConnectClaims['subs'] = {};
    if (subsClaim !== undefined) {
      if (typeof subsClaim !== 'object' || subsClaim === null || Array.isArray(subsClaim)) {
        throw new InvalidTokenError('subs must be an object');
      }
      for (const [ch, opts] of Object.entries(subsClaim as Record<string, Record<string, unknown> | null>)) {
        const info = rawJson(opts?.['info']) ?? b64Json(opts?.['b64info']);
        const data = rawJson(opts?.['data']) ?? b64Json(opts?.['b64data']);
        subs[ch] = { ...(info !== undefined ? { info } : {}), ...(data !== undefined ? { data } : {}) };
      }
    }
    const info = rawJson(p['info']) ?? b64Json(p['b64info']);
    const rc = p['roomcast'] as { priority?: unknown } | undefined;
    const pr =
      typeof rc?.priority === 'string' && TOKEN_PRIORITIES.has(rc.priority) ? rc.priority : undefined;
    return {
      ...(pr !== undefined ? { priority: PRIORITY[pr as keyof typeof PRIORITY] } : {}),
      sub: p.sub ?? '',
      expireAt: TokenVerifier.expireAt(p),
      channels: channels ?? [],
      subs,
      ...(info !== undefined ? { info } : {}),
      ...(p['meta'] !== undefined ? { meta: p['meta'] } : {}),
    };
  }

  async verifySubscribe(token: string): Promise<SubscribeClaims> {
    const p = await this.verify(token);
    const channel = p['channel'];
    if (typeof channel !== 'string' || channel === '') throw new InvalidTokenError('channel claim required');
    const info = rawJson(p['info']) ?? b64Json(p['b64info']);
    const data = rawJson(p['data']) ?? b64Json(p['b64data']);
    const o = p['override'] as Record<string, { value?: unknown } | undefined> | undefined;
    const flag = (k: string): boolean | undefined => {
      const v = o?.[k]?.value;
      return typeof v === 'boolean' ? v : undefined;
    };
    const override: NonNullable<SubscribeClaims['override']> = {};
    for (const [k, name] of [
      ['presence', 'presence'],
      ['join_leave', 'joinLeave'],
      ['force_recovery', 'forceRecovery'],
      ['force_positioning', 'forcePositioning'],
    ] as const) {
      const v = flag(k);
      if (v !== undefined) override[name] = v;
    }
    return {
      sub: typeof p.sub === 'string' ? p.sub : '',
      channel,
      expireAt: TokenVerifier.expireAt(p),
      ...(info !== undefined ? { info } : {}),
      ...(data !== undefined ? { data } : {}),
      ...(Object.keys(override).length > 0 ? { override } : {}),
    };
  }
}
