// JSON-mode command decoding. A frame holds one command per line; each line is parsed and
// checked for shape here, so the gateway only ever sees well-typed commands. Anything
// structurally wrong is a ProtocolError, which the gateway turns into close code 3501.

import type { Command, ConnectRequest, RawJson, StreamPosition, SubscribeRequest } from './types.ts';

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maximum nesting accepted inside embedded `data` (deep nesting is a CPU/stack attack). */
export const MAX_DATA_DEPTH = 32;

function depthOk(v: unknown, depth: number): boolean {
  if (depth > MAX_DATA_DEPTH) return false;
  if (Array.isArray(v)) return v.every((x) => depthOk(x, depth + 1));
  if (isObject(v)) {
    for (const k in v) if (!depthOk(v[k], depth + 1)) return false;
  }
  return true;
}

function str(o: Json, key: string, required: boolean): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw new ProtocolError(`${key} required`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ProtocolError(`${key} must be a string`);
  return v;
}

function num(o: Json, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ProtocolError(`${key} must be a non-negative integer`);
  }
  return v;
}

function bool(o: Json, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ProtocolError(`${key} must be a boolean`);
  return v;
}

/** Re-serialises embedded JSON compactly (never contains a raw newline). */
function raw(o: Json, key: string): RawJson | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (!depthOk(v, 0)) throw new ProtocolError(`${key} nested too deep`);
  return JSON.stringify(v);
}

function strMap(o: Json, key: string): Record<string, string> | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new ProtocolError(`${key} must be an object`);
  const out: Record<string, string> = {};
  for (const k of Object.keys(v)) {
    const s = v[k];
    if (typeof s !== 'string') throw new ProtocolError(`${key}.${k} must be a string`);
    out[k] = s;
  }
  return out;
}

function req(o: Json, key: string): Json {
  const v = o[key];
  if (!isObject(v)) throw new ProtocolError(`${key} must be an object`);
  return v;
}

export function decodeSubscribe(r: Json): SubscribeRequest {
  const out: SubscribeRequest = { channel: str(r, 'channel', true) ?? '' };
  const token = str(r, 'token', false);
  if (token !== undefined) out.token = token;
  const recover = bool(r, 'recover');
  if (recover !== undefined) out.recover = recover;
  const epoch = str(r, 'epoch', false);
  if (epoch !== undefined) out.epoch = epoch;
  const offset = num(r, 'offset');
  if (offset !== undefined) out.offset = offset;
  const data = raw(r, 'data');
  if (data !== undefined) out.data = data;
  const positioned = bool(r, 'positioned');
  if (positioned !== undefined) out.positioned = positioned;
  const recoverable = bool(r, 'recoverable');
  if (recoverable !== undefined) out.recoverable = recoverable;
  const joinLeave = bool(r, 'join_leave');
  if (joinLeave !== undefined) out.joinLeave = joinLeave;
  const flag = r['flag'];
  if (typeof flag === 'number') out.flag = flag;
  return out;
}

function decodeConnect(r: Json): ConnectRequest {
  const out: ConnectRequest = {};
  const token = str(r, 'token', false);
  if (token !== undefined) out.token = token;
  const data = raw(r, 'data');
  if (data !== undefined) out.data = data;
  const name = str(r, 'name', false);
  if (name !== undefined) out.name = name;
  const version = str(r, 'version', false);
  if (version !== undefined) out.version = version;
  const headers = strMap(r, 'headers');
  if (headers !== undefined) out.headers = headers;
  const subs = r['subs'];
  if (subs !== undefined && subs !== null) {
    if (!isObject(subs)) throw new ProtocolError('subs must be an object');
    out.subs = {};
    for (const ch of Object.keys(subs)) {
      const s = subs[ch];
      if (!isObject(s)) throw new ProtocolError('subs entries must be objects');
      out.subs[ch] = decodeSubscribe({ ...s, channel: ch });
    }
  }
  return out;
}

function decodeSince(r: Json): StreamPosition | undefined {
  const v = r['since'];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) throw new ProtocolError('since must be an object');
  return { offset: num(v, 'offset') ?? 0, epoch: str(v, 'epoch', false) ?? '' };
}

