// A generator process's connections: connecting in a sliding window, counting and checking
// what arrives, publishing for client publishers, churn, reconnect storms and slow readers.
// Every wait is bounded by the connect timeout.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { nowUs } from '../plan/message-id.ts';
import { Checker } from './checker.ts';
import { Counters, F, FIELDS, GROUP } from './counters.ts';
import type { ConnectReport, MarkReport, SetupMsg, StormReport } from './ipc.ts';
import { PROTO_CENTRIFUGE, PROTO_ENGINEIO, RawConn, type ConnHandler, type ReadParking } from './raw-conn.ts';
import { SampleStore } from './samples.ts';
import {
  centrifugeMessage,
  centrifugeOpened,
  engineioAfter,
  engineioMessage,
  engineioOpened,
  publishFrom,
  type SessionHost,
} from './sessions.ts';
import { CONNECTING, DONE, IDLE, LIVE, Slot } from './slot.ts';

/** Read buffer shared by every socket of the process (reads are handled synchronously). */
const READ_BUFFER_BYTES = 65536;

const sampled = (group: number): boolean =>
  group === GROUP.decode || group === GROUP.deflate || group === GROUP.probe;

/** Parked sockets, resumed together every `intervalMs`. */
class Parking implements ReadParking {
  private parked: RawConn[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => {
      const list = this.parked;
      this.parked = [];
      for (const c of list) c.unpark();
    }, intervalMs);
  }

  park(c: RawConn): void {
    this.parked.push(c);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export class Generator implements ConnHandler, SessionHost {
  readonly counters: Counters;
  readonly samples: SampleStore;
  readonly checker: Checker;
  readonly channelNames: readonly string[];
  readonly channelIndex: ReadonlyMap<string, number>;
  readonly slots: Slot[];
  private readonly setup: SetupMsg;
  private readonly proto: number;
  private readonly shared = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private readonly eld = monitorEventLoopDelay({ resolution: 10 });
  private readonly parking: Parking | null;
  private cpuMark = process.cpuUsage();
  private wallMark = nowUs();

  constructor(setup: SetupMsg) {
    this.setup = setup;
    this.proto = setup.protocol === 'socketio' ? PROTO_ENGINEIO : PROTO_CENTRIFUGE;
    this.channelNames = setup.channels;
    this.channelIndex = new Map(setup.channels.map((c, i) => [c, i]));
    this.counters = new Counters(setup.channels.length);
    this.samples = new SampleStore(setup.sampleCapacity);
    this.checker = new Checker(this.counters.checks, this.samples);
    this.slots = setup.specs.map((s, i) => new Slot(i, s));
    this.parking = setup.lazyReadMs > 0 ? new Parking(setup.lazyReadMs) : null;
    this.eld.enable();
  }

  get recording(): boolean {
    return this.samples.recording;
  }

  // ---- ConnHandler / SessionHost ---------------------------------------------------------

  opened(c: RawConn): void {
    const slot = this.slotOf(c);
    if (!slot) return;
    if (c.deflate) this.counters.deflateNegotiated++;
    if (this.proto === PROTO_CENTRIFUGE) centrifugeOpened(this, slot, c);
    else engineioOpened(this, slot);
  }

  message(c: RawConn, payload: Buffer): void {
    const slot = this.slotOf(c);
    if (!slot) return;
    const text = payload.toString('utf8');
    if (this.proto === PROTO_CENTRIFUGE) centrifugeMessage(this, slot, c, text);
    else {
      engineioMessage(this, slot, c, text);
      engineioAfter(slot, c);
    }
  }

  closed(c: RawConn, reason: string): void {
    const slot = this.slotOf(c);
    if (!slot) return;
    slot.conn = null;
    clearTimeout(slot.timer);
    if (slot.state === CONNECTING) {
      slot.state = DONE;
      this.counters.bump(this.counters.connectFailures, reason);
      this.finish(slot, false, reason);
    } else if (slot.state === LIVE) {
      slot.state = DONE;
      this.counters.add(slot.spec.group, F.live, -1);
      this.counters.subscribedTotal--;
      if (reason !== 'local') this.counters.bump(this.counters.closes, reason);
    }
  }

  live(slot: Slot): void {
    if (slot.state !== CONNECTING) return;
    slot.state = LIVE;
    clearTimeout(slot.timer);
    this.counters.add(slot.spec.group, F.live, 1);
    this.counters.subscribedTotal++;
    this.finish(slot, true, '');
  }

  fail(slot: Slot, reason: string): void {
    slot.conn?.abort(reason);
  }

  private slotOf(c: RawConn): Slot | undefined {
    const slot = this.slots[c.index];
    return slot && slot.conn === c ? slot : undefined;
  }

  private finish(slot: Slot, ok: boolean, reason: string): void {
    const done = slot.done;
    slot.done = null;
    done?.(ok, reason);
  }

  // ---- connecting ------------------------------------------------------------------------

  private start(slot: Slot, done: (ok: boolean, reason: string) => void): void {
    const s = this.setup;
    const spec = slot.spec;
    const server = s.servers[spec.server] ?? s.servers[0];
    if (!server) throw new Error('no server to connect to');
    const conn = new RawConn(slot.index, spec.group, this.proto, this.counters.hot, this, this.shared);
    if (spec.group === GROUP.count) conn.parking = this.parking;
    slot.conn = conn;
    slot.state = CONNECTING;
    slot.startUs = nowUs();
    slot.done = done;
    slot.order = sampled(spec.group) ? new Map() : null;
    slot.inflight.clear();
    this.counters.opened++;
    const addr = 2 + ((s.globalOffset + slot.index) % s.sourceAddresses);
    conn.open({
      host: server.host,
      port: server.port,
      path: this.proto === PROTO_ENGINEIO ? '/socket.io/?EIO=4&transport=websocket' : '/connection/websocket',
      localAddress: `127.0.0.${addr}`,
      deflate: spec.group === GROUP.deflate,
    });
    slot.timer = setTimeout(() => {
      if (slot.conn === conn && slot.state === CONNECTING) conn.abort('timeout');
    }, s.connectTimeoutMs);
  }

  /** Connects the given slots, at most `concurrency` in flight. */
  connectList(
    indices: readonly number[],
    concurrency: number,
    t0 = nowUs(),
  ): Promise<ConnectReport & { doneMs: number[] }> {
    return new Promise((resolve) => {
      const failures = new Map<string, number>();
      const latencyMs: number[] = [];
      const doneMs: number[] = [];
      let next = 0;
      let inflight = 0;
      let ok = 0;
      let failed = 0;
      const total = indices.length;
      const report = (): ConnectReport & { doneMs: number[] } => ({
        attempted: total,
        ok,
        failed,
        ms: (nowUs() - t0) / 1000,
        failures: Object.fromEntries(failures),
        latencyMs,
        doneMs,
      });
      const launch = (): void => {
        while (inflight < concurrency && next < total) {
          const slot = this.slots[indices[next++] as number];
          if (!slot || slot.state === CONNECTING || slot.state === LIVE) {
            failed++;
            failures.set('busy-slot', (failures.get('busy-slot') ?? 0) + 1);
            continue;
          }
          inflight++;
          this.start(slot, (good, reason) => {
            inflight--;
            const now = nowUs();
            if (good) {
              ok++;
              latencyMs.push((now - slot.startUs) / 1000);
              doneMs.push((now - t0) / 1000);
            } else {
              failed++;
              failures.set(reason, (failures.get(reason) ?? 0) + 1);
            }
            if (ok + failed === total) resolve(report());
            else launch();
          });
        }
        if (ok + failed === total && inflight === 0) resolve(report());
      };
      launch();
    });
  }

  connectRange(from: number, to: number): Promise<ConnectReport> {
    const list: number[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.slots.length); i++) list.push(i);
    return this.connectList(list, this.setup.concurrency);
  }

  // ---- workload actions --------------------------------------------------------------------

  /** Client publishes: [slot, kind, channel] triples. */
  publish(items: readonly number[]): void {
    const socketio = this.proto === PROTO_ENGINEIO;
    for (let i = 0; i + 2 < items.length; i += 3) {
      const slot = this.slots[items[i] as number];
      if (!slot || !publishFrom(this, slot, items[i + 1] as number, items[i + 2] as number, socketio)) {
        this.counters.bump(this.counters.publishErrors, 'publisher-not-connected');
      }
    }
  }

  /** The slow group stops reading. */
  slow(): void {
    for (const slot of this.slots)
      if (slot.spec.group === GROUP.slow && slot.state === LIVE) slot.conn?.pause();
  }

  private liveCounting(): Slot[] {
    return this.slots.filter((s) => s.spec.group === GROUP.count && s.state === LIVE && s.conn !== null);
  }

  /** Drops a slot's socket (graceful close frame or abrupt destroy) and frees the slot. */
  private drop(slot: Slot, graceful: boolean): void {
    const c = slot.conn;
    slot.conn = null;
    slot.state = IDLE;
    this.counters.add(slot.spec.group, F.live, -1);
    this.counters.subscribedTotal--;
    c?.close(graceful);
  }

  /** `count` viewers leave (half gracefully, half abruptly) and as many join again. */
  churn(count: number): Promise<ConnectReport> {
    const live = this.liveCounting();
    const n = Math.min(count, live.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(Math.random() * (live.length - i));
      const t = live[j] as Slot;
      live[j] = live[i] as Slot;
      live[i] = t;
    }
    const picked = live.slice(0, n);
    picked.forEach((s, i) => this.drop(s, i % 2 === 0));
    return this.connectList(
      picked.map((s) => s.index),
      this.setup.concurrency,
    );
  }

  /** Every counting viewer drops at once and reconnects as fast as `concurrency` allows. */
  async storm(concurrency: number, timeoutMs: number): Promise<StormReport> {
    const t0 = nowUs();
    const live = this.liveCounting();
    for (const s of live) this.drop(s, false);
    const all = this.connectList(
      live.map((s) => s.index),
      concurrency,
      t0,
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), timeoutMs)));
    const r = await Promise.race([all, late]);
    clearTimeout(timer);
    if (!r) {
      const pending = this.slots.filter((s) => s.state === CONNECTING);
      for (const s of pending) s.conn?.abort('storm-timeout');
      const after = await all;
      return {
        dropped: live.length,
        ok: after.ok,
        failed: after.failed,
        failures: after.failures,
        doneMs: after.doneMs.sort((a, b) => a - b),
      };
    }
    return {
      dropped: live.length,
      ok: r.ok,
      failed: r.failed,
      failures: r.failures,
      doneMs: r.doneMs.sort((a, b) => a - b),
    };
  }

  mark(recording: boolean): MarkReport {
    this.samples.recording = recording;
    const liveByChannel = new Array<number>(this.channelNames.length).fill(0);
    for (const s of this.slots) {
      if (s.state !== LIVE || s.spec.group === GROUP.publisher || s.spec.group === GROUP.slow) continue;
      for (const ch of s.spec.channels) liveByChannel[ch] = (liveByChannel[ch] ?? 0) + 1;
    }
    const cpu = process.cpuUsage(this.cpuMark);
    this.cpuMark = process.cpuUsage();
    const now = nowUs();
    const wallUs = now - this.wallMark;
    this.wallMark = now;
    const report: MarkReport = {
      snapshot: this.counters.snapshot(),
      liveByChannel,
      cpuUs: cpu.user + cpu.system,
      wallUs,
      eldP99Ms: this.eld.percentile(99) / 1e6,
      eldMaxMs: this.eld.max / 1e6,
    };
    this.eld.reset();
    return report;
  }

  /** Totals for the progress line. */
  totals(): { frames: number; bytes: number; msgs: number; live: number } {
    const h = this.counters.hot;
    let frames = 0;
    let bytes = 0;
    let msgs = 0;
    let live = 0;
    for (let g = 0; g * FIELDS < h.length; g++) {
      if (g === GROUP.publisher) continue;
      frames += h[g * FIELDS + F.frames] ?? 0;
      bytes += h[g * FIELDS + F.bytes] ?? 0;
      msgs += h[g * FIELDS + F.msgs] ?? 0;
      live += h[g * FIELDS + F.live] ?? 0;
    }
    return { frames, bytes, msgs, live };
  }

  stop(): void {
    this.parking?.stop();
    for (const s of this.slots) {
      clearTimeout(s.timer);
      const c = s.conn;
      s.conn = null;
      c?.close(false);
    }
    this.eld.disable();
  }
}
