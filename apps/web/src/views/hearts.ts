// Floating hearts at the stage's lower right: one per own tap at once, and a trickle for
// everyone else's likes (bounded, so a "+1,203 likes" burst does not flood the page).

import { el, reducedMotion } from '../dom.ts';

const COLORS = ['#ff3d71', '#ff8a3d', '#ffd23d', '#7cf0c0', '#6fb6ff', '#c58cff'];
const MAX_LIVE = 30;

export class Hearts {
  private readonly root: HTMLElement;
  private live = 0;
  private lastOthers = 0;

  constructor(root: HTMLElement) {
    this.root = root;
  }

  /** One heart now (own tap). */
  pop(big = false): void {
    if (this.live >= MAX_LIVE || reducedMotion()) return;
    const color = COLORS[Math.floor(Math.random() * COLORS.length)] ?? '#ff3d71';
    const node = el('div', { class: `heart${big ? ' heart-big' : ''}` });
    node.style.setProperty('--heart', color);
    this.root.append(node);
    this.live++;
    const drift = (Math.random() - 0.5) * 80;
    const anim = node.animate(
      [
        { transform: 'translate(0, 0) scale(0.4)', opacity: 0 },
        { transform: `translate(${drift * 0.3}px, -40px) scale(1)`, opacity: 1, offset: 0.15 },
        { transform: `translate(${drift}px, -220px) scale(1.1)`, opacity: 0 },
      ],
      { duration: 1800 + Math.random() * 600, easing: 'ease-out' },
    );
    anim.onfinish = anim.oncancel = () => {
      node.remove();
      this.live--;
    };
  }

  /** Others' likes arrived: a few hearts, at most every 150 ms. */
  others(added: number): void {
    const now = performance.now();
    if (now - this.lastOthers < 150) return;
    this.lastOthers = now;
    for (let i = 0; i < Math.min(3, added); i++) setTimeout(() => this.pop(), i * 90);
  }
}
