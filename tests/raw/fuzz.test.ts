// A small run of the frame fuzzer (tests/fuzz/frames.ts; `npm run fuzz` runs 200,000 frames
// against a separate process): every kind of malformed frame, over many connections, while a
// control client must keep receiving, in order, without being disconnected.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FRAME_KINDS, controlClient, fuzz } from '../fuzz/frames.ts';
import { startServer, sleep, waitFor } from '../helpers/harness.ts';

describe('frame fuzzing', () => {
  it('survives 30,000 generated malformed frames; the control client is unaffected and no connection leaks', async () => {
    const s = await startServer({ client: { maxConnectionsPerIp: 10_000 } });
    const control = await controlClient(s.port, 'live:control');
    // One publish at a time (concurrent HTTP requests may arrive in any order), every 50 ms.
    let sent = 0;
    let publishing = true;
    const server = s;
    const publisher = (async () => {
      while (publishing) {
        await server.api('publish', { channel: 'live:control', data: { type: 'chat', text: `c${sent}` } });
        sent++;
        await sleep(50);
      }
    })();
    const stats = await fuzz({ port: s.port, frames: 30_000, concurrency: 24, seed: 20261203, seconds: 90 });
    publishing = false;
    await publisher;
    assert.equal(stats.frames, 30_000);
    for (const k of FRAME_KINDS) assert.ok((stats.byKind[k] ?? 0) > 0, `no ${k} frame was generated`);
    assert.ok(
      stats.closedByServer > stats.connections / 2,
      `server closed only ${stats.closedByServer} of ${stats.connections}`,
    );
    await waitFor(() => control.texts().length >= sent, { what: `${sent} control publications` });
    const got = control.texts();
    assert.deepEqual(
      got.slice(0, sent),
      Array.from({ length: sent }, (_, i) => `c${i}`),
    );
    assert.equal(control.closes(), 0);
    const health = await fetch(`${s.httpUrl}/health`);
    assert.equal(health.status, 200);
    // Every fuzz connection is gone: only the control client is left.
    await waitFor(
      async () => {
        const info = await server.api('info');
        const nodes = (info.body.result?.['nodes'] ?? []) as { num_clients: number }[];
        return nodes[0]?.num_clients === 1;
      },
      { what: 'fuzz connections to be released', timeoutMs: 15_000 },
    );
    control.close();
    await sleep(10);
  });
});
