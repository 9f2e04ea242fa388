// The HistoryStore port: per-channel streams of publications with continuous offsets and an
// epoch. Used by channels whose namespace has history (gift:, user: by default).
//
// Rules an adapter must keep (the contract suite checks them):
// - Offsets start at 1 and grow by exactly 1 per appended publication; appends to one channel
//   are serialised (no two get the same offset, none is skipped).
// - The epoch is a random string fixed when a stream is created; it changes only when the stream
//   is lost (meta TTL passed, data lost by the backend), so clients can tell a reset from a gap.
// - Trimming by size or TTL drops publications, never the position: after a trim the top offset
//   and epoch stay the same.
// - `read` with `since` returns publications with offset > since.offset (ascending), or with
//   `reverse` offset < since.offset (descending; since 0 = from the top). limit 0 = position only,
//   limit < 0 = everything kept. The epoch in `since` is not checked here: callers compare it.
// - `remove` drops publications but keeps the position (clients are not pushed into a false gap).
// - An append with an idempotency key seen within its TTL returns the first result with
//   `duplicate: true` and stores nothing.

import type { Publication, StreamPosition } from '@roomcast/protocol';
import type { PubMessage } from '../bus/bus.ts';

export interface HistoryLimits {
  /** Publications kept; older ones are trimmed. */
  size: number;
  /** Publications older than this are trimmed (0 = no age limit). */
  ttlMs: number;
  /** The stream position/epoch is forgotten this long after the last append. */
  metaTtlMs: number;
}

export interface AppendOptions extends HistoryLimits {
  idempotencyKey?: string;
  /** How long an idempotency key is remembered (default 5 minutes). */
  idempotencyTtlMs?: number;
  /**
   * Bus metadata of the publication. Only used by stores with `publishesOnAppend`: they publish
   * the stored publication as `{type:'pub', pub, epoch, ...publish}` in the same atomic step.
   */
  publish?: Pick<PubMessage, 'priority' | 'kind'>;
}

export interface AppendResult {
  /** The stored publication, with its offset. */
  publication: Publication;
  epoch: string;
  duplicate: boolean;
}

export interface HistoryQuery {
  since?: StreamPosition;
  limit: number;
  reverse?: boolean;
}

export interface HistoryResult {
  publications: Publication[];
  /** The stream top: offset of the last appended publication and the epoch. */
  position: StreamPosition;
}

export interface HistoryStore {
  /**
   * True when `append` also publishes the stored publication on the bus atomically with the
   * append (e.g. one Redis Lua script: offset, stream append, trim and publish), so the bus
   * order of a channel equals its offset order across all nodes. The node then does not publish
   * separately. Such a store must be paired with the matching Bus adapter. A duplicate
   * (idempotency key) is not published again.
   */
  readonly publishesOnAppend?: boolean;
  append(channel: string, pub: Omit<Publication, 'offset'>, opts: AppendOptions): Promise<AppendResult>;
  read(channel: string, query: HistoryQuery, opts: { metaTtlMs: number }): Promise<HistoryResult>;
  remove(channel: string): Promise<void>;
  close?(): Promise<void>;
}

export class HistoryUnavailableError extends Error {
  override readonly name = 'HistoryUnavailableError';
}
