// In-process Bus: the embedded default and the reference for adapters. Delivery is synchronous
// inside publish(), which gives the ordering rule for free.

import type { Bus, BusEndpoint, BusHandler, BusMessage, ControlMessage } from './bus.ts';

class MemoryEndpoint implements BusEndpoint {
  readonly channels = new Set<string>();
  closed = false;
  private readonly bus: MemoryBus;
  readonly handler: BusHandler;

  constructor(bus: MemoryBus, handler: BusHandler) {
    this.bus = bus;
    this.handler = handler;
  }

  async subscribe(channel: string): Promise<void> {
    if (this.closed) throw new Error('bus endpoint closed');
    this.channels.add(channel);
    this.bus.route(channel, this, true);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.channels.delete(channel);
    this.bus.route(channel, this, false);
  }

  async publish(channel: string, msg: BusMessage): Promise<void> {
    if (this.closed) throw new Error('bus endpoint closed');
    this.bus.deliver(channel, msg);
  }

  async publishControl(msg: ControlMessage): Promise<void> {
    if (this.closed) throw new Error('bus endpoint closed');
    this.bus.deliverControl(msg);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const ch of this.channels) this.bus.route(ch, this, false);
    this.channels.clear();
    this.bus.detach(this);
  }
}

export class MemoryBus implements Bus {
  private readonly endpoints = new Set<MemoryEndpoint>();
  private readonly routes = new Map<string, Set<MemoryEndpoint>>();

  async attach(handler: BusHandler): Promise<BusEndpoint> {
    const ep = new MemoryEndpoint(this, handler);
    this.endpoints.add(ep);
    return ep;
  }

  /** Number of endpoints subscribed to a channel (the "mcast route" size). */
  subscribers(channel: string): number {
    return this.routes.get(channel)?.size ?? 0;
  }

  route(channel: string, ep: MemoryEndpoint, on: boolean): void {
    let set = this.routes.get(channel);
    if (on) {
      if (!set) this.routes.set(channel, (set = new Set()));
      set.add(ep);
    } else if (set) {
      set.delete(ep);
      if (set.size === 0) this.routes.delete(channel);
    }
  }

  deliver(channel: string, msg: BusMessage): void {
    const set = this.routes.get(channel);
    if (!set) return;
    for (const ep of set) ep.handler.onMessage(channel, msg);
  }

  deliverControl(msg: ControlMessage): void {
    for (const ep of this.endpoints) ep.handler.onControl(msg);
  }

  detach(ep: MemoryEndpoint): void {
    this.endpoints.delete(ep);
  }
}
