// The text identity roomcast's room engine merges on (rooms/conflate.ts `textKey`: trimmed,
// case-folded, inner whitespace collapsed), hashed to a number. A merged line
// `{"type":"chat","text":"666","count":35}` carries no message id; the bench finds the originals
// it stands for by this key in the publisher's log.

export function textKey(text: string): string {
  return text.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** 32-bit FNV-1a over UTF-16 code units. */
export function strHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export const textKeyHash = (text: string): number => strHash(textKey(text));
