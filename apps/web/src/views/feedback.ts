// The line under the send box: why a message or gift did not go out, or a short confirmation.
// Temporary problems clear themselves; mutes and bans stay until something succeeds.

export type FeedbackKind = string;

export class Feedback {
  private readonly root: HTMLElement;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(root: HTMLElement) {
    this.root = root;
  }

  show(text: string, kind: FeedbackKind, opts: { sticky?: boolean; ms?: number } = {}): void {
    clearTimeout(this.timer);
    this.root.textContent = text;
    this.root.dataset['kind'] = kind;
    this.root.classList.add('visible');
    if (!opts.sticky) this.timer = setTimeout(() => this.clear(), opts.ms ?? 4000);
  }

  /** Clears the line; with `kind`, only if it currently shows that kind. */
  clear(kind?: FeedbackKind): void {
    if (kind !== undefined && this.root.dataset['kind'] !== kind) return;
    clearTimeout(this.timer);
    this.root.classList.remove('visible');
    this.root.textContent = '';
    delete this.root.dataset['kind'];
  }

  get kind(): string | undefined {
    return this.root.dataset['kind'];
  }
}
