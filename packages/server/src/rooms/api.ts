// Room control through the HTTP API (docs/live-rooms.md). Changes travel as control messages
// so every node applies them; `room_stats` answers from this node plus the cluster-wide counts.

import { bool, int, str, type Params } from '../api/params.ts';
import type { ApiMethod } from '../api/methods.ts';
import type { RoomAction } from '../bus/bus.ts';
import { ApiError } from '../errors.ts';
import type { RoomcastNode } from '../node.ts';

const ROOM_ID = /^[^\s]{1,200}$/;

function room(p: Params): string {
  const r = str(p, 'room', true);
  if (!ROOM_ID.test(r)) throw new ApiError(107, 'bad request: room must be 1-200 characters without spaces');
  return r;
}

function duration(p: Params): number | undefined {
  const d = int(p, 'duration_seconds');
  if (d !== undefined && d < 0) throw new ApiError(107, 'bad request: duration_seconds must be >= 0');
  return d;
}

const control = (node: RoomcastNode, action: RoomAction): Promise<Record<string, never>> =>
  node.publishControl({ type: 'room', action }).then(() => ({}));

const SETTINGS: Record<string, string> = {
  window_ms: 'windowMs',
  max_per_second: 'maxPerSecond',
  publish_rate: 'publishRate',
  user_rate: 'userRate',
  user_burst: 'userBurst',
};

export const roomMethods: Record<string, ApiMethod> = {
  async room_settings(node, p) {
    const settings: Record<string, number> = {};
    for (const [wire, key] of Object.entries(SETTINGS)) {
      const v = p[wire];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
        throw new ApiError(107, `bad request: ${wire} must be a number >= 0`);
      if (key === 'maxPerSecond' || key === 'userBurst') {
        if (v < 1) throw new ApiError(107, `bad request: ${wire} must be >= 1`);
      }
      settings[key] = v;
    }
    if (Object.keys(settings).length === 0) {
      throw new ApiError(107, `bad request: give at least one of ${Object.keys(SETTINGS).join(', ')}`);
    }
    return control(node, { op: 'settings', room: room(p), settings });
  },
  async room_mute(node, p) {
    const d = duration(p);
    return control(node, {
      op: 'mute',
      room: room(p),
      user: str(p, 'user', true),
      ...(d !== undefined ? { durationSeconds: d } : {}),
    });
  },
  async room_unmute(node, p) {
    return control(node, { op: 'unmute', room: room(p), user: str(p, 'user', true) });
  },
  async room_kick(node, p) {
    const d = duration(p);
    return control(node, {
      op: 'kick',
      room: room(p),
      user: str(p, 'user', true),
      ban: bool(p, 'ban') === true,
      ...(d !== undefined ? { durationSeconds: d } : {}),
    });
  },
  async room_unban(node, p) {
    return control(node, { op: 'unban', room: room(p), user: str(p, 'user', true) });
  },
  async room_close(node, p) {
    return control(node, { op: 'close', room: room(p) });
  },
  async room_stats(node, p) {
    return node.rooms.stats(room(p));
  },
};
