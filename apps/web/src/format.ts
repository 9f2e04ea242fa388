// Display formatting: compact counts, stable per-user name colours.

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** 999 → "999", 1203 → "1.2K". */
export const count = (n: number): string => (n < 1000 ? String(n) : compact.format(n));

/** A readable hue per user id, so a name keeps its colour across messages and rooms. */
export function nameColor(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return `hsl(${h % 360} 85% 72%)`;
}

/** Seconds as m:ss. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
