// Key and channel layout. Every key of one roomcast channel, and its bus shard channel, carry the
// same Redis Cluster hash tag, so the history script (offset, stream, idempotency key, SPUBLISH)
// runs on one shard and channels spread over all shards.
//
//   <prefix>b:{<ch>}        bus shard channel of a roomcast channel
//   <prefix>ctl             control channel (every endpoint subscribes it)
//   <prefix>hm:{<ch>}       history meta hash: e = epoch, o = top offset, a = age limit (ms)
//   <prefix>hs:{<ch>}       history stream: entry id "<offset>-0", fields t (Redis ms), m (bus message)
//   <prefix>hi:{<ch>}:<key> idempotency key → bus message of the first append
//   <prefix>ph:{<ch>}       presence: clientId → encoded ClientInfo
//   <prefix>pz:{<ch>}       presence: clientId scored by expiry (Redis ms)
//   <prefix>pu:{<ch>}       presence: user → number of its clients (numUsers = HLEN)
//   <prefix>oc:{<room>}     online: nodeId → "<expiresAtMs>:<count>"
//   <prefix>on:{<node>}     online: rooms a node reported last (to zero the ones it drops)
//   <prefix>ou:{<room>}     online: HyperLogLog of unique viewers
//   <prefix>us:{<user>}     user online status: Unix ms of the last heartbeat mark (PX = TTL)
//   <prefix>{reg}:n         registry: nodeId → NodeEntry JSON (one slot: list() reads all at once)
//   <prefix>{reg}:x         registry: nodeId scored by expiry (Redis ms)
//
// `<ch>` is the channel name with `%`, `{` and `}` percent-encoded (an injective mapping, so two
// channels never share keys) and the empty name written as a lone `%` (which escaping never
// produces). Redis hashes the text between the first `{` and the next `}`; escaping guarantees
// that is exactly the channel, whatever it contains (spaces, `:`, unicode, braces).

import { RedisConfigError } from './errors.ts';

const NEEDS_ESCAPE = /[%{}]/;
const ESCAPE_ALL = /[%{}]/g;
const ESCAPES: Readonly<Record<string, string>> = { '%': '%25', '{': '%7B', '}': '%7D' };

/** The hash-tag body of a channel name (see the file comment). */
export function tagOf(name: string): string {
  if (name === '') return '%';
  if (!NEEDS_ESCAPE.test(name)) return name;
  return name.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? c);
}

export class KeyLayout {
  readonly prefix: string;
  readonly control: string;
  readonly registryEntries: string;
  readonly registryExpiry: string;

  constructor(prefix: string) {
    if (prefix.includes('{') || prefix.includes('}')) {
      // A brace in the prefix would become every key's hash tag and put all channels on one shard.
      throw new RedisConfigError(`redis key prefix must not contain "{" or "}": ${JSON.stringify(prefix)}`);
    }
    this.prefix = prefix;
    this.control = `${prefix}ctl`;
    this.registryEntries = `${prefix}{reg}:n`;
    this.registryExpiry = `${prefix}{reg}:x`;
  }

  busChannel(channel: string): string {
    return `${this.prefix}b:{${tagOf(channel)}}`;
  }

  historyMeta(channel: string): string {
    return `${this.prefix}hm:{${tagOf(channel)}}`;
  }

  historyStream(channel: string): string {
    return `${this.prefix}hs:{${tagOf(channel)}}`;
  }

  idempotency(channel: string, key: string): string {
    return `${this.prefix}hi:{${tagOf(channel)}}:${key}`;
  }

  presence(channel: string): { info: string; expiry: string; users: string } {
    const t = tagOf(channel);
    return {
      info: `${this.prefix}ph:{${t}}`,
      expiry: `${this.prefix}pz:{${t}}`,
      users: `${this.prefix}pu:{${t}}`,
    };
  }

  onlineCounts(room: string): string {
    return `${this.prefix}oc:{${tagOf(room)}}`;
  }

  onlineRooms(nodeId: string): string {
    return `${this.prefix}on:{${tagOf(nodeId)}}`;
  }

  onlineUnique(room: string): string {
    return `${this.prefix}ou:{${tagOf(room)}}`;
  }

  /** User online status mark: the Unix ms of the last mark, expiring with the mark's TTL. */
  userStatus(user: string): string {
    return `${this.prefix}us:{${tagOf(user)}}`;
  }
}
