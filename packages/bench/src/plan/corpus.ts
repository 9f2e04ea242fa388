// Message builders over the corpus. Each message is a pure function of (kind, stream, channel,
// seq, id): a sampled receiver rebuilds the expected JSON from the id it sees and compares it
// byte for byte with what arrived.

import { kindAt } from './kinds.ts';
import { hash32, Prng } from './prng.ts';
import {
  BADGES,
  CHAT_EN,
  CHAT_ZH,
  EMOJI,
  FLOOD,
  GIFTS,
  NAMES,
  STREAMER_LINES,
  SYSTEM,
  TINY,
} from './corpus-text.ts';

function chatText(r: Prng): string {
  let text = r.next() < 0.72 ? r.pick(CHAT_ZH) : r.pick(CHAT_EN);
  const x = r.next();
  if (x < 0.25) text += r.pick(EMOJI);
  else if (x < 0.32) text += r.pick(EMOJI) + r.pick(EMOJI) + r.pick(EMOJI);
  else if (x < 0.4) text += ' ' + (r.next() < 0.7 ? r.pick(CHAT_ZH) : r.pick(CHAT_EN));
  return text;
}

function user(r: Prng): { id: string; name: string; level: number } {
  return { id: String(10000 + r.int(990000)), name: r.pick(NAMES), level: 1 + r.int(60) };
}

/** The `data` JSON of one bench message. */
export function buildData(kind: number, stream: number, channel: number, seq: number, id: string): string {
  const r = new Prng(hash32(kind, stream, channel, seq));
  switch (kindAt(kind).name) {
    case 'chat':
    case 'danmaku':
      return JSON.stringify({ type: 'chat', text: chatText(r), id });
    case 'flood':
      return JSON.stringify({ type: 'chat', text: r.pick(FLOOD), id });
    case 'like':
      return JSON.stringify({ type: 'like', count: 1, id });
    case 'tiny':
      return JSON.stringify({ type: 'chat', text: r.pick(TINY), id });
    case 'news':
      return JSON.stringify({ type: 'chat', text: chatText(r), user: user(r), id });
    case 'entry':
      return JSON.stringify({ type: 'entry', user: user(r), id });
    case 'gift': {
      const g = r.pick(GIFTS);
      const count = r.next() < 0.8 ? 1 : 1 + r.int(99);
      return JSON.stringify({ type: 'gift', id, gift: g.gift, count, value: g.value * count, user: user(r) });
    }
    case 'system':
      return JSON.stringify({ type: 'system', text: r.pick(SYSTEM), id });
    case 'high':
      return JSON.stringify({
        type: 'chat',
        text: r.pick(STREAMER_LINES),
        user: { id: '1', name: '主播小鹿', role: 'streamer' },
        id,
      });
    case 'rank': {
      // ~4 KB: a room's gift leaderboard, big enough to fill a non-reader's buffers quickly.
      const top = Array.from({ length: 64 }, (_, i) => ({
        ...user(r),
        score: (64 - i) * 1000 + r.int(1000),
      }));
      return JSON.stringify({ type: 'rank', top, id });
    }
  }
}

/** The token `info` of publisher `p`: what a platform puts in a viewer's connection token. */
export function publisherInfo(p: number): { name: string; level: number; badge?: string } {
  const r = new Prng(hash32(0x5eed, p));
  const badge = r.pick(BADGES);
  return badge === ''
    ? { name: r.pick(NAMES), level: 1 + r.int(60) }
    : { name: r.pick(NAMES), level: 1 + r.int(60), badge };
}
