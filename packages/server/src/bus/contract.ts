// Contract suite every Bus adapter must pass. Run it with a factory that returns a fresh,
// isolated bus (e.g. a unique key prefix per call) and a cleanup.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor, sleep } from '../testing/wait.ts';
import type { Bus, BusEndpoint, BusHandler, BusMessage, ControlMessage } from './bus.ts';

export interface BusFactoryResult {
  bus: Bus;
  cleanup?: () => Promise<void>;
}

interface Recorder extends BusHandler {
  messages: Array<{ channel: string; msg: BusMessage }>;
  controls: ControlMessage[];
}

function recorder(): Recorder {
  const r: Recorder = {
    messages: [],
    controls: [],
    onMessage(channel, msg) {
      r.messages.push({ channel, msg });
    },
    onControl(msg) {
      r.controls.push(msg);
    },
  };
  return r;
}

const pub = (n: number, data: unknown = { n }): BusMessage => ({
  type: 'pub',
  pub: { offset: n, data: JSON.stringify(data), time: 1_700_000_000_000 + n },
  epoch: 'e1',
  priority: 1,
  kind: 'chat',
});

export function busContract(
  name: string,
  factory: () => Promise<BusFactoryResult>,
  opts: { timeoutMs?: number } = {},
): void {
  const timeout = opts.timeoutMs ?? 5000;
  const withBus = async (fn: (bus: Bus, eps: BusEndpoint[]) => Promise<void>): Promise<void> => {
    const { bus, cleanup } = await factory();
    const eps: BusEndpoint[] = [];
    try {
      await fn(bus, eps);
    } finally {
      for (const ep of eps) await ep.close().catch(() => undefined);
      await cleanup?.();
    }
  };

  describe(`Bus contract: ${name}`, { timeout: timeout * 6 }, () => {
    it('delivers a publication to a subscribed endpoint unchanged, publisher included', async () => {
      await withBus(async (bus, eps) => {
        const a = recorder();
        const ep = await bus.attach(a);
        eps.push(ep);
        await ep.subscribe('live:1');
        const msg = pub(1, { text: '主播好 🎉', user: { id: 'u1' } });
        await ep.publish('live:1', msg);
        await waitFor(() => a.messages.length === 1, { timeoutMs: timeout, what: 'delivery' });
        assert.deepEqual(a.messages[0], { channel: 'live:1', msg });
      });
    });

    it('routes only to endpoints subscribed to the channel', async () => {
      await withBus(async (bus, eps) => {
        const [a, b, c] = [recorder(), recorder(), recorder()];
        const ea = await bus.attach(a);
        const eb = await bus.attach(b);
        const ec = await bus.attach(c);
        eps.push(ea, eb, ec);
        await ea.subscribe('gift:7');
        await eb.subscribe('gift:7');
        await ec.subscribe('gift:8');
        await ec.publish('gift:7', pub(1));
        await waitFor(() => a.messages.length === 1 && b.messages.length === 1, {
          timeoutMs: timeout,
          what: 'fan-out',
        });
        await sleep(50);
        assert.equal(c.messages.length, 0);
      });
    });

    it('keeps per-channel order of sequential publishes', async () => {
      await withBus(async (bus, eps) => {
        const a = recorder();
        const ea = await bus.attach(a);
        const eb = await bus.attach(recorder());
        eps.push(ea, eb);
        await ea.subscribe('ch');
        for (let i = 1; i <= 200; i++) await eb.publish('ch', pub(i));
        await waitFor(() => a.messages.length === 200, { timeoutMs: timeout, what: '200 messages' });
        assert.deepEqual(
          a.messages.map((m) => (m.msg.type === 'pub' ? m.msg.pub.offset : -1)),
          Array.from({ length: 200 }, (_, i) => i + 1),
        );
      });
    });

    it('keeps order of publishes issued without awaiting', async () => {
      await withBus(async (bus, eps) => {
        const a = recorder();
        const ea = await bus.attach(a);
        eps.push(ea);
        await ea.subscribe('burst');
        await Promise.all(Array.from({ length: 100 }, (_, i) => ea.publish('burst', pub(i + 1))));
        await waitFor(() => a.messages.length === 100, { timeoutMs: timeout, what: '100 messages' });
        assert.deepEqual(
          a.messages.map((m) => (m.msg.type === 'pub' ? m.msg.pub.offset : -1)),
          Array.from({ length: 100 }, (_, i) => i + 1),
        );
      });
    });

    it('stops delivering after unsubscribe; subscribe is idempotent', async () => {
      await withBus(async (bus, eps) => {
        const a = recorder();
        const ea = await bus.attach(a);
        eps.push(ea);
        await ea.subscribe('x');
        await ea.subscribe('x');
        await ea.publish('x', pub(1));
        await waitFor(() => a.messages.length === 1, { timeoutMs: timeout, what: 'first' });
        await ea.unsubscribe('x');
        await ea.publish('x', pub(2));
        await sleep(100);
        assert.equal(a.messages.length, 1);
      });
    });

    it('carries join/leave messages and odd channel names', async () => {
      await withBus(async (bus, eps) => {
        const a = recorder();
        const ea = await bus.attach(a);
        eps.push(ea);
        const channels = ['user:42', 'live:房间#1', 'a b:c/d', 'x'.repeat(255)];
        for (const ch of channels) await ea.subscribe(ch);
        for (const ch of channels) {
          await ea.publish(ch, {
            type: 'join',
            info: { user: '42', client: 'c1', connInfo: '{"name":"A"}' },
          });
        }
        await waitFor(() => a.messages.length === channels.length, { timeoutMs: timeout, what: 'joins' });
        assert.deepEqual(
          a.messages.map((m) => m.channel),
          channels,
        );
        assert.deepEqual(a.messages[0]?.msg, {
          type: 'join',
          info: { user: '42', client: 'c1', connInfo: '{"name":"A"}' },
        });
      });
    });

    it('delivers control messages to every endpoint, the sender included', async () => {
      await withBus(async (bus, eps) => {
        const [a, b] = [recorder(), recorder()];
        const ea = await bus.attach(a);
        const eb = await bus.attach(b);
        eps.push(ea, eb);
        const msg: ControlMessage = {
          type: 'disconnect',
          user: 'u1',
          code: 3503,
          reason: 'force disconnect',
        };
        await ea.publishControl(msg);
        await waitFor(() => a.controls.length === 1 && b.controls.length === 1, {
          timeoutMs: timeout,
          what: 'control',
        });
        assert.deepEqual(b.controls[0], msg);
      });
    });

    it('carries a 64 KiB payload', async () => {
      await withBus(async (bus, eps) => {
        const a = recorder();
        const ea = await bus.attach(a);
        eps.push(ea);
        await ea.subscribe('big');
        const msg = pub(1, { blob: 'y'.repeat(65536) });
        await ea.publish('big', msg);
        await waitFor(() => a.messages.length === 1, { timeoutMs: timeout, what: 'big message' });
        assert.deepEqual(a.messages[0]?.msg, msg);
      });
    });

    it('rejects publish after close', async () => {
      await withBus(async (bus) => {
        const ea = await bus.attach(recorder());
        await ea.close();
        await assert.rejects(ea.publish('x', pub(1)));
      });
    });
  });
}
