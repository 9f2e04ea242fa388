// "Simulate crowd": starts the demo backend's bots in the current room for a while, shows
// how many and how long, and stops them on demand.

import { crowdStatus, startCrowd, stopCrowd, type CrowdStatus } from '../backend.ts';
import { clock } from '../format.ts';

const CROWD_SECONDS = 120;
const POLL_MS = 5000;

export class CrowdControl {
  private readonly button: HTMLButtonElement;
  private readonly size: HTMLSelectElement;
  private readonly status: HTMLElement;
  private readonly onError: (message: string) => void;
  private room = '';
  private endsAt = 0;
  private bots = 0;
  private tick: ReturnType<typeof setInterval> | undefined;
  private lastPoll = 0;

  constructor(
    els: { button: HTMLButtonElement; size: HTMLSelectElement; status: HTMLElement },
    onError: (message: string) => void,
  ) {
    this.button = els.button;
    this.size = els.size;
    this.status = els.status;
    this.onError = onError;
    this.button.addEventListener('click', () => void this.toggle());
  }

  /** Hides the control when the server has no demo backend. */
  set available(v: boolean) {
    (this.button.parentElement as HTMLElement).hidden = !v;
  }

  async setRoom(room: string): Promise<void> {
    this.room = room;
    this.render(undefined);
    try {
      const s = await crowdStatus(room);
      if (this.room === room) this.render(s);
    } catch {
      // no demo backend: the control is hidden anyway
    }
  }

  private get running(): boolean {
    return this.endsAt > Date.now();
  }

  private async toggle(): Promise<void> {
    const room = this.room;
    this.button.disabled = true;
    try {
      if (this.running) {
        await stopCrowd(room);
        this.render(undefined);
      } else {
        this.render(await startCrowd(room, Number(this.size.value), CROWD_SECONDS));
      }
    } catch (err) {
      this.onError(err instanceof Error ? err.message : 'The crowd could not be started.');
    } finally {
      this.button.disabled = false;
    }
  }

  private render(s: CrowdStatus | undefined): void {
    const running = s?.running === true;
    this.endsAt = running ? s.endsAt : 0;
    this.bots = running ? s.bots : 0;
    this.button.textContent = running ? 'Stop crowd' : 'Simulate crowd';
    this.button.setAttribute('aria-pressed', String(running));
    this.size.disabled = running;
    clearInterval(this.tick);
    this.tick = undefined;
    this.update();
    if (running) this.tick = setInterval(() => this.update(), 1000);
  }

  private update(): void {
    if (!this.running) {
      this.status.textContent = '';
      if (this.tick !== undefined) this.render(undefined);
      return;
    }
    this.status.textContent = `${this.bots} bots · ${clock((this.endsAt - Date.now()) / 1000)}`;
    const now = Date.now();
    if (now - this.lastPoll > POLL_MS) {
      this.lastPoll = now;
      const room = this.room;
      crowdStatus(room).then(
        (s) => {
          if (this.room === room && !s.running) this.render(undefined);
          else if (this.room === room) this.bots = s.bots;
        },
        () => undefined, // a missed poll: the next one tells
      );
    }
  }
}
