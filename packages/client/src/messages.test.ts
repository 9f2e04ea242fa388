import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseGiftChannelMessage, parseLiveMessage, senderOf } from './messages.ts';

describe('parseLiveMessage', () => {
  it('reads every shape of docs/live-rooms.md', () => {
    assert.deepEqual(parseLiveMessage({ type: 'chat', text: '主播好', id: 'c1' }), {
      type: 'chat',
      text: '主播好',
      id: 'c1',
      count: 1,
    });
    assert.deepEqual(parseLiveMessage({ type: 'chat', text: '666', count: 35 }), {
      type: 'chat',
      text: '666',
      count: 35,
    });
    assert.deepEqual(parseLiveMessage({ type: 'like', count: 3 }), { type: 'like', count: 3 });
    assert.deepEqual(parseLiveMessage({ type: 'like' }), { type: 'like', count: 1 });
    assert.deepEqual(parseLiveMessage({ type: 'likes', count: 1203 }), { type: 'likes', count: 1203 });
    assert.deepEqual(parseLiveMessage({ type: 'entry', user: { id: 7, name: 'Alice' } }), {
      type: 'entry',
      user: { id: '7', name: 'Alice' },
    });
    assert.deepEqual(
      parseLiveMessage({ type: 'entries', count: 38, users: [{ id: '7', name: 'A' }, { nope: 1 }] }),
      { type: 'entries', count: 38, users: [{ id: '7', name: 'A' }] },
    );
    assert.deepEqual(parseLiveMessage({ type: 'online', count: 12345, unique: 50210 }), {
      type: 'online',
      count: 12345,
      unique: 50210,
    });
    assert.deepEqual(parseLiveMessage({ type: 'system', text: 'welcome' }), {
      type: 'system',
      text: 'welcome',
    });
  });

  it('returns undefined for anything malformed instead of throwing', () => {
    for (const bad of [
      null,
      'chat',
      42,
      [],
      {},
      { type: 'chat' },
      { type: 'chat', text: 5 },
      { type: 'entry', user: 'x' },
      { type: 'online' },
      { type: 'unknown' },
    ]) {
      assert.equal(parseLiveMessage(bad), undefined, JSON.stringify(bad));
    }
    assert.deepEqual(parseLiveMessage({ type: 'likes', count: -5 }), { type: 'likes', count: 0 });
    assert.deepEqual(parseLiveMessage({ type: 'chat', text: 'x', count: 'many' }), {
      type: 'chat',
      text: 'x',
      count: 1,
    });
  });
});

describe('parseGiftChannelMessage', () => {
  it('reads gifts, notices and room state', () => {
    assert.deepEqual(
      parseGiftChannelMessage({
        type: 'gift',
        id: 'g-1',
        gift: 'rocket',
        count: 1,
        value: 500,
        user: { id: '42', name: 'Alice' },
      }),
      { type: 'gift', id: 'g-1', gift: 'rocket', count: 1, value: 500, user: { id: '42', name: 'Alice' } },
    );
    assert.deepEqual(parseGiftChannelMessage({ type: 'notice', text: 'hi' }), { type: 'notice', text: 'hi' });
    assert.deepEqual(parseGiftChannelMessage({ type: 'state', live: true, title: 'T' }), {
      type: 'state',
      live: true,
      title: 'T',
    });
    assert.equal(parseGiftChannelMessage({ type: 'gift' }), undefined);
    assert.equal(parseGiftChannelMessage('gift'), undefined);
  });
});

describe('senderOf', () => {
  it('names the sender from the connection info, else by user id', () => {
    assert.deepEqual(senderOf({ user: '7', connInfo: { name: 'Alice' } }), { id: '7', name: 'Alice' });
    assert.deepEqual(senderOf({ user: '7' }), { id: '7', name: '7' });
    assert.equal(senderOf({ user: '' }), undefined);
    assert.equal(senderOf(undefined), undefined);
  });
});
