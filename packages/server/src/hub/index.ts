export { Hub, type ChannelSink, type HubOptions } from './hub.ts';
export { LocalChannel } from './local-channel.ts';
export { Subscription, type SubscriberConn } from './subscription.ts';
