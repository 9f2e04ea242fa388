// The live-room message shapes of docs/live-rooms.md as discriminated unions, and defensive
// parsers: a viewer must survive any payload (old servers, other publishers), so unknown or
// malformed data parses to undefined instead of throwing.

export interface UserRef {
  id: string;
  name: string;
}

/** What arrives on `live:<room>`: client chat and likes, and what the room engine emits. */
export type LiveMessage =
  | { type: 'chat'; text: string; id?: string; count: number }
  | { type: 'like'; count: number }
  | { type: 'likes'; count: number }
  | { type: 'entry'; user: UserRef }
  | { type: 'entries'; count: number; users: UserRef[] }
  | { type: 'online'; count: number; unique?: number }
  | { type: 'system'; text: string };

/** What the backend publishes on `gift:<room>`. */
export type GiftChannelMessage =
  | {
      type: 'gift';
      id: string | undefined;
      gift: string;
      count: number;
      value: number;
      user: UserRef | undefined;
    }
  | { type: 'notice'; text: string }
  | { type: 'state'; live: boolean; title?: string };

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const count = (x: unknown, dflt: number): number =>
  typeof x === 'number' && Number.isFinite(x) && x >= 0 ? Math.floor(x) : dflt;

export function parseUser(x: unknown): UserRef | undefined {
  if (!isObj(x)) return undefined;
  const id = str(x['id']) ?? (typeof x['id'] === 'number' ? String(x['id']) : undefined);
  if (id === undefined) return undefined;
  return { id, name: str(x['name']) ?? id };
}

export function parseLiveMessage(data: unknown): LiveMessage | undefined {
  if (!isObj(data)) return undefined;
  switch (data['type']) {
    case 'chat': {
      const text = str(data['text']);
      if (text === undefined) return undefined;
      const id = str(data['id']);
      return { type: 'chat', text, count: Math.max(1, count(data['count'], 1)), ...(id ? { id } : {}) };
    }
    case 'like':
    case 'likes':
      return { type: data['type'], count: count(data['count'], data['type'] === 'like' ? 1 : 0) };
    case 'entry': {
      const user = parseUser(data['user']);
      return user ? { type: 'entry', user } : undefined;
    }
    case 'entries': {
      const users = Array.isArray(data['users'])
        ? data['users'].map(parseUser).filter((u) => u !== undefined)
        : [];
      return { type: 'entries', count: count(data['count'], users.length), users };
    }
    case 'online': {
      if (typeof data['count'] !== 'number') return undefined;
      const unique = data['unique'];
      return {
        type: 'online',
        count: count(data['count'], 0),
        ...(typeof unique === 'number' ? { unique: count(unique, 0) } : {}),
      };
    }
    case 'system': {
      const text = str(data['text']);
      return text === undefined ? undefined : { type: 'system', text };
    }
    default:
      return undefined;
  }
}

export function parseGiftChannelMessage(data: unknown): GiftChannelMessage | undefined {
  if (!isObj(data)) return undefined;
  switch (data['type']) {
    case 'gift': {
      const gift = str(data['gift']);
      if (gift === undefined) return undefined;
      return {
        type: 'gift',
        id: str(data['id']),
        gift,
        count: Math.max(1, count(data['count'], 1)),
        value: count(data['value'], 0),
        user: parseUser(data['user']),
      };
    }
    case 'notice': {
      const text = str(data['text']);
      return text === undefined ? undefined : { type: 'notice', text };
    }
    case 'state': {
      const title = str(data['title']);
      return { type: 'state', live: data['live'] === true, ...(title !== undefined ? { title } : {}) };
    }
    default:
      return undefined;
  }
}

/** The sender of a publication: its user id and the display name from the token's `info`. */
export function senderOf(info: { user: string; connInfo?: unknown } | undefined): UserRef | undefined {
  if (!info || info.user === '') return undefined;
  const ci = info.connInfo;
  const name = isObj(ci) ? str(ci['name']) : undefined;
  return { id: info.user, name: name ?? info.user };
}