function commandId(o: Json): number {
  const id = o['id'];
  if (id === undefined || id === null) return 0;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
    throw new ProtocolError('id must be a uint32');
  }
  return id;
}

const withId = (id: number): number => {
  if (id === 0) throw new ProtocolError('command id required');
  return id;
};

/** Decodes one command line. Throws ProtocolError on anything malformed. */
export function decodeCommand(line: string): Command {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch (err) {
    throw new ProtocolError('malformed JSON', { cause: err });
  }
  if (!isObject(o)) throw new ProtocolError('command must be a JSON object');
  const id = commandId(o);
  // Exactly one request field is expected; the first one present wins (as in Centrifuge).
  if (o['connect'] !== undefined)
    return { id: withId(id), type: 'connect', req: decodeConnect(req(o, 'connect')) };
  if (o['subscribe'] !== undefined) {
    return { id: withId(id), type: 'subscribe', req: decodeSubscribe(req(o, 'subscribe')) };
  }
  if (o['unsubscribe'] !== undefined) {
    const r = req(o, 'unsubscribe');
    return { id: withId(id), type: 'unsubscribe', req: { channel: str(r, 'channel', true) ?? '' } };
  }
  if (o['publish'] !== undefined) {
    const r = req(o, 'publish');
    const data = raw(r, 'data');
    if (data === undefined) throw new ProtocolError('publish data required');
    return { id: withId(id), type: 'publish', req: { channel: str(r, 'channel', true) ?? '', data } };
  }
  if (o['presence'] !== undefined) {
    const r = req(o, 'presence');
    return { id: withId(id), type: 'presence', req: { channel: str(r, 'channel', true) ?? '' } };
  }
  if (o['presence_stats'] !== undefined) {
    const r = req(o, 'presence_stats');
    return { id: withId(id), type: 'presence_stats', req: { channel: str(r, 'channel', true) ?? '' } };
  }
  if (o['history'] !== undefined) {
    const r = req(o, 'history');
    const limit = r['limit'];
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit))) {
      throw new ProtocolError('limit must be an integer');
    }
    const h = {
      channel: str(r, 'channel', true) ?? '',
      limit: typeof limit === 'number' ? limit : 0,
      reverse: bool(r, 'reverse') ?? false,
    };
    const since = decodeSince(r);
    return { id: withId(id), type: 'history', req: since ? { ...h, since } : h };
  }
  if (o['rpc'] !== undefined) {
    const r = req(o, 'rpc');
    const data = raw(r, 'data');
    const method = str(r, 'method', false) ?? '';
    return { id: withId(id), type: 'rpc', req: data === undefined ? { method } : { method, data } };
  }
  if (o['refresh'] !== undefined) {
    const r = req(o, 'refresh');
    return { id: withId(id), type: 'refresh', req: { token: str(r, 'token', false) ?? '' } };
  }
  if (o['sub_refresh'] !== undefined) {
    const r = req(o, 'sub_refresh');
    return {
      id: withId(id),
      type: 'sub_refresh',
      req: { channel: str(r, 'channel', true) ?? '', token: str(r, 'token', false) ?? '' },
    };
  }
  if (o['send'] !== undefined) {
    const r = req(o, 'send');
    const data = raw(r, 'data');
    return { id: 0, type: 'send', req: data === undefined ? {} : { data } };
  }
  if (o['ping'] !== undefined) throw new ProtocolError('ping command is not part of protocol v2');
  for (const k in o) if (k !== 'id') throw new ProtocolError(`unknown command ${k.slice(0, 32)}`);
  if (id !== 0) throw new ProtocolError('empty command with id');
  return { id: 0, type: 'pong' };
}

/**
 * Splits a JSON frame into command lines (blank lines ignored). Commands are decoded lazily by
 * the caller so that the valid commands before a bad line still run, as in Centrifuge.
 */
export function splitFrame(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    if (end > start) {
      const line = text.slice(start, end);
      if (line.trim() !== '') out.push(line);
    }
    if (nl === -1) return out;
    start = nl + 1;
  }
}
