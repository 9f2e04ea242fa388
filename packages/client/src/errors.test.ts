import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RoomError, toRoomError } from './errors.ts';

describe('toRoomError', () => {
  it('maps reply codes and SDK codes to kinds', () => {
    const kind = (code: number, anonymous = false): string =>
      toRoomError({ code, message: 'm' }, { anonymous }).kind;
    assert.equal(kind(111), 'rate_limited');
    assert.equal(kind(424), 'room_busy');
    assert.equal(kind(420), 'muted');
    assert.equal(kind(421), 'banned');
    assert.equal(kind(423), 'too_large');
    assert.equal(kind(103, true), 'sign_in_required');
    assert.equal(kind(103, false), 'forbidden');
    assert.equal(kind(1), 'timeout');
    assert.equal(kind(3), 'offline');
    assert.equal(kind(100), 'unknown');
    const e = toRoomError({ code: 111, message: 'too many requests' }, { anonymous: false });
    assert.ok(e instanceof RoomError && e.temporary && e.code === 111);
    assert.equal(toRoomError(new Error('boom'), { anonymous: false }).kind, 'unknown');
  });
});
