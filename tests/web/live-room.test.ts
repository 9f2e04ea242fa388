// The live-room page in headless Chromium against roomcast in this process (the page served
// from apps/web/dist, the demo backend on): chat between two viewers, online counts, a gift
// recovered after the connection was cut, mute feedback, crowd bots, a phone-sized screen.
// Screenshots go to test-results/web/.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { waitFor } from '@roomcast/server/testing';
import {
  ensureBuild,
  openRoom,
  openViewer,
  say,
  screenshot,
  signIn,
  startWebServer,
  type Viewer,
  type WebServer,
} from './harness.ts';

let s: WebServer;
const viewers: Viewer[] = [];
let closing = false;

async function viewer(opts?: { width?: number; height?: number }): Promise<Viewer> {
  const v = await openViewer(opts);
  viewers.push(v);
  // A test cancelled by its timeout may still be launching: its browser must not outlive us.
  if (closing) {
    await v.close();
    throw new Error('the suite is closing');
  }
  return v;
}

/** The demo user id the page signed in with (kept in its localStorage). */
const userIdOf = (page: Page): Promise<string> =>
  page.evaluate(() => (JSON.parse(localStorage.getItem('roomcast.identity') ?? '{}') as { id: string }).id);

const onlineCount = async (page: Page): Promise<number> =>
  Number(await page.locator('#online-count').getAttribute('data-count'));

/** Sends a gift as `user` through the demo backend, as the app's backend would publish it. */
async function giftFrom(user: string, room: string, gift: string, id: string): Promise<void> {
  const { token } = (await (await fetch(`${s.base}/demo/token?user=${user}&name=${user}`)).json()) as {
    token: string;
  };
  const res = await fetch(`${s.base}/demo/gift`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ room, gift, id }),
  });
  assert.equal(res.status, 200, await res.text());
}

const tag = Math.random().toString(36).slice(2, 7);

before(async () => {
  await ensureBuild();
  s = await startWebServer();
});

after(async () => {
  closing = true;
  await Promise.all(viewers.map((v) => v.close()));
  await s?.close();
});

