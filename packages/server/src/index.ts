// Public surface of @roomcast/server.
export { createServer, RoomcastServer, type ServerOptions, type ListenResult } from './server.ts';
export { RoomcastNode, type NodeOptions, type PublishOptions } from './node.ts';
export * from './config/index.ts';
export * from './bus/index.ts';
export * from './history/index.ts';
export * from './presence/index.ts';
export { createLogger, type Logger } from './logger.ts';
export { ApiError, PublishRejectedError } from './errors.ts';
export { WEBSOCKET_PATH } from './gateway/gateway.ts';
export * from './cluster/index.ts';
export { registerStatic } from './web/static.ts';
