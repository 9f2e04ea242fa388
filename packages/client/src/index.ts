// Public surface of @roomcast/client: a live-room helper over the `centrifuge` SDK.
export {
  RoomClient,
  websocketUrl,
  tokenUser,
  type ConnectionStatus,
  type StatusEvent,
  type PrivateMessage,
  type RoomClientEvents,
  type RoomClientOptions,
} from './room-client.ts';
export {
  Room,
  type ChatEvent,
  type GiftEvent,
  type GiftRequest,
  type GiftTransport,
  type RoomEvents,
} from './room.ts';
export { RoomError, toRoomError, type RoomErrorKind } from './errors.ts';
export { httpGiftTransport, type HttpGiftTransportOptions } from './gift-transport.ts';
export {
  parseLiveMessage,
  parseGiftChannelMessage,
  type LiveMessage,
  type GiftChannelMessage,
  type UserRef,
} from './messages.ts';
export { SeenIds, newMessageId } from './seen-ids.ts';
export { Emitter } from './emitter.ts';
