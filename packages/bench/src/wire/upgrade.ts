// The client side of the HTTP upgrade, by hand: one write out, and the response head parsed
// from the first bytes in. The key is fixed: servers check its form, not its freshness.

const KEY = 'cm9vbWNhc3QtYmVuY2gtMQ==';

export interface UpgradeRequest {
  host: string;
  port: number;
  path: string;
  deflate: boolean;
}

export function upgradeRequest(r: UpgradeRequest): string {
  return (
    `GET ${r.path} HTTP/1.1\r\nHost: ${r.host}:${r.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n` +
    (r.deflate
      ? 'Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n'
      : '') +
    '\r\n'
  );
}

export interface UpgradeResponse {
  status: number;
  /** The server accepted permessage-deflate. */
  deflate: boolean;
  /** Bytes of the head, including the blank line. */
  headLength: number;
}

/** Parses the response head once it is complete in `buf[0, n)`, else undefined. */
export function parseUpgradeResponse(buf: Buffer, n: number): UpgradeResponse | undefined {
  const end = buf.subarray(0, n).indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = buf.toString('latin1', 0, end);
  const m = /^HTTP\/1\.1 (\d{3})/.exec(head);
  return {
    status: m ? Number(m[1]) : 0,
    deflate: /^sec-websocket-extensions:.*permessage-deflate/im.test(head),
    headLength: end + 4,
  };
}
