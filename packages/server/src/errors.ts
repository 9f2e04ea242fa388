// Named error classes that carry a protocol reply error.

import type { ReplyError } from '@roomcast/protocol';

/** A publish refused by policy (rate, size, mute, ban): the client gets `error` in its reply. */
export class PublishRejectedError extends Error {
  override readonly name = 'PublishRejectedError';
  readonly error: ReplyError;
  constructor(error: ReplyError, reason?: string) {
    super(reason ?? error.message);
    this.error = error;
  }
}

/** An API call refused with a Centrifugo API error code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: number;
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
