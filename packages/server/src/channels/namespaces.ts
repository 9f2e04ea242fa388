// Channel → namespace resolution and the access rules of SPEC.md (`user:<id>` for user <id>
// only, anonymous viewers where the namespace allows it).

import type { Config, NamespaceOptions, Access } from '../config/schema.ts';
import { PRIORITY, type PriorityLevel } from '../bus/bus.ts';

export interface ChannelPolicy extends NamespaceOptions {
  /** Namespace name; "" for top-level channels. */
  readonly name: string;
  /** True when channels of this namespace keep history (positioned streams). */
  readonly hasHistory: boolean;
  readonly clientPriorityLevel: PriorityLevel;
}

export interface ParsedChannel {
  policy: ChannelPolicy;
  /** The channel name after `namespace:` (the room or user id). */
  rest: string;
}

function toPolicy(name: string, o: NamespaceOptions): ChannelPolicy {
  return {
    ...o,
    name,
    hasHistory: o.historySize > 0,
    clientPriorityLevel: PRIORITY[o.clientPriority],
  };
}

export class Namespaces {
  private readonly byName = new Map<string, ChannelPolicy>();
  readonly top: ChannelPolicy;

  constructor(config: Pick<Config, 'channels' | 'namespaces'>) {
    this.top = toPolicy('', config.channels);
    for (const ns of config.namespaces) {
      const { name, ...opts } = ns;
      this.byName.set(name, toPolicy(name, opts));
    }
  }

  /** Resolves a channel; undefined when it names a namespace that does not exist. */
  resolve(channel: string): ParsedChannel | undefined {
    const i = channel.indexOf(':');
    if (i === -1) return { policy: this.top, rest: channel };
    const policy = this.byName.get(channel.slice(0, i));
    return policy ? { policy, rest: channel.slice(i + 1) } : undefined;
  }

  list(): ChannelPolicy[] {
    return [this.top, ...this.byName.values()];
  }
}

/** Whether `user` passes an access rule on a channel whose namespace-local name is `rest`. */
export function allows(rule: Access, user: string, rest: string): boolean {
  switch (rule) {
    case 'nobody':
      return false;
    case 'anyone':
      return true;
    case 'authenticated':
      return user !== '';
    case 'owner':
      return user !== '' && rest === user;
  }
}
