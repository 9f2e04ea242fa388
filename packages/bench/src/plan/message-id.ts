// Bench message ids: `<kind code><stream>.<seq>.<publish time>` in base 36, e.g. "c1k.2f.2x9kq0a".
// They ride in the message's own `id` field (chat and gifts carry an id anyway), so the stamp
// costs what a real client id costs (~14 bytes) and no extra field. The publish time is the
// monotonic clock in microseconds, the same clock in every process of the machine
// (CLOCK_MONOTONIC), so receive − publish is a latency without clock skew.

import { kindOfCode } from './kinds.ts';

/** Monotonic microseconds, comparable across processes of one machine. */
export function nowUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function formatId(kindCode: string, stream: number, seq: number, tUs: number): string {
  return kindCode + stream.toString(36) + '.' + seq.toString(36) + '.' + tUs.toString(36);
}

export interface ParsedId {
  kind: number;
  stream: number;
  seq: number;
  tUs: number;
}

export function parseId(id: string): ParsedId | undefined {
  if (id.length < 6) return undefined;
  const kind = kindOfCode(id.charCodeAt(0));
  if (kind < 0) return undefined;
  const a = id.indexOf('.', 1);
  const b = a < 0 ? -1 : id.indexOf('.', a + 1);
  if (b < 0) return undefined;
  const stream = parseInt(id.slice(1, a), 36);
  const seq = parseInt(id.slice(a + 1, b), 36);
  const tUs = parseInt(id.slice(b + 1), 36);
  if (!Number.isFinite(stream) || !Number.isFinite(seq) || !Number.isFinite(tUs)) return undefined;
  return { kind, stream, seq, tUs };
}

/**
 * One number per published message, for joining samples across processes:
 * stream < 2^12, channel < 2^16, seq < 2^24 (2^52 in all, exact in a double).
 */
export function messageKey(stream: number, channel: number, seq: number): number {
  return (stream * 65536 + channel) * 16777216 + seq;
}

export const MAX_STREAMS = 4096;
export const MAX_CHANNELS = 65536;
