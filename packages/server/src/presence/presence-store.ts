// The PresenceStore port: who is subscribed to a channel, across nodes.
//
// Rules: `add` inserts or refreshes a client's entry; an entry not refreshed within `ttlMs`
// disappears (so a crashed node's clients vanish); `numUsers` counts distinct user ids, with the
// anonymous user "" counting as one user (Centrifuge behaviour the SDK tests rely on).

import type { ClientInfo } from '@roomcast/protocol';

export interface PresenceStats {
  numClients: number;
  numUsers: number;
}

export interface PresenceStore {
  add(channel: string, clientId: string, info: ClientInfo, ttlMs: number): Promise<void>;
  remove(channel: string, clientId: string): Promise<void>;
  get(channel: string): Promise<Record<string, ClientInfo>>;
  stats(channel: string): Promise<PresenceStats>;
  close?(): Promise<void>;
}
