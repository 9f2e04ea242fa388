// Wire codes as data. The reconnect semantics below are what the official SDKs implement
// (centrifuge-js, -swift, -java, -dart): see PROTOCOL.md §5.

/** An error carried in a command reply: `{"id":N,"error":{code,message,temporary?}}`. */
export interface ReplyError {
  readonly code: number;
  readonly message: string;
  readonly temporary?: boolean;
}

/**
 * Reply error codes. 0–399 are Centrifugo's; 400–1999 are application codes (roomcast uses
 * 400–499 for room policy). A client retries connect/subscribe errors only when `temporary` is
 * set, the code is < 100 or it is 109; every other error is final for that connect/subscribe.
 */
export const Errors = {
  internal: { code: 100, message: 'internal server error', temporary: true },
  unauthorized: { code: 101, message: 'unauthorized' },
  unknownChannel: { code: 102, message: 'unknown channel' },
  permissionDenied: { code: 103, message: 'permission denied' },
  methodNotFound: { code: 104, message: 'method not found' },
  alreadySubscribed: { code: 105, message: 'already subscribed' },
  limitExceeded: { code: 106, message: 'limit exceeded' },
  badRequest: { code: 107, message: 'bad request' },
  notAvailable: { code: 108, message: 'not available' },
  tokenExpired: { code: 109, message: 'token expired' },
  expired: { code: 110, message: 'expired' },
  tooManyRequests: { code: 111, message: 'too many requests', temporary: true },
  unrecoverablePosition: { code: 112, message: 'unrecoverable position' },
  // roomcast room policy (application range).
  muted: { code: 420, message: 'muted in this room' },
  banned: { code: 421, message: 'banned from this room' },
  roomClosed: { code: 422, message: 'room closed' },
  messageTooLarge: { code: 423, message: 'message too large' },
  roomRateLimited: { code: 424, message: 'room publish rate exceeded', temporary: true },
} as const satisfies Record<string, ReplyError>;

/** A WebSocket close code and a plain-text (never JSON) reason of at most 123 bytes. */
export interface DisconnectCode {
  readonly code: number;
  readonly reason: string;
}

/**
 * Close codes. 3000–3499, 4000–4499 and ≥ 5000 make the SDKs reconnect; 3500–3999 and
 * 4500–4999 are terminal. Below 3000 is the transport's: the SDKs reconnect on all of them
 * except 1009 (message too big), which they treat as terminal.
 */
export const Disconnects = {
  shutdown: { code: 3001, reason: 'shutdown' },
  internal: { code: 3004, reason: 'internal server error' },
  expired: { code: 3005, reason: 'connection expired' },
  subExpired: { code: 3006, reason: 'subscription expired' },
  slow: { code: 3008, reason: 'slow' },
  writeError: { code: 3009, reason: 'write error' },
  insufficientState: { code: 3010, reason: 'insufficient state' },
  forceReconnect: { code: 3011, reason: 'force reconnect' },
  noPong: { code: 3012, reason: 'no pong' },
  tooManyRequests: { code: 3013, reason: 'too many requests' },
  invalidToken: { code: 3500, reason: 'invalid token' },
  badRequest: { code: 3501, reason: 'bad request' },
  stale: { code: 3502, reason: 'stale' },
  forceDisconnect: { code: 3503, reason: 'force disconnect' },
  connectionLimit: { code: 3504, reason: 'connection limit' },
  channelLimit: { code: 3505, reason: 'channel limit' },
  inappropriateProtocol: { code: 3506, reason: 'inappropriate protocol' },
  permissionDenied: { code: 3507, reason: 'permission denied' },
  notAvailable: { code: 3508, reason: 'not available' },
  tooManyErrors: { code: 3509, reason: 'too many errors' },
  // roomcast: a draining gateway moves its clients off; they reconnect elsewhere.
  drain: { code: 4001, reason: 'node draining' },
} as const satisfies Record<string, DisconnectCode>;

/** True when the official SDKs reconnect after a close with this code. */
export function isReconnectCode(code: number): boolean {
  if (code < 3000) return code !== 1009;
  return code < 3500 || code >= 5000 || (code >= 4000 && code < 4500);
}

/**
 * Unsubscribe push codes. < 2500: the subscription ends on the client; ≥ 2500: it resubscribes
 * (with recovery when it has a position). Applications may use 2100–2499 and 2600–2999.
 */
export const Unsubscribes = {
  server: { code: 2000, reason: 'server unsubscribe' },
  insufficientState: { code: 2500, reason: 'insufficient state' },
  expired: { code: 2501, reason: 'subscription expired' },
  // roomcast room control (application range, terminal).
  roomClosed: { code: 2100, reason: 'room closed' },
  kicked: { code: 2101, reason: 'kicked from room' },
  banned: { code: 2102, reason: 'banned from room' },
} as const satisfies Record<string, DisconnectCode>;
