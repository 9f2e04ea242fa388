// Decoded client commands and the server-side values we encode. Payload fields that the
// protocol calls `bytes` are kept as compact raw JSON text (`RawJson`), validated once on the
// way in, so the hot path can splice them into frames without re-serialising.

/** Compact JSON text with no raw newline (the JSON frame delimiter). */
export type RawJson = string;

export interface StreamPosition {
  offset: number;
  epoch: string;
}

export interface ClientInfo {
  user: string;
  client: string;
  connInfo?: RawJson;
  chanInfo?: RawJson;
}

/** A publication as stored and delivered. `offset` is 0 on channels without history. */
export interface Publication {
  offset: number;
  data: RawJson;
  info?: ClientInfo;
  tags?: Record<string, string>;
  /** Unix milliseconds, set by the node that accepted the publish. */
  time?: number;
}

export interface SubscribeRequest {
  channel: string;
  token?: string;
  recover?: boolean;
  epoch?: string;
  offset?: number;
  data?: RawJson;
  positioned?: boolean;
  recoverable?: boolean;
  joinLeave?: boolean;
  flag?: number;
}

export interface ConnectRequest {
  token?: string;
  data?: RawJson;
  subs?: Record<string, SubscribeRequest>;
  name?: string;
  version?: string;
  headers?: Record<string, string>;
}

export interface HistoryRequest {
  channel: string;
  limit: number;
  since?: StreamPosition;
  reverse: boolean;
}

/** One command of a client frame. `id` is 0 only for `send` and `pong`. */
export type Command =
  | { id: number; type: 'connect'; req: ConnectRequest }
  | { id: number; type: 'subscribe'; req: SubscribeRequest }
  | { id: number; type: 'unsubscribe'; req: { channel: string } }
  | { id: number; type: 'publish'; req: { channel: string; data: RawJson } }
  | { id: number; type: 'presence'; req: { channel: string } }
  | { id: number; type: 'presence_stats'; req: { channel: string } }
  | { id: number; type: 'history'; req: HistoryRequest }
  | { id: number; type: 'rpc'; req: { method: string; data?: RawJson } }
  | { id: number; type: 'refresh'; req: { token: string } }
  | { id: number; type: 'sub_refresh'; req: { channel: string; token: string } }
  | { id: 0; type: 'send'; req: { data?: RawJson } }
  | { id: 0; type: 'pong' };

export type CommandType = Command['type'];

export interface SubscribeResult {
  expires?: boolean;
  ttl?: number;
  recoverable?: boolean;
  epoch?: string;
  publications?: Publication[];
  recovered?: boolean;
  offset?: number;
  positioned?: boolean;
  data?: RawJson;
  wasRecovering?: boolean;
}

export interface ConnectResult {
  client: string;
  version: string;
  expires?: boolean;
  ttl?: number;
  data?: RawJson;
  subs?: Record<string, SubscribeResult>;
  ping?: number;
  pong?: boolean;
}
