// Prometheus metrics, one registry per node (no global registry: several nodes may share a
// process). Hot-path numbers come from NodeStats on scrape; labelled counters are used only on
// paths that are not per delivery.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { NodeStats } from './stats.ts';

export interface MetricSources {
  stats: NodeStats;
  connections: () => number;
  channels: () => number;
  /** Room engine totals: drops and upstream rejections by reason, merged messages. */
  rooms: () => { drops: Record<string, number>; rejected: Record<string, number>; merged: number };
}

export class Metrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'type'>;
  private readonly errors: Counter<'code'>;
  private readonly disconnects: Counter<'code'>;
  private readonly protocolErrors: Counter;
  readonly apiCalls: Counter<'method' | 'status'>;
  private readonly windowWait: Histogram;
  private readonly fanout: Histogram;

  constructor(src: MetricSources, opts: { defaultMetrics: boolean; labels: Record<string, string> }) {
    const r = this.registry;
    r.setDefaultLabels(opts.labels);
    if (opts.defaultMetrics) collectDefaultMetrics({ register: r, prefix: 'roomcast_process_' });
    const s = src.stats;
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [r],
        collect() {
          this.set(read());
        },
      });
    };
    // Counters that live as plain numbers are exposed as monotonic gauges read on scrape.
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({
        name,
        help,
        registers: [r],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    gauge('roomcast_connections', 'Client connections on this node', src.connections);
    gauge('roomcast_subscriptions', 'Client subscriptions on this node', () => s.subscriptions);
    gauge('roomcast_channels', 'Channels with subscribers on this node', src.channels);
    counter(
      'roomcast_publications_in_total',
      'Publications accepted from the HTTP API',
      () => s.publicationsIn.api,
    );
    counter(
      'roomcast_client_publications_in_total',
      'Publications accepted from clients',
      () => s.publicationsIn.client,
    );
    counter(
      'roomcast_deliveries_total',
      'Messages delivered to connections (messages x receivers)',
      () => s.deliveries,
    );
    counter(
      'roomcast_broadcasts_total',
      'Shared frames built (one per flushed batch per channel)',
      () => s.broadcasts,
    );
    counter('roomcast_frames_out_total', 'Shared frames written to connections', () => s.framesOut);
    counter('roomcast_bytes_out_total', 'Bytes of shared frames written to connections', () => s.bytesOut);
    counter(
      'roomcast_frames_deflated_total',
      'Shared frames written deflated (compressed once per batch)',
      () => s.framesDeflated,
    );
    counter(
      'roomcast_skipped_frames_total',
      'Lossy frames skipped for slow connections',
      () => s.skippedFrames,
    );
    this.commands = new Counter({
      name: 'roomcast_commands_total',
      help: 'Client commands by type',
      labelNames: ['type'],
      registers: [r],
    });
    this.errors = new Counter({
      name: 'roomcast_reply_errors_total',
      help: 'Error replies by code',
      labelNames: ['code'],
      registers: [r],
    });
    this.disconnects = new Counter({
      name: 'roomcast_disconnects_total',
      help: 'Connection closes by code',
      labelNames: ['code'],
      registers: [r],
    });
    this.protocolErrors = new Counter({
      name: 'roomcast_protocol_errors_total',
      help: 'Malformed client frames',
      registers: [r],
    });
    const byReason = (name: string, help: string, read: () => Record<string, number>): void => {
      new Counter({
        name,
        help,
        labelNames: ['reason'],
        registers: [r],
        collect() {
          this.reset();
          for (const [reason, n] of Object.entries(read())) this.inc({ reason }, n);
        },
      });
    };
    byReason(
      'roomcast_room_drops_total',
      'Room messages dropped by downstream policy, by reason (cap, stale, overflow)',
      () => src.rooms().drops,
    );
    byReason(
      'roomcast_room_rejected_total',
      'Client publishes refused by room admission, by reason',
      () => src.rooms().rejected,
    );
    counter(
      'roomcast_room_merged_total',
      'Room messages folded into conflated messages',
      () => src.rooms().merged,
    );
    const ms = [0, 1, 5, 10, 25, 50, 100, 250, 500, 750, 1000, 1500, 2500, 5000].map((x) => x / 1000);
    this.windowWait = new Histogram({
      name: 'roomcast_room_window_wait_seconds',
      help: 'Time a delivered room message waited between arrival at the node and its batch flush',
      buckets: ms,
      registers: [r],
    });
    this.fanout = new Histogram({
      name: 'roomcast_room_fanout_seconds',
      help: 'Time to write one room batch to every local viewer',
      buckets: ms,
      registers: [r],
    });
    this.apiCalls = new Counter({
      name: 'roomcast_api_calls_total',
      help: 'HTTP API calls by method and result',
      labelNames: ['method', 'status'],
      registers: [r],
    });
  }

  command(type: string): void {
    this.commands.inc({ type });
  }
  replyError(code: number): void {
    this.errors.inc({ code: String(code) });
  }
  disconnect(code: number): void {
    this.disconnects.inc({ code: String(code) });
  }
  protocolError(): void {
    this.protocolErrors.inc();
  }
  observeWindowWait(ms: number): void {
    this.windowWait.observe(ms / 1000);
  }
  observeFanout(ms: number): void {
    this.fanout.observe(ms / 1000);
  }
}
