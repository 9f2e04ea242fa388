// HistoryStore on Redis streams. One Lua script per append does, atomically on the channel's
// shard: idempotency check, epoch create/read, offset INCR, XADD of the publication (stored as
// its bus message), trim by size and age, meta TTL refresh, and the SPUBLISH (PUBLISH in plain
// mode) of that same bus message. So bus order is offset order on every node, and what a client
// recovers from history is byte-for-byte what was delivered live.
//
// Stream entry ids are "<offset>-0", so `read` is a direct XRANGE/XREVRANGE by offset. Ages are
// measured with Redis's clock (TIME), not the nodes', so clock skew between hosts does not trim
// early; `time` in the publication stays the publishing node's clock, as with the memory store.
//
// A failed or timed-out append may still have been applied (the reply was lost): callers that
// retry should pass an idempotency key.

import { randomBytes } from 'node:crypto';
import type { Publication } from '@roomcast/protocol';
import {
  HistoryUnavailableError,
  type AppendOptions,
  type AppendResult,
  type HistoryQuery,
  type HistoryResult,
  type HistoryStore,
} from '@roomcast/server';
import { decodeBusMessage, encodePubTail } from './codec.ts';
import type { CommandConnection } from './connection.ts';
import { BusDecodeError, RedisTimeoutError, RedisUnavailableError } from './errors.ts';
import { APPEND, READ } from './history-scripts.ts';
import type { KeyLayout } from './keys.ts';
import { replyArray, replyNumber, replyString } from './lua.ts';

export interface RedisHistoryContext {
  commands: CommandConnection;
  keys: KeyLayout;
  /** SPUBLISH (sharded) or PUBLISH: must match the RedisBus this store is paired with. */
  sharded: boolean;
  /** Publish from the append script (default true). False: the node publishes separately. */
  publish?: boolean;
}

/** Default idempotency window, as in the memory store. */
const IDEMPOTENCY_TTL_MS = 300_000;

const newEpoch = (): string => randomBytes(4).toString('hex');

function unavailable(err: unknown, what: string): unknown {
  return err instanceof RedisUnavailableError || err instanceof RedisTimeoutError
    ? new HistoryUnavailableError(`history ${what} failed: ${err.message}`, { cause: err })
    : err;
}

function storedPublication(raw: unknown): { pub: Publication; epoch: string } {
  const msg = decodeBusMessage(replyString(raw, 'history entry'));
  if (msg.type !== 'pub' || msg.epoch === undefined)
    throw new BusDecodeError('history entry is not a publication');
  return { pub: msg.pub, epoch: msg.epoch };
}

export class RedisHistoryStore implements HistoryStore {
  readonly publishesOnAppend: boolean;
  readonly #cmd: CommandConnection;
  readonly #keys: KeyLayout;
  readonly #publish: string;

  constructor(ctx: RedisHistoryContext) {
    this.#cmd = ctx.commands;
    this.#keys = ctx.keys;
    this.publishesOnAppend = ctx.publish ?? true;
    this.#publish = this.publishesOnAppend ? (ctx.sharded ? 'spublish' : 'publish') : '';
  }

  async append(
    channel: string,
    pub: Omit<Publication, 'offset'>,
    opts: AppendOptions,
  ): Promise<AppendResult> {
    const time = pub.time ?? Date.now();
    const stored: Omit<Publication, 'offset'> = { ...pub, time };
    const keys = [this.#keys.historyMeta(channel), this.#keys.historyStream(channel)];
    if (opts.idempotencyKey !== undefined) keys.push(this.#keys.idempotency(channel, opts.idempotencyKey));
    let reply: unknown;
    try {
      reply = await this.#cmd.eval(APPEND, keys, [
        newEpoch(),
        String(Math.max(0, Math.floor(opts.size))),
        String(Math.max(0, Math.floor(opts.ttlMs))),
        String(Math.max(1, Math.floor(opts.metaTtlMs))),
        String(Math.max(1, Math.floor(opts.idempotencyTtlMs ?? IDEMPOTENCY_TTL_MS))),
        this.#publish,
        this.#keys.busChannel(channel),
        encodePubTail(stored, opts.publish?.priority, opts.publish?.kind),
      ]);
    } catch (err) {
      throw unavailable(err, 'append');
    }
    const r = replyArray(reply, 'history append');
    if (replyNumber(r[0], 'history append') === 1) {
      const first = storedPublication(r[1]);
      return { publication: first.pub, epoch: first.epoch, duplicate: true };
    }
    return {
      publication: { ...stored, offset: replyNumber(r[1], 'history append offset') },
      epoch: replyString(r[2], 'history append epoch'),
      duplicate: false,
    };
  }

  async read(channel: string, query: HistoryQuery, opts: { metaTtlMs: number }): Promise<HistoryResult> {
    let reply: unknown;
    try {
      reply = await this.#cmd.eval(
        READ,
        [this.#keys.historyMeta(channel), this.#keys.historyStream(channel)],
        [
          newEpoch(),
          String(Math.max(1, Math.floor(opts.metaTtlMs))),
          query.since === undefined ? '' : String(query.since.offset),
          String(query.limit < 0 ? -1 : Math.floor(query.limit)),
          query.reverse === true ? '1' : '0',
        ],
      );
    } catch (err) {
      throw unavailable(err, 'read');
    }
    const r = replyArray(reply, 'history read');
    const position = { offset: replyNumber(r[0], 'history top'), epoch: replyString(r[1], 'history epoch') };
    const publications: Publication[] = [];
    for (let i = 2; i < r.length; i++) publications.push(storedPublication(r[i]).pub);
    return { publications, position };
  }

  /** Drops the kept publications; the meta (top offset, epoch) stays, so no false gap appears. */
  async remove(channel: string): Promise<void> {
    const stream = this.#keys.historyStream(channel);
    try {
      await this.#cmd.send(stream, ['DEL', stream]);
    } catch (err) {
      throw unavailable(err, 'remove');
    }
  }
}
