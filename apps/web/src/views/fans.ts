// Top fans: who gave the most (by coin value) since this page joined the room.

import type { GiftEvent, UserRef } from '@roomcast/client';
import { el } from '../dom.ts';
import { count, nameColor } from '../format.ts';

const SHOWN = 5;
const MEDALS = ['🥇', '🥈', '🥉'];

export class TopFans {
  private readonly list: HTMLOListElement;
  private readonly empty: HTMLElement;
  private readonly totals = new Map<string, { user: UserRef; value: number }>();

  constructor(list: HTMLOListElement, empty: HTMLElement) {
    this.list = list;
    this.empty = empty;
  }

  add(g: GiftEvent): void {
    if (!g.user || g.value <= 0) return;
    const t = this.totals.get(g.user.id) ?? { user: g.user, value: 0 };
    t.value += g.value;
    this.totals.set(g.user.id, t);
    this.render();
  }

  clear(): void {
    this.totals.clear();
    this.render();
  }

  private render(): void {
    const top = [...this.totals.values()].sort((a, b) => b.value - a.value).slice(0, SHOWN);
    this.empty.hidden = top.length > 0;
    this.list.replaceChildren(
      ...top.map((t, i) => {
        const name = el('span', { class: 'fan-name' }, t.user.name);
        name.style.color = nameColor(t.user.id);
        return el(
          'li',
          { class: 'fan' },
          el('span', { class: 'fan-rank', 'aria-hidden': 'true' }, MEDALS[i] ?? String(i + 1)),
          name,
          el('span', { class: 'fan-value' }, `${count(t.value)} coins`),
        );
      }),
    );
  }
}
