// The chat list: chat lines, gifts, entries and notices, newest at the bottom. It sticks to
// the bottom while the reader is there; scrolled up, new lines wait behind a "new messages"
// button instead of yanking the view. Only the last MAX_ITEMS are kept in the DOM.

import type { ChatEvent, GiftEvent, UserRef } from '@roomcast/client';
import { el } from '../dom.ts';
import { count, nameColor } from '../format.ts';
import type { GiftKind } from '../backend.ts';

const MAX_ITEMS = 250;

export class ChatList {
  private readonly list: HTMLOListElement;
  private readonly more: HTMLButtonElement;
  private stuck = true;

  constructor(list: HTMLOListElement, more: HTMLButtonElement) {
    this.list = list;
    this.more = more;
    list.addEventListener('scroll', () => {
      this.stuck = list.scrollTop + list.clientHeight >= list.scrollHeight - 24;
      if (this.stuck) this.more.hidden = true;
    });
    more.addEventListener('click', () => this.toBottom());
  }

  private name(user: UserRef | undefined, self: boolean): HTMLElement {
    const label = user?.name ?? 'someone';
    const node = el('span', { class: 'msg-name' }, self ? `${label} (you)` : label);
    if (user) node.style.color = nameColor(user.id);
    return node;
  }

  chat(e: ChatEvent): void {
    this.append(
      el(
        'li',
        { class: `msg${e.self ? ' msg-self' : ''}`, 'data-chat-id': e.id },
        this.name(e.user, e.self),
        el('span', { class: 'msg-text' }, e.text),
        e.count > 1
          ? el('span', { class: 'msg-count', title: `${e.count} people said this` }, `×${count(e.count)}`)
          : null,
      ),
    );
  }

  gift(g: GiftEvent, kind: GiftKind | undefined): void {
    this.append(
      el(
        'li',
        {
          class: `msg msg-gift${g.replay ? ' msg-replay' : ''}`,
          'data-gift-id': g.id ?? `@${g.offset ?? ''}`,
        },
        this.name(g.user, g.self),
        el('span', { class: 'msg-text' }, ' sent '),
        el('span', { class: 'msg-gift-emoji', 'aria-hidden': 'true' }, kind?.emoji ?? '🎁'),
        el('span', { class: 'msg-text' }, `${kind?.name ?? g.gift}${g.count > 1 ? ` ×${g.count}` : ''}`),
      ),
    );
  }

  entries(added: number, users: UserRef[]): void {
    const first = users[0];
    let text: string;
    if (!first) text = `${count(added)} ${added === 1 ? 'viewer' : 'viewers'} joined`;
    else if (added === 1) text = `${first.name} joined`;
    else text = `${first.name} and ${count(added - 1)} ${added === 2 ? 'other' : 'others'} joined`;
    this.append(el('li', { class: 'msg msg-entry' }, text));
  }

  notice(text: string, kind: 'system' | 'notice' | 'info' | 'warn'): void {
    this.append(el('li', { class: `msg msg-${kind}` }, text));
  }

  clear(): void {
    this.list.replaceChildren();
    this.stuck = true;
    this.more.hidden = true;
  }

  private append(li: HTMLLIElement): void {
    this.list.append(li);
    while (this.list.childElementCount > MAX_ITEMS) this.list.firstElementChild?.remove();
    if (this.stuck) this.list.scrollTop = this.list.scrollHeight;
    else this.more.hidden = false;
  }

  private toBottom(): void {
    this.list.scrollTop = this.list.scrollHeight;
    this.stuck = true;
    this.more.hidden = true;
  }
}
