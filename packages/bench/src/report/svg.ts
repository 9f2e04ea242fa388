// Small hand-written SVG charts (grouped bars, lines/CDFs): no dependency, readable in any
// Markdown viewer that shows images, and every value drawn comes from result.json.

const PALETTE = ['#2f6fdf', '#e4572e', '#29a36a', '#9b51e0', '#f2a541', '#17becf', '#7f7f7f'];
const FONT = 'font-family="system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif"';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "Nice" axis ticks covering [0, max]. */
function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(v);
  return out;
}

export function shortNum(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || v === 0) return `${+v.toFixed(0)}`;
  return `${+v.toPrecision(2)}`;
}

function legend(names: readonly string[], x: number, y: number): string {
  return names
    .map((n, i) => {
      const ly = y + i * 16;
      return `<rect x="${x}" y="${ly - 9}" width="10" height="10" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 14}" y="${ly}" font-size="11" ${FONT}>${esc(n)}</text>`;
    })
    .join('');
}

export interface BarChart {
  title: string;
  unit: string;
  categories: readonly string[];
  series: readonly { name: string; values: readonly (number | null)[] }[];
}

export function barChart(c: BarChart): string {
  const W = 760;
  const H = 360;
  const left = 70;
  const right = 170;
  const top = 40;
  const bottom = 50;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const max = Math.max(0, ...c.series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const t = ticks(max);
  const ymax = t.at(-1) ?? 1;
  const y = (v: number): number => top + ph - (v / ymax) * ph;
  const group = pw / Math.max(1, c.categories.length);
  const bw = (group * 0.8) / Math.max(1, c.series.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2 - right / 2}" y="22" text-anchor="middle" font-size="14" font-weight="600" ${FONT}>${esc(c.title)}</text>`,
  ];
  for (const v of t) {
    parts.push(`<line x1="${left}" x2="${left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="10" ${FONT}>${shortNum(v)}</text>`,
    );
  }
  parts.push(
    `<text x="14" y="${top + ph / 2}" font-size="11" transform="rotate(-90 14 ${top + ph / 2})" text-anchor="middle" ${FONT}>${esc(c.unit)}</text>`,
  );
  c.categories.forEach((cat, ci) => {
    const gx = left + ci * group + group * 0.1;
    c.series.forEach((s, si) => {
      const v = s.values[ci];
      const x = gx + si * bw;
      if (v === null || v === undefined) {
        parts.push(
          `<text x="${x + bw / 2}" y="${top + ph - 4}" text-anchor="middle" font-size="9" fill="#999" ${FONT}>n/a</text>`,
        );
        return;
      }
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${(top + ph - y(v)).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${s.name} ${cat}: ${v}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle" font-size="9" ${FONT}>${shortNum(v)}</text>`,
      );
    });
    parts.push(
      `<text x="${left + ci * group + group / 2}" y="${top + ph + 16}" text-anchor="middle" font-size="11" ${FONT}>${esc(cat)}</text>`,
    );
  });
  parts.push(`<line x1="${left}" x2="${left + pw}" y1="${top + ph}" y2="${top + ph}" stroke="#333"/>`);
  parts.push(
    legend(
      c.series.map((s) => s.name),
      left + pw + 16,
      top + 10,
    ),
  );
  parts.push('</svg>');
  return parts.join('\n');
}

export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  xLog: boolean;
  series: readonly { name: string; points: readonly [number, number][] }[];
  yMax?: number;
}

export function lineChart(c: LineChart): string {
  const W = 760;
  const H = 360;
  const left = 70;
  const right = 170;
  const top = 40;
  const bottom = 50;
  const pw = W - left - right;
  const ph = H - top - bottom;
  const xs = c.series
    .flatMap((s) => s.points.map((p) => p[0]))
    .filter((v) => Number.isFinite(v) && (!c.xLog || v > 0));
  const ys = c.series.flatMap((s) => s.points.map((p) => p[1]));
  const xmin = c.xLog ? Math.pow(10, Math.floor(Math.log10(Math.max(Math.min(...xs, 1), 0.01)))) : 0;
  const xmaxRaw = Math.max(...xs, c.xLog ? 10 : 1);
  const xmax = c.xLog ? Math.pow(10, Math.ceil(Math.log10(xmaxRaw))) : (ticks(xmaxRaw).at(-1) ?? xmaxRaw);
  const ymax = c.yMax ?? ticks(Math.max(...ys, 0)).at(-1) ?? 1;
  const x = (v: number): number =>
    c.xLog
      ? left +
        ((Math.log10(Math.max(v, xmin)) - Math.log10(xmin)) / (Math.log10(xmax) - Math.log10(xmin))) * pw
      : left + (v / xmax) * pw;
  const y = (v: number): number => top + ph - (v / ymax) * ph;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2 - right / 2}" y="22" text-anchor="middle" font-size="14" font-weight="600" ${FONT}>${esc(c.title)}</text>`,
  ];
  for (const v of c.yMax !== undefined ? [0, 0.25, 0.5, 0.75, 0.9, 1].map((f) => f * ymax) : ticks(ymax)) {
    parts.push(`<line x1="${left}" x2="${left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="10" ${FONT}>${shortNum(v)}</text>`,
    );
  }
  const xt: number[] = [];
  if (c.xLog) for (let v = xmin; v <= xmax * 1.0001; v *= 10) xt.push(v);
  else xt.push(...ticks(xmax));
  for (const v of xt) {
    parts.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${top}" y2="${top + ph}" stroke="#f0f0f0"/>`);
    parts.push(
      `<text x="${x(v)}" y="${top + ph + 14}" text-anchor="middle" font-size="10" ${FONT}>${shortNum(v)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + pw / 2}" y="${H - 12}" text-anchor="middle" font-size="11" ${FONT}>${esc(c.xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${top + ph / 2}" font-size="11" transform="rotate(-90 14 ${top + ph / 2})" text-anchor="middle" ${FONT}>${esc(c.yLabel)}</text>`,
  );
  c.series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[0]) && (!c.xLog || p[0] > 0));
    if (pts.length === 0) return;
    const d = pts
      .map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`)
      .join(' ');
    const color = PALETTE[i % PALETTE.length] ?? '#000';
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of pts.length <= 12 ? pts : [])
      parts.push(`<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="3" fill="${color}"/>`);
  });
  parts.push(`<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  parts.push(
    legend(
      c.series.map((s) => s.name),
      left + pw + 16,
      top + 10,
    ),
  );
  parts.push('</svg>');
  return parts.join('\n');
}
