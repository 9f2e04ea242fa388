// Who this browser is: a guest, or a named demo user kept in localStorage so a reload stays
// signed in. Ids are random (names are not unique); the token is fetched fresh on each load.

import type { Identity } from './backend.ts';

const KEY = 'roomcast.identity';

export function loadIdentity(): Identity | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Identity> | null;
    if (typeof v?.id === 'string' && typeof v.name === 'string') return { id: v.id, name: v.name };
  } catch {
    // storage blocked or garbage: a guest then
  }
  return undefined;
}

export function saveIdentity(who: Identity | undefined): void {
  try {
    if (who) localStorage.setItem(KEY, JSON.stringify(who));
    else localStorage.removeItem(KEY);
  } catch {
    // storage blocked (private mode): the identity lasts for this page only
  }
}

/** A new identity for a display name: `u-` and 10 random characters. */
export function newIdentity(name: string): Identity {
  const rand = Array.from(
    crypto.getRandomValues(new Uint8Array(10)),
    (b) => 'abcdefghijkmnpqrstuvwxyz23456789'[b % 32],
  ).join('');
  return { id: `u-${rand}`, name: name.trim().slice(0, 24) };
}
