// Zipf room sizes: one giant room and a long tail, as in real live platforms.

/**
 * Splits `total` viewers over `rooms` rooms with sizes ∝ 1/rank^s. Every room gets at least one
 * viewer (when total ≥ rooms); the rounding remainder goes to the biggest rooms.
 */
export function zipfSizes(total: number, rooms: number, s: number): number[] {
  if (rooms <= 0) return [];
  const weights = Array.from({ length: rooms }, (_, i) => 1 / Math.pow(i + 1, s));
  const sum = weights.reduce((a, b) => a + b, 0);
  const min = total >= rooms ? 1 : 0;
  const sizes = weights.map((w) => Math.max(min, Math.floor((w / sum) * total)));
  let rest = total - sizes.reduce((a, b) => a + b, 0);
  for (let i = 0; rest !== 0 && i < rooms * 4; i++) {
    const k = i % rooms;
    const cur = sizes[k] ?? 0;
    if (rest > 0) {
      sizes[k] = cur + 1;
      rest--;
    } else if (cur > min) {
      sizes[k] = cur - 1;
      rest++;
    }
  }
  return sizes;
}

/** Splits a total rate over rooms ∝ size^exponent (chat grows slower than the audience). */
export function ratesBySize(sizes: readonly number[], total: number, exponent: number): number[] {
  const w = sizes.map((n) => (n > 0 ? Math.pow(n, exponent) : 0));
  const sum = w.reduce((a, b) => a + b, 0) || 1;
  return w.map((x) => (x / sum) * total);
}
