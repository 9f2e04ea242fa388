// The live progress line on stderr: rewritten in place on a terminal, a plain line every few
// seconds otherwise (CI logs).

const PLAIN_EVERY_MS = 5000;

export class ProgressLine {
  private readonly enabled: boolean;
  private readonly tty: boolean;
  private width = 0;
  private lastPlain = 0;

  constructor(enabled: boolean, out: NodeJS.WriteStream = process.stderr) {
    this.enabled = enabled;
    this.tty = out.isTTY === true;
    this.out = out;
  }

  private readonly out: NodeJS.WriteStream;

  update(text: string): void {
    if (!this.enabled) return;
    if (this.tty) {
      const cols = this.out.columns || 160;
      const line = text.length > cols - 1 ? text.slice(0, cols - 1) : text;
      this.out.write('\r' + line.padEnd(this.width));
      this.width = line.length;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain >= PLAIN_EVERY_MS) {
      this.lastPlain = now;
      this.out.write(text + '\n');
    }
  }

  /** A permanent line (phase results, warnings). */
  log(text: string): void {
    if (this.tty && this.width > 0) this.out.write('\r' + ' '.repeat(this.width) + '\r');
    this.width = 0;
    this.out.write(text + '\n');
  }
}

export function si(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return (n / 1e9).toFixed(2) + 'G';
  if (a >= 1e6) return (n / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return Math.round(n).toString();
}
