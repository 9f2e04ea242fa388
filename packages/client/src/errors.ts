// Errors a live-room UI can show. Server reply codes (docs/live-rooms.md, docs/protocol.md) and
// SDK-side failures are mapped to a few kinds, each with a default message fit for a person.

export type RoomErrorKind =
  /** 111: this user sends too fast; retry in a moment. */
  | 'rate_limited'
  /** 424: the whole room is over its publish rate; retry in a moment. */
  | 'room_busy'
  /** 420: muted in this room. */
  | 'muted'
  /** 421 (or unsubscribe 2102): banned from this room. */
  | 'banned'
  /** 423, or longer than the helper's limit. */
  | 'too_large'
  /** 103 for an anonymous viewer: publishing needs a signed-in user. */
  | 'sign_in_required'
  /** 103 for a signed-in user, or another permission failure. */
  | 'forbidden'
  /** Not connected right now (the SDK is reconnecting or the device is offline). */
  | 'offline'
  /** No reply in time. */
  | 'timeout'
  /** The gift transport (the app's backend) failed. */
  | 'gift_failed'
  /** Empty message and similar mistakes the UI should have prevented. */
  | 'invalid'
  | 'unknown';

const MESSAGES: Record<RoomErrorKind, string> = {
  rate_limited: 'You are sending too fast. Wait a moment.',
  room_busy: 'The room is very busy right now. Try again in a moment.',
  muted: 'You are muted in this room.',
  banned: 'You are banned from this room.',
  too_large: 'That message is too long.',
  sign_in_required: 'Sign in to take part.',
  forbidden: 'You are not allowed to do that here.',
  offline: 'You are offline. Reconnecting…',
  timeout: 'The server did not answer in time.',
  gift_failed: 'The gift could not be sent.',
  invalid: 'Nothing to send.',
  unknown: 'Something went wrong.',
};

/** Kinds that go away by themselves: the UI may offer to retry. */
const TEMPORARY = new Set<RoomErrorKind>(['rate_limited', 'room_busy', 'offline', 'timeout']);

export class RoomError extends Error {
  override readonly name = 'RoomError';
  readonly kind: RoomErrorKind;
  /** The server's reply code, when there was one. */
  readonly code: number | undefined;
  readonly temporary: boolean;

  constructor(kind: RoomErrorKind, opts: { message?: string; code?: number; cause?: unknown } = {}) {
    super(opts.message ?? MESSAGES[kind], opts.cause !== undefined ? { cause: opts.cause } : undefined);
    this.kind = kind;
    this.code = opts.code;
    this.temporary = TEMPORARY.has(kind);
  }
}

/** The SDK rejects with plain `{code, message}` objects; its own codes are below 100. */
interface SdkError {
  code: number;
  message?: string;
}
const isSdkError = (x: unknown): x is SdkError =>
  typeof x === 'object' && x !== null && typeof (x as { code?: unknown }).code === 'number';

/** SDK error codes (centrifuge `errorCodes`) that mean "not connected". */
const SDK_NOT_CONNECTED = new Set([2, 3, 4, 10, 11]);

/**
 * Maps a rejected SDK call (publish, presence...) to a RoomError. `anonymous` tells 103 apart:
 * an anonymous viewer must sign in, a signed-in user is simply not allowed.
 */
export function toRoomError(err: unknown, ctx: { anonymous: boolean }): RoomError {
  if (err instanceof RoomError) return err;
  if (!isSdkError(err)) return new RoomError('unknown', { cause: err });
  const code = err.code;
  const opts = { code, cause: err };
  switch (code) {
    case 1:
      return new RoomError('timeout', opts);
    case 103:
      return new RoomError(ctx.anonymous ? 'sign_in_required' : 'forbidden', opts);
    case 111:
      return new RoomError('rate_limited', opts);
    case 420:
      return new RoomError('muted', opts);
    case 421:
      return new RoomError('banned', opts);
    case 423:
      return new RoomError('too_large', opts);
    case 424:
      return new RoomError('room_busy', opts);
    default:
      if (SDK_NOT_CONNECTED.has(code)) return new RoomError('offline', opts);
      return new RoomError('unknown', { ...opts, message: err.message ?? MESSAGES.unknown });
  }
}
