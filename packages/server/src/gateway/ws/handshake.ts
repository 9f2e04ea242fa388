// The WebSocket opening handshake (RFC 6455 §4.2) and permessage-deflate negotiation
// (RFC 7692). roomcast only accepts deflate without context takeover in either direction:
// server frames are compressed once and shared by every viewer, and inbound messages are
// inflated one by one with no per-connection zlib state.

import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const KEY = /^[+/0-9A-Za-z]{22}==$/;

export interface HandshakeOptions {
  /** Subprotocols we answer, in preference order. */
  protocols: readonly string[];
  deflate: boolean;
}

export type Handshake =
  | { ok: true; response: string; protocol: string | undefined; deflate: boolean }
  | { ok: false; status: number; reason: string; headers?: string };

export function acceptKey(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

interface Offer {
  name: string;
  params: Map<string, string | true>;
}

/** Parses a Sec-WebSocket-Extensions header into offers (quoted values unquoted). */
export function parseExtensions(header: string): Offer[] {
  const offers: Offer[] = [];
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';').map((s) => s.trim());
    if (!name) continue;
    const map = new Map<string, string | true>();
    for (const p of params) {
      if (p === '') continue;
      const eq = p.indexOf('=');
      if (eq === -1) map.set(p.toLowerCase(), true);
      else
        map.set(
          p.slice(0, eq).trim().toLowerCase(),
          p
            .slice(eq + 1)
            .trim()
            .replace(/^"(.*)"$/, '$1'),
        );
    }
    offers.push({ name: name.toLowerCase(), params: map });
  }
  return offers;
}

/**
 * An offer we can take: any parameters except a server window smaller than 15 bits (shared
 * frames are compressed once with the full window).
 */
function acceptable(o: Offer): boolean {
  if (o.name !== 'permessage-deflate') return false;
  for (const [k, v] of o.params) {
    if (k === 'server_no_context_takeover' || k === 'client_no_context_takeover') continue;
    if (k === 'client_max_window_bits') continue;
    if (k === 'server_max_window_bits' && v !== true && Number(v) === 15) continue;
    return false;
  }
  return true;
}

export function handshake(req: IncomingMessage, opts: HandshakeOptions): Handshake {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade !== 'websocket') return { ok: false, status: 400, reason: 'expected Upgrade: websocket' };
  if (req.method !== 'GET') return { ok: false, status: 405, reason: 'WebSocket upgrades use GET' };
  const version = req.headers['sec-websocket-version'];
  if (version !== '13') {
    return {
      ok: false,
      status: 400,
      reason: 'unsupported WebSocket version',
      headers: 'Sec-WebSocket-Version: 13\r\n',
    };
  }
  const key = req.headers['sec-websocket-key'];
  if (typeof key !== 'string' || !KEY.test(key.trim()))
    return { ok: false, status: 400, reason: 'invalid Sec-WebSocket-Key' };

  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const protocol = opts.protocols.find((p) => offered.includes(p));

  let deflate = false;
  if (opts.deflate) {
    const ext = req.headers['sec-websocket-extensions'];
    if (typeof ext === 'string' && ext !== '') deflate = parseExtensions(ext).some(acceptable);
  }

  let response = `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${acceptKey(key.trim())}\r\n`;
  if (protocol !== undefined) response += `Sec-WebSocket-Protocol: ${protocol}\r\n`;
  if (deflate)
    response +=
      'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n';
  return { ok: true, response: response + '\r\n', protocol, deflate };
}
