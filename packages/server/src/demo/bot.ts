// One crowd bot: a real WebSocket client of this node speaking the Centrifugo JSON protocol, so
// it counts as an online viewer, goes through the same publish rules (rate limits, mutes) as a
// person, and its messages reach the room engine like anyone else's. It never reconnects: a
// crowd is bounded in time, and a bot the server closed is simply gone.

import WebSocket from 'ws';

export interface BotOptions {
  url: string;
  token: string;
  channel: string;
  onClose: (bot: DemoBot) => void;
}

export class DemoBot {
  private readonly ws: WebSocket;
  private nextId = 1;
  private readonly channel: string;
  connected = false;
  /** Publishes answered with an error (rate limited, muted...), by code. */
  readonly rejected = new Map<number, number>();

  constructor(opts: BotOptions) {
    this.channel = opts.channel;
    this.ws = new WebSocket(opts.url, { perMessageDeflate: false });
    this.ws.on('open', () => {
      // Commands may follow the connect without waiting for its reply (they run in order).
      this.ws.send(
        `${JSON.stringify({ id: this.nextId++, connect: { token: opts.token, name: 'roomcast-demo-bot' } })}\n` +
          JSON.stringify({ id: this.nextId++, subscribe: { channel: opts.channel } }),
      );
    });
    this.ws.on('message', (raw: Buffer) => this.onFrame(raw.toString('utf8')));
    this.ws.on('error', () => this.ws.terminate());
    this.ws.on('close', () => {
      this.connected = false;
      opts.onClose(this);
    });
  }

  private onFrame(frame: string): void {
    for (const line of frame.split('\n')) {
      if (line === '{}') {
        this.ws.send('{}'); // pong to the server's ping
        continue;
      }
      // Only replies matter to a bot; pushes (the room's traffic) are not decoded.
      if (!line.startsWith('{"id"')) continue;
      const reply = JSON.parse(line) as { id: number; error?: { code: number }; connect?: unknown };
      if (reply.id === 1 && reply.connect !== undefined) this.connected = true;
      if (reply.error) this.rejected.set(reply.error.code, (this.rejected.get(reply.error.code) ?? 0) + 1);
    }
  }

  /** Publishes `data` on the bot's room channel (dropped while not connected). */
  publish(data: unknown): void {
    if (!this.connected || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ id: this.nextId++, publish: { channel: this.channel, data } }));
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else this.ws.close(1000, 'crowd over');
  }
}
