// Danmaku: lines flying right to left across the stage in lanes. All lines move at one speed
// (so none catches up with the one ahead), a lane takes a new line once the previous one has
// fully entered, and lines wait in a short queue when every lane is busy. Past the queue's
// bound the oldest waiting lines of others are dropped: in a busy room the chat list keeps
// everything, the stage shows what fits.

import { el, reducedMotion } from '../dom.ts';

export interface DanmakuLine {
  text: string;
  self?: boolean;
  color?: string;
  /** Merged identical lines (the room engine's "666 ×35"). */
  count?: number;
  special?: 'gift';
}

/** Time a line takes to cross a stage of typical width; wider stages keep the same speed. */
const CROSS_MS = 8000;
const LANE_PX = 36;
const GAP_PX = 28;
const MAX_QUEUE = 40;
const MAX_ACTIVE = 120;

export class DanmakuLayer {
  private readonly root: HTMLElement;
  /** Per lane: when (performance.now) the lane can take the next line. */
  private lanes: number[] = [];
  private readonly queue: DanmakuLine[] = [];
  private active = 0;
  private pumping = false;
  private on = true;

  constructor(root: HTMLElement) {
    this.root = root;
    new ResizeObserver(() => this.layout()).observe(root);
    this.layout();
  }

  private layout(): void {
    // Lanes over the top three quarters: the bottom keeps gift banners and controls readable.
    const n = Math.max(1, Math.floor((this.root.clientHeight * 0.75) / LANE_PX));
    if (n !== this.lanes.length) this.lanes = Array.from({ length: n }, (_, i) => this.lanes[i] ?? 0);
  }

  get enabled(): boolean {
    return this.on;
  }

  set enabled(v: boolean) {
    this.on = v;
    this.root.hidden = !v;
    if (!v) this.clear();
  }

  add(line: DanmakuLine): void {
    if (!this.on) return;
    if (line.self) this.queue.unshift(line);
    else this.queue.push(line);
    while (this.queue.length > MAX_QUEUE) {
      const i = this.queue.findIndex((l) => !l.self);
      this.queue.splice(i >= 0 ? i : 0, 1);
    }
    this.pump();
  }

  clear(): void {
    this.queue.length = 0;
    this.root.replaceChildren();
    this.active = 0;
    this.lanes = this.lanes.map(() => 0);
  }

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    requestAnimationFrame(() => {
      this.pumping = false;
      const now = performance.now();
      while (this.queue.length > 0 && this.active < MAX_ACTIVE) {
        const lane = this.freeLane(now);
        if (lane < 0) break;
        this.launch(this.queue.shift() as DanmakuLine, lane, now);
      }
      if (this.queue.length > 0) setTimeout(() => this.pump(), 120);
    });
  }

  private freeLane(now: number): number {
    let best = -1;
    for (let i = 0; i < this.lanes.length; i++) {
      if ((this.lanes[i] ?? 0) <= now) {
        best = i;
        break;
      }
    }
    return best;
  }

  private launch(line: DanmakuLine, lane: number, now: number): void {
    const node = el(
      'div',
      {
        class: `dm${line.self ? ' dm-self' : ''}${line.special === 'gift' ? ' dm-gift' : ''}`,
        'data-danmaku': '',
      },
      line.text,
      line.count !== undefined && line.count > 1 ? el('span', { class: 'dm-count' }, `×${line.count}`) : null,
    );
    if (line.color) node.style.setProperty('--dm-color', line.color);
    node.style.top = `${lane * LANE_PX + 8}px`;
    this.root.append(node);
    this.active++;
    const stageW = this.root.clientWidth;
    const w = node.offsetWidth;
    const speed = Math.max(stageW, 640) / CROSS_MS; // px per ms
    let anim: Animation;
    if (reducedMotion()) {
      node.style.left = `${Math.max(8, (stageW - w) / 2)}px`;
      anim = node.animate(
        [{ opacity: 0 }, { opacity: 1, offset: 0.1 }, { opacity: 1, offset: 0.85 }, { opacity: 0 }],
        {
          duration: 4000,
        },
      );
      this.lanes[lane] = now + 4000;
    } else {
      anim = node.animate([{ transform: `translateX(${stageW}px)` }, { transform: `translateX(${-w}px)` }], {
        duration: (stageW + w) / speed,
        easing: 'linear',
      });
      this.lanes[lane] = now + (w + GAP_PX) / speed;
    }
    anim.onfinish = anim.oncancel = () => {
      node.remove();
      this.active--;
    };
  }
}
