// The systems a run compares, as data. To change how a system runs, edit its entry here (and,
// for roomcast, the config pieces in roomcast-config.ts).

import type { SystemName } from '../cli/options.ts';
import type { WireProtocol } from '../generator/ipc.ts';

export type ServerKind =
  | { type: 'roomcast'; batching: boolean }
  | { type: 'baseline'; baseline: 'naive' | 'preframed' | 'socketio' };

export interface SystemDef {
  readonly name: SystemName;
  readonly protocol: WireProtocol;
  readonly server: ServerKind;
  /** Several server processes are possible (roomcast over a bus). */
  readonly multiProcess: boolean;
  readonly about: string;
}

export const SYSTEM_DEFS: Readonly<Record<SystemName, SystemDef>> = {
  roomcast: {
    name: 'roomcast',
    protocol: 'centrifuge',
    server: { type: 'roomcast', batching: true },
    multiProcess: true,
    about: 'roomcast with its default configuration (live-room engine as shipped)',
  },
  'roomcast-nobatch': {
    name: 'roomcast-nobatch',
    protocol: 'centrifuge',
    server: { type: 'roomcast', batching: false },
    multiProcess: true,
    about:
      'roomcast with live-room batching switched off (identical to "roomcast" while the server has no switch)',
  },
  'ws-naive': {
    name: 'ws-naive',
    protocol: 'centrifuge',
    server: { type: 'baseline', baseline: 'naive' },
    multiProcess: false,
    about: 'ws server, JSON encoded once per message, ws.send(text) per message per viewer',
  },
  'ws-preframed': {
    name: 'ws-preframed',
    protocol: 'centrifuge',
    server: { type: 'baseline', baseline: 'preframed' },
    multiProcess: false,
    about: 'bare loop: one WebSocket frame built per message, the same bytes written to every socket',
  },
  socketio: {
    name: 'socketio',
    protocol: 'socketio',
    server: { type: 'baseline', baseline: 'socketio' },
    multiProcess: false,
    about: 'Socket.IO 4 rooms, io.to(room).emit per message (WebSocket transport)',
  },
};
