// The systems a run compares, as data. To change how a system runs, edit its entry here (and,
// for roomcast, the config pieces in roomcast-config.ts).

import type { SystemName } from '../cli/options.ts';
import type { WireProtocol } from '../generator/ipc.ts';

export type ServerKind =
  | { type: 'roomcast'; batching: boolean }
  | { type: 'baseline'; baseline: 'naive' | 'preframed' | 'batched' | 'socketio' };

export interface SystemDef {
  readonly name: SystemName;
  readonly protocol: WireProtocol;
  readonly server: ServerKind;
  /** Several server processes are possible (roomcast over a bus). */
  readonly multiProcess: boolean;
  /**
   * Processes and bus: 'option' follows --servers/--workers (Redis only when either is > 1);
   * a number is a fixed fleet of that many processes, always on the Redis bus.
   */
  readonly fleet: 'option' | number;
  readonly about: string;
}

export const SYSTEM_DEFS: Readonly<Record<SystemName, SystemDef>> = {
  roomcast: {
    name: 'roomcast',
    protocol: 'centrifuge',
    server: { type: 'roomcast', batching: true },
    multiProcess: true,
    fleet: 'option',
    about: 'roomcast with its default configuration (live-room engine as shipped)',
  },
  'roomcast-nobatch': {
    name: 'roomcast-nobatch',
    protocol: 'centrifuge',
    server: { type: 'roomcast', batching: false },
    multiProcess: true,
    fleet: 'option',
    about:
      'roomcast with live-room batching switched off (identical to "roomcast" while the server has no switch)',
  },
  'ws-naive': {
    name: 'ws-naive',
    protocol: 'centrifuge',
    server: { type: 'baseline', baseline: 'naive' },
    multiProcess: false,
    fleet: 1,
    about: 'ws server, JSON encoded once per message, ws.send(text) per message per viewer',
  },
  'ws-preframed': {
    name: 'ws-preframed',
    protocol: 'centrifuge',
    server: { type: 'baseline', baseline: 'preframed' },
    multiProcess: false,
    fleet: 1,
    about: 'bare loop: one WebSocket frame built per message, the same bytes written to every socket',
  },
  socketio: {
    name: 'socketio',
    protocol: 'socketio',
    server: { type: 'baseline', baseline: 'socketio' },
    multiProcess: false,
    fleet: 1,
    about: 'Socket.IO 4 rooms, io.to(room).emit per message (WebSocket transport)',
  },
  'ws-batched': {
    name: 'ws-batched',
    protocol: 'centrifuge',
    server: { type: 'baseline', baseline: 'batched' },
    multiProcess: false,
    fleet: 1,
    about:
      "bare loop with roomcast's batching shape: a room's pushes wait up to 1 s, then one pre-built frame (pushes newline-separated) is written to every socket; no cap, no merging, no compression",
  },
  'roomcast-redis3': {
    name: 'roomcast-redis3',
    protocol: 'centrifuge',
    server: { type: 'roomcast', batching: true },
    multiProcess: true,
    fleet: 3,
    about:
      'three roomcast gateways (default configuration) on the Redis bus, one port each, viewers spread evenly',
  },
};

export interface FleetLayout {
  /** Server processes to start. */
  servers: number;
  /** roomcast `workers` setting of each process. */
  workers: number;
  /** Redis of the bus ('' = embedded, in-memory bus). */
  redisUrl: string;
}

/** How many processes a system runs with these options, and on which bus. */
export function fleetLayout(
  s: SystemDef,
  o: { servers: number; workers: number; redisUrl: string },
): FleetLayout {
  if (s.server.type !== 'roomcast') return { servers: 1, workers: 1, redisUrl: '' };
  if (s.fleet !== 'option') return { servers: s.fleet, workers: 1, redisUrl: o.redisUrl };
  const multi = o.servers > 1 || o.workers > 1;
  return { servers: o.servers, workers: o.workers, redisUrl: multi ? o.redisUrl : '' };
}
