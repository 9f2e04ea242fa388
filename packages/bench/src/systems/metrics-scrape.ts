// roomcast's own counters, read from GET /metrics at the start and the end of a measurement:
// what the server says it delivered, skipped and dropped (drops by reason), to set beside what
// the receivers counted. Only counters are kept; any counter whose name speaks of drops,
// skips or disconnects is included, so the room engine's drop counters appear when they land.

import type { Endpoint } from './server-process.ts';

const KEEP =
  /^roomcast_(deliveries|broadcasts|frames_out|bytes_out|skipped_frames|publications_in|client_publications_in|disconnects|[a-z_]*drop[a-z_]*|[a-z_]*skip[a-z_]*|[a-z_]*conflat[a-z_]*|[a-z_]*reject[a-z_]*)/;

/** Parses Prometheus text into name{labels-without-node} → value, summing equal keys. */
export function parseMetrics(text: string, into: Map<string, number> = new Map()): Map<string, number> {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    if (sp < 0) continue;
    let name = line.slice(0, sp);
    const value = Number(line.slice(sp + 1));
    if (!Number.isFinite(value)) continue;
    const brace = name.indexOf('{');
    const base = brace < 0 ? name : name.slice(0, brace);
    if (!KEEP.test(base) || base.endsWith('_created')) continue;
    if (brace >= 0) {
      const labels = name
        .slice(brace + 1, -1)
        .split(',')
        .filter((l) => l !== '' && !l.startsWith('node='));
      name = labels.length > 0 ? `${base}{${labels.join(',')}}` : base;
    }
    into.set(name, (into.get(name) ?? 0) + value);
  }
  return into;
}

export async function scrapeMetrics(endpoints: readonly Endpoint[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await Promise.all(
    endpoints.map(async (e) => {
      try {
        const r = await fetch(`http://${e.host}:${e.port}/metrics`, { signal: AbortSignal.timeout(5000) });
        if (r.ok) parseMetrics(await r.text(), out);
      } catch {
        // A server that does not answer has no figures; the report shows none.
      }
    }),
  );
  return out;
}

/** end − start per key (counters only grow; a missing start counts as 0). */
export function metricsDelta(start: Map<string, number>, end: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of end) {
    const d = v - (start.get(k) ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}
