// Message kinds the bench publishes. A kind fixes the shape (see corpus.ts), who publishes it
// (HTTP API or a client), the priority roomcast is asked for, and the latency class it is
// reported under. The one-letter code starts every bench message id, so a receiver knows how to
// rebuild the expected content.

export type KindName =
  'chat' | 'like' | 'flood' | 'entry' | 'gift' | 'system' | 'high' | 'tiny' | 'rank' | 'news' | 'danmaku';
export type LatencyClass = 'chat' | 'gift' | 'system' | 'like';
export type PriorityName = 'system' | 'gift' | 'high' | 'normal' | 'low';

export interface KindInfo {
  readonly name: KindName;
  readonly code: string;
  readonly via: 'api' | 'client';
  /** Priority sent with API publishes (client publishes take the namespace's class). */
  readonly priority: PriorityName;
  readonly latencyClass: LatencyClass;
  /** Channel namespace the kind goes to. */
  readonly namespace: 'live' | 'gift';
}

export const KINDS: readonly KindInfo[] = [
  { name: 'chat', code: 'c', via: 'client', priority: 'normal', latencyClass: 'chat', namespace: 'live' },
  { name: 'like', code: 'l', via: 'client', priority: 'low', latencyClass: 'like', namespace: 'live' },
  { name: 'flood', code: 'f', via: 'client', priority: 'normal', latencyClass: 'chat', namespace: 'live' },
  { name: 'entry', code: 'e', via: 'api', priority: 'low', latencyClass: 'like', namespace: 'live' },
  { name: 'gift', code: 'g', via: 'api', priority: 'gift', latencyClass: 'gift', namespace: 'gift' },
  { name: 'system', code: 's', via: 'api', priority: 'system', latencyClass: 'system', namespace: 'live' },
  { name: 'high', code: 'h', via: 'api', priority: 'high', latencyClass: 'system', namespace: 'live' },
  { name: 'tiny', code: 't', via: 'api', priority: 'normal', latencyClass: 'chat', namespace: 'live' },
  { name: 'rank', code: 'r', via: 'api', priority: 'normal', latencyClass: 'chat', namespace: 'live' },
  { name: 'news', code: 'n', via: 'api', priority: 'normal', latencyClass: 'chat', namespace: 'live' },
  // Chat published by the backend through the HTTP API (room workload): same shape as a client's.
  { name: 'danmaku', code: 'd', via: 'api', priority: 'normal', latencyClass: 'chat', namespace: 'live' },
];

const BY_NAME = new Map(KINDS.map((k, i) => [k.name, i]));
const BY_CODE = new Map(KINDS.map((k, i) => [k.code.charCodeAt(0), i]));

export function kindIndex(name: KindName): number {
  const i = BY_NAME.get(name);
  if (i === undefined) throw new RangeError(`unknown kind ${name}`);
  return i;
}

export function kindAt(index: number): KindInfo {
  const k = KINDS[index];
  if (!k) throw new RangeError(`unknown kind index ${index}`);
  return k;
}

/** Kind index from the first char code of an id, or -1. */
export function kindOfCode(charCode: number): number {
  return BY_CODE.get(charCode) ?? -1;
}

export const LATENCY_CLASSES: readonly LatencyClass[] = ['chat', 'gift', 'system', 'like'];