// Each case has its own deadline; the file takes about 25 s on a quiet 2-core machine.
describe('live-room page', () => {
  it(
    "shows two viewers each other's danmaku, chat, gifts and likes, their own line once",
    { timeout: 45_000 },
    async () => {
      const room = `chat-${tag}`;
      const [alice, bob] = await Promise.all([viewer(), viewer()]);
      await Promise.all([openRoom(alice.page, s.base, room), openRoom(bob.page, s.base, room)]);
      await Promise.all([signIn(alice.page, 'Alice'), signIn(bob.page, 'Bob')]);

      await say(alice.page, '主播好! hello from Alice');
      await bob.page.locator('#danmaku [data-danmaku]', { hasText: 'hello from Alice' }).waitFor();
      await bob.page.locator('#chat li', { hasText: 'hello from Alice' }).waitFor();
      await say(bob.page, 'hi Alice 👋');
      await alice.page.locator('#danmaku [data-danmaku]', { hasText: 'hi Alice' }).waitFor();
      const fromBob = alice.page.locator('#chat li', { hasText: 'hi Alice' });
      await fromBob.waitFor();
      assert.equal(await fromBob.locator('.msg-name').innerText(), 'Bob');
      // Alice's own line is emitted on publish success; its echo must not add a second row.
      assert.equal(await alice.page.locator('#chat li', { hasText: 'hello from Alice' }).count(), 1);
      assert.equal(await alice.page.locator('#composer-input').inputValue(), '', 'the send box is cleared');
      // A gift (through the demo backend) and a like reach the other viewer too.
      await alice.page.getByRole('button', { name: /^Send Rocket/ }).click();
      const gift = bob.page.locator('#chat li.msg-gift', { hasText: 'Rocket' });
      await gift.waitFor();
      assert.equal(await gift.locator('.msg-name').innerText(), 'Alice');
      await bob.page.locator('#gift-banners .gift-banner', { hasText: 'Alice' }).waitFor();
      await alice.page.getByRole('button', { name: 'Like' }).click();
      await bob.page.locator('#like-count', { hasText: '1' }).waitFor();
      await alice.page.waitForTimeout(1000); // let the lines fly into view for the screenshots
      await screenshot(alice.page, 'chat-alice');
      await screenshot(bob.page, 'chat-bob');
    },
  );

  it('changes the online count when a viewer leaves', { timeout: 45_000 }, async () => {
    const room = `online-${tag}`;
    const [a, b] = await Promise.all([viewer(), viewer()]);
    await openRoom(a.page, s.base, room);
    await openRoom(b.page, s.base, room);
    await waitFor(async () => (await onlineCount(a.page)) === 2, { timeoutMs: 12_000, what: 'online 2' });
    await b.close();
    await waitFor(async () => (await onlineCount(a.page)) === 1, { timeoutMs: 12_000, what: 'online 1' });
    assert.equal(await a.page.locator('#online-count').innerText(), '1');
    await screenshot(a.page, 'online-after-leave');
  });

  it(
    'shows a gift sent while the connection was cut, after it reconnects, exactly once',
    { timeout: 45_000 },
    async () => {
      const room = `gift-${tag}`;
      const carol = await viewer();
      await openRoom(carol.page, s.base, room);
      await signIn(carol.page, 'Carol');
      const carolId = await userIdOf(carol.page);

      await giftFrom('dan', room, 'rose', `live-${tag}`);
      await carol.page.locator(`#chat li[data-gift-id="live-${tag}"]`).waitFor();

      await carol.context.setOffline(true);
      await carol.page.locator('#conn[data-status="offline"]').waitFor();
      await waitFor(() => (s.server.node.users.get(carolId)?.size ?? 0) === 0, {
        timeoutMs: 5000,
        what: "the server saw Carol's connection close",
      });
      const missed = `missed-${tag}`;
      await giftFrom('dan', room, 'rocket', missed);
      // The backend retrying without idempotency redelivers the same gift id at a new offset.
      await s.server.node.publish(
        `gift:${room}`,
        JSON.stringify({
          type: 'gift',
          id: missed,
          gift: 'rocket',
          count: 1,
          value: 500,
          user: { id: 'dan', name: 'dan' },
        }),
        { source: 'api' },
      );
      await screenshot(carol.page, 'gift-offline');
      assert.equal(
        await carol.page.locator(`[data-gift-id="${missed}"]`).count(),
        0,
        'not delivered while offline',
      );

      await carol.context.setOffline(false);
      await carol.page.locator('#conn[data-status="connected"]').waitFor();
      const row = carol.page.locator(`#chat li[data-gift-id="${missed}"]`);
      await row.waitFor();
      await carol.page.waitForTimeout(1000); // a duplicate would have arrived by now
      assert.equal(await row.count(), 1, 'the missed gift is shown exactly once');
      assert.equal(await carol.page.locator(`#chat li[data-gift-id="live-${tag}"]`).count(), 1);
      assert.match(await row.innerText(), /dan\s+sent\s+🚀\s*Rocket/);
      await carol.page.locator('#chat li', { hasText: 'Reconnected.' }).waitFor();
      await screenshot(carol.page, 'gift-recovered');
    },
  );

  it('tells a muted user their message was not sent', { timeout: 45_000 }, async () => {
    const room = `mute-${tag}`;
    const mallory = await viewer();
    await openRoom(mallory.page, s.base, room);
    await signIn(mallory.page, 'Mallory');
    await say(mallory.page, 'before the mute');
    await mallory.page.locator('#chat li', { hasText: 'before the mute' }).waitFor();

    const r = await s.api('room_mute', { room, user: await userIdOf(mallory.page) });
    assert.deepEqual(r, { result: {} });
    await say(mallory.page, 'can anyone hear me?');
    const feedback = mallory.page.locator('#feedback[data-kind="muted"]');
    await feedback.waitFor();
    assert.match(await feedback.innerText(), /muted in this room/);
    assert.equal(await mallory.page.locator('#chat li', { hasText: 'can anyone hear me?' }).count(), 0);
    assert.equal(
      await mallory.page.locator('#composer-input').inputValue(),
      'can anyone hear me?',
      'the text stays for after the mute',
    );
    await screenshot(mallory.page, 'muted');
  });

  it('simulates a crowd that fills the room, and stops it', { timeout: 45_000 }, async () => {
    const room = `crowd-${tag}`;
    const v = await viewer();
    await openRoom(v.page, s.base, room);
    await v.page.locator('#crowd-size').selectOption('8');
    await v.page.getByRole('button', { name: 'Simulate crowd' }).click();
    await v.page.locator('#crowd-status', { hasText: '8 bots' }).waitFor();
    await waitFor(async () => (await onlineCount(v.page)) >= 9, { timeoutMs: 12_000, what: '9 online' });
    await waitFor(
      async () => (await v.page.locator('#chat li:has(.msg-text)', { hasText: '' }).count()) >= 3,
      {
        timeoutMs: 12_000,
        what: 'bot chat',
      },
    );
    await v.page.locator('#danmaku [data-danmaku]').first().waitFor();
    await screenshot(v.page, 'crowd');
    await v.page.getByRole('button', { name: 'Stop crowd' }).click();
    await v.page.getByRole('button', { name: 'Simulate crowd' }).waitFor();
    await waitFor(async () => (await s.server.node.presence.stats(`live:${room}`)).numClients === 1, {
      timeoutMs: 5000,
      what: 'bots gone',
    });
  });

  it('fits a phone screen and works from the keyboard', { timeout: 45_000 }, async () => {
    const v = await viewer({ width: 390, height: 844 });
    await openRoom(v.page, s.base, `phone-${tag}`);
    assert.deepEqual(
      await v.page.evaluate(() => [document.documentElement.scrollWidth <= innerWidth, innerWidth]),
      [true, 390],
      'no sideways scrolling',
    );
    // A guest who tries to chat is asked to sign in; the dialog is keyboard-operable and the
    // line typed before waits in the send box.
    await say(v.page, 'hello from a phone');
    await v.page.getByRole('dialog', { name: 'Sign in to chat' }).waitFor();
    await v.page.keyboard.type('Pat');
    await v.page.keyboard.press('Enter');
    await v.page.locator('#signout').waitFor();
    await v.page.locator('#conn[data-status="connected"]').waitFor();
    assert.equal(await v.page.locator('#composer-input').inputValue(), 'hello from a phone');
    await v.page.keyboard.press('Enter');
    await v.page.locator('#chat li', { hasText: 'hello from a phone' }).waitFor();
    await v.page.keyboard.press('Escape');
    await v.page.keyboard.press('l');
    await v.page.locator('#like-count', { hasText: '1' }).waitFor();
    await v.page.keyboard.press('d');
    assert.equal(await v.page.locator('#danmaku-toggle').getAttribute('aria-pressed'), 'false');
    await v.page.keyboard.press('d');
    await v.page.evaluate(() => scrollTo(0, 0));
    await screenshot(v.page, 'phone');
  });
});
