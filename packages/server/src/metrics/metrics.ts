// Prometheus metrics, one registry per node (no global registry: several nodes may share a
// process). Hot-path numbers come from NodeStats on scrape; labelled counters are used only on
// paths that are not per delivery.

import { Counter, Gauge, Registry, collectDefaultMetrics, type Histogram } from 'prom-client';
import type { NodeStats } from './stats.ts';

export interface MetricSources {
  stats: NodeStats;
  connections: () => number;
  channels: () => number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly commands: Counter<'type'>;
  private readonly errors: Counter<'code'>;
  private readonly disconnects: Counter<'code'>;
  private readonly protocolErrors: Counter;
  readonly apiCalls: Counter<'method' | 'status'>;
  readonly histograms: Histogram[] = [];

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
}
