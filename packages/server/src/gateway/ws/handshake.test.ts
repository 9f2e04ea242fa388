import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { acceptKey, handshake, parseExtensions } from './handshake.ts';

const req = (headers: Record<string, string>, method = 'GET'): IncomingMessage =>
  ({
    method,
    headers: {
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      ...headers,
    },
  }) as unknown as IncomingMessage;
const opts = { protocols: ['centrifuge-json', 'centrifuge-protobuf'], deflate: true };

describe('handshake', () => {
  it('computes the RFC 6455 sample accept key', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('echoes a supported subprotocol and takes a permessage-deflate offer without context', () => {
    const h = handshake(
      req({
        'sec-websocket-protocol': 'foo, centrifuge-json',
        'sec-websocket-extensions': 'permessage-deflate; client_max_window_bits',
      }),
      opts,
    );
    assert.ok(h.ok);
    assert.equal(h.protocol, 'centrifuge-json');
    assert.equal(h.deflate, true);
    assert.match(h.response, /Sec-WebSocket-Protocol: centrifuge-json\r\n/);
    assert.match(
      h.response,
      /Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n/,
    );
    assert.match(h.response, /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n/);
    assert.ok(h.response.endsWith('\r\n\r\n'));
  });

  it('declines deflate offers it cannot honour (small server window, unknown params)', () => {
    for (const ext of [
      'permessage-deflate; server_max_window_bits=10',
      'permessage-deflate; x-custom',
      'x-webkit-deflate-frame',
    ]) {
      const h = handshake(req({ 'sec-websocket-extensions': ext }), opts);
      assert.ok(h.ok && !h.deflate, ext);
    }
    const fallback = handshake(
      req({
        'sec-websocket-extensions': 'permessage-deflate; server_max_window_bits=10, permessage-deflate',
      }),
      opts,
    );
    assert.ok(fallback.ok && fallback.deflate);
  });

  it('refuses bad versions, keys and methods', () => {
    const v = handshake(req({ 'sec-websocket-version': '8' }), opts);
    assert.ok(!v.ok && v.status === 400 && v.headers?.includes('Sec-WebSocket-Version: 13'));
    assert.ok(!handshake(req({ 'sec-websocket-key': 'short' }), opts).ok);
    assert.ok(!handshake(req({ upgrade: 'h2c' }), opts).ok);
    assert.ok(!handshake(req({}, 'POST'), opts).ok);
  });

  it('parses extension headers with quoted values', () => {
    assert.deepEqual(parseExtensions('permessage-deflate; client_max_window_bits="10", foo'), [
      { name: 'permessage-deflate', params: new Map([['client_max_window_bits', '10']]) },
      { name: 'foo', params: new Map() },
    ]);
  });
});
