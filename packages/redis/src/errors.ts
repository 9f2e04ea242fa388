// Named errors of the Redis adapters. Each keeps the underlying node-redis error as `cause`, so
// logs show both what roomcast tried and what Redis (or the socket) said.

/** Redis could not be reached, or the connection is down and reconnecting (fail fast, no queue). */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/** Redis accepted the connection but did not answer within the command deadline. */
export class RedisTimeoutError extends Error {
  override readonly name = 'RedisTimeoutError';
  readonly timeoutMs: number;
  constructor(command: string, timeoutMs: number, options?: ErrorOptions) {
    super(`redis ${command} got no reply within ${timeoutMs} ms`, options);
    this.timeoutMs = timeoutMs;
  }
}

/** Redis answered with an error or with a reply of an unexpected shape. */
export class RedisCommandError extends Error {
  override readonly name = 'RedisCommandError';
}

/** A bus message or stored publication that is not in the adapter's encoding. */
export class BusDecodeError extends Error {
  override readonly name = 'BusDecodeError';
}

/** Invalid adapter options (e.g. a key prefix containing a hash-tag brace). */
export class RedisConfigError extends Error {
  override readonly name = 'RedisConfigError';
}
