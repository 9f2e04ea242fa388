// What a client session needs from its transport (WebSocket today; SSE/HTTP-streaming later).

/** What a transport reports to its session (the Client implements it). */
export interface TransportHandler {
  /** One inbound text message. */
  onText(text: string): void;
  /** One inbound binary message (not accepted in JSON mode). */
  onBinary(): void;
  /** A transport-level pong (WebSocket pong frame). */
  onPong(): void;
  /** The transport closed; called exactly once, with the close code seen. */
  onClosed(code: number): void;
}

export interface Transport {
  readonly kind: 'websocket';
  /** The client negotiated permessage-deflate (shared compressed frames may be sent). */
  readonly deflate: boolean;
  readonly remoteAddress: string;
  /** Bytes written but not yet handed to the kernel. */
  bufferedBytes(): number;
  /** Writes ready frame bytes (shared by many connections). */
  write(frame: Buffer): void;
  /** Frames and writes connection-specific text (one frame). */
  writeText(text: string): void;
  /** Closes with a code and a plain-text reason (≤ 123 bytes, never JSON). */
  close(code: number, reason: string): void;
}
