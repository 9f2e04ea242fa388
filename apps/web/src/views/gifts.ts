// Gifts on the stage: a banner per sender and gift at the lower left (repeats within a few
// seconds add up to a combo "×N"), and a full-stage moment for expensive gifts, one at a time.
// Plus the gift bar that sends them.

import type { GiftEvent } from '@roomcast/client';
import { el, reducedMotion } from '../dom.ts';
import { nameColor } from '../format.ts';
import type { GiftKind } from '../backend.ts';

const BANNER_MS = 4000;
const MAX_BANNERS = 3;
/** Gifts worth at least this many coins get the full-stage animation. */
const BIG_VALUE = 500;
const BIG_MS = 2800;

interface Banner {
  node: HTMLElement;
  countEl: HTMLElement;
  total: number;
  timer: ReturnType<typeof setTimeout>;
}

export class GiftShow {
  private readonly banners: HTMLElement;
  private readonly big: HTMLElement;
  private readonly live = new Map<string, Banner>();
  private readonly bigQueue: Array<{ g: GiftEvent; kind: GiftKind | undefined }> = [];
  private bigBusy = false;

  constructor(banners: HTMLElement, big: HTMLElement) {
    this.banners = banners;
    this.big = big;
  }

  show(g: GiftEvent, kind: GiftKind | undefined): void {
    if (g.replay) return; // history is listed in the chat, not replayed on stage
    this.banner(g, kind);
    if ((kind?.value ?? 0) >= BIG_VALUE) {
      this.bigQueue.push({ g, kind });
      if (this.bigQueue.length > 5) this.bigQueue.shift();
      this.nextBig();
    }
  }

  private banner(g: GiftEvent, kind: GiftKind | undefined): void {
    const key = `${g.user?.id ?? '?'}:${g.gift}`;
    const existing = this.live.get(key);
    if (existing) {
      existing.total += g.count;
      existing.countEl.textContent = `×${existing.total}`;
      existing.countEl.classList.remove('bump');
      void existing.countEl.offsetWidth; // restart the bump animation
      existing.countEl.classList.add('bump');
      clearTimeout(existing.timer);
      existing.timer = setTimeout(() => this.drop(key), BANNER_MS);
      return;
    }
    const countEl = el('span', { class: 'gb-count' }, `×${g.count}`);
    const name = el('span', { class: 'gb-name' }, g.user?.name ?? 'someone');
    if (g.user) name.style.color = nameColor(g.user.id);
    const node = el(
      'div',
      { class: `gift-banner${(kind?.value ?? 0) >= BIG_VALUE ? ' gift-banner-rich' : ''}` },
      el('span', { class: 'gb-emoji' }, kind?.emoji ?? '🎁'),
      el(
        'span',
        { class: 'gb-text' },
        name,
        el('span', { class: 'gb-what' }, `sent ${kind?.name ?? g.gift}`),
      ),
      countEl,
    );
    this.banners.append(node);
    this.live.set(key, { node, countEl, total: g.count, timer: setTimeout(() => this.drop(key), BANNER_MS) });
    while (this.banners.childElementCount > MAX_BANNERS) {
      const oldest = [...this.live.entries()][0];
      if (!oldest) break;
      this.drop(oldest[0]);
    }
  }

  private drop(key: string): void {
    const b = this.live.get(key);
    if (!b) return;
    this.live.delete(key);
    clearTimeout(b.timer);
    b.node.classList.add('leaving');
    setTimeout(() => b.node.remove(), 300);
  }

  private nextBig(): void {
    if (this.bigBusy) return;
    const next = this.bigQueue.shift();
    if (!next) return;
    this.bigBusy = true;
    const { g, kind } = next;
    const node = el(
      'div',
      { class: 'gift-moment' },
      el('div', { class: 'gm-emoji' }, kind?.emoji ?? '🎁'),
      el(
        'div',
        { class: 'gm-text' },
        `${g.user?.name ?? 'Someone'} sent ${g.count > 1 ? `${g.count} ` : 'a '}${kind?.name ?? g.gift}!`,
      ),
    );
    this.big.append(node);
    const done = (): void => {
      node.remove();
      this.bigBusy = false;
      this.nextBig();
    };
    if (reducedMotion()) {
      setTimeout(done, BIG_MS);
      return;
    }
    node
      .animate(
        [
          { opacity: 0, transform: 'scale(0.4) translateY(40px)' },
          { opacity: 1, transform: 'scale(1.08) translateY(0)', offset: 0.18 },
          { opacity: 1, transform: 'scale(1) translateY(-6px)', offset: 0.8 },
          { opacity: 0, transform: 'scale(1.3) translateY(-60px)' },
        ],
        { duration: BIG_MS, easing: 'cubic-bezier(.2,.8,.2,1)' },
      )
      .finished.then(done, done);
  }

  clear(): void {
    for (const key of [...this.live.keys()]) this.drop(key);
    this.bigQueue.length = 0;
  }
}

/** The row of gift buttons; `onSend` does the sending and reports errors itself. */
export function renderGiftBar(bar: HTMLElement, gifts: GiftKind[], onSend: (g: GiftKind) => void): void {
  bar.replaceChildren(
    ...gifts.map((g) => {
      const b = el(
        'button',
        {
          type: 'button',
          class: 'gift-btn',
          'data-gift': g.id,
          'aria-label': `Send ${g.name}, ${g.value} ${g.value === 1 ? 'coin' : 'coins'}`,
        },
        el('span', { class: 'gift-btn-emoji', 'aria-hidden': 'true' }, g.emoji),
        el('span', { class: 'gift-btn-name', 'aria-hidden': 'true' }, g.name),
        el('span', { class: 'gift-btn-price', 'aria-hidden': 'true' }, `${g.value}`),
      );
      b.addEventListener('click', () => onSend(g));
      return b;
    }),
  );
  bar.hidden = gifts.length === 0;
}
