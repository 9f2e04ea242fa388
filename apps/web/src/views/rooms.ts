// The room picker: featured rooms as buttons, any other by name.

import { el } from '../dom.ts';

export interface RoomInfo {
  id: string;
  /** Short name for the room picker. */
  label: string;
  title: string;
  /** Hue of the stage backdrop. */
  hue: number;
}

export const FEATURED: readonly RoomInfo[] = [
  { id: 'lobby', label: 'Lobby', title: 'Lobby', hue: 330 },
  { id: 'music', label: 'Music', title: 'Late-night music', hue: 265 },
  { id: 'gaming', label: 'Gaming', title: 'Speedrun Sunday', hue: 195 },
  { id: 'study', label: 'Study', title: 'Study with me', hue: 150 },
];

export const ROOM_ID = /^[A-Za-z0-9_.-]{1,40}$/;

export function roomInfo(id: string): RoomInfo {
  const featured = FEATURED.find((r) => r.id === id);
  if (featured) return featured;
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return { id, label: id, title: `#${id}`, hue: h % 360 };
}

export class RoomPicker {
  private readonly list: HTMLElement;

  constructor(
    list: HTMLElement,
    form: HTMLFormElement,
    input: HTMLInputElement,
    onPick: (id: string) => void,
  ) {
    this.list = list;
    list.replaceChildren(
      ...FEATURED.map((r) => {
        const b = el(
          'button',
          { type: 'button', class: 'room-btn', 'data-room': r.id, title: r.title },
          r.label,
        );
        b.addEventListener('click', () => onPick(r.id));
        return el('li', {}, b);
      }),
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const id = input.value.trim();
      if (!ROOM_ID.test(id)) {
        input.setCustomValidity('Use letters, digits, _ . - (up to 40)');
        input.reportValidity();
        return;
      }
      input.setCustomValidity('');
      input.value = '';
      onPick(id);
    });
    input.addEventListener('input', () => input.setCustomValidity(''));
  }

  setCurrent(id: string): void {
    for (const b of this.list.querySelectorAll<HTMLButtonElement>('button[data-room]')) {
      if (b.dataset['room'] === id) b.setAttribute('aria-current', 'page');
      else b.removeAttribute('aria-current');
    }
  }
}
