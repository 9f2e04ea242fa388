// The one typed configuration schema: defaults, validation, env names, flags and one-line docs
// live here and nowhere else. `check-config`, `print-default-config`, the env/flag loader and
// the docs table are all derived from it.

import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** Schema options roomcast adds: `env` names the environment variable of a leaf. */
interface Leaf {
  description: string;
  env?: string;
}

const int = (def: number, o: Leaf & { minimum?: number; maximum?: number }) =>
  Type.Integer({ default: def, minimum: 0, ...o });
const bool = (def: boolean, o: Leaf) => Type.Boolean({ default: def, ...o });
const str = (def: string, o: Leaf) => Type.String({ default: def, ...o });

export const Access = Type.Union(
  [Type.Literal('nobody'), Type.Literal('anyone'), Type.Literal('authenticated'), Type.Literal('owner')],
  {
    description:
      'nobody | anyone (anonymous too) | authenticated (non-empty user) | owner (channel name after the namespace equals the user id)',
  },
);
export type Access = Static<typeof Access>;

export const Priority = Type.Union(
  [
    Type.Literal('system'),
    Type.Literal('gift'),
    Type.Literal('high'),
    Type.Literal('normal'),
    Type.Literal('low'),
  ],
  { description: 'delivery class: system > gift > high > normal > low' },
);
export type Priority = Static<typeof Priority>;

const share = (def: number, what: string) =>
  Type.Number({
    default: def,
    minimum: 0,
    maximum: 1,
    description: `share of the per-second cap for ${what}`,
  });

/**
 * The live-room engine of a namespace (SPEC F2): per-room batch window at each gateway,
 * priority classes, per-viewer caps with per-class quotas and carry-over, conflation,
 * upstream admission. Seeds 002/003/004 give the defaults (200 msgs/s per room, 1 s
 * aggregation, at most 20 messages per viewer per second).
 */
export const RoomOptions = Type.Object(
  {
    enabled: bool(false, {
      description: 'run channels of this namespace through the room engine (lossy by design)',
    }),
    windowMs: int(1000, {
      description:
        'longest batch window of a big room; frames per viewer per second stay ≤ 1000/windowMs plus priority flushes',
    }),
    smallRoomViewers: int(10, {
      description: 'rooms with at most this many viewers on a node flush at once',
    }),
    largeRoomViewers: int(1000, {
      minimum: 1,
      description: 'rooms with at least this many viewers on a node use the full window (linear in between)',
    }),
    maxPerSecond: int(20, {
      minimum: 1,
      description: 'messages per viewer per second per room (system, gift and high are never dropped)',
    }),
    quotas: Type.Object(
      {
        system: share(0.1, 'system notices'),
        gift: share(0.15, 'gifts'),
        high: share(0.15, 'streamer/admin/paid messages'),
        normal: share(0.45, 'chat'),
        low: share(0.15, 'likes and entry notices'),
      },
      {
        default: {},
        additionalProperties: false,
        description: 'per-class shares of maxPerSecond; unused quota carries over to the next class',
      },
    ),
    staleSeconds: int(10, { description: 'chat older than this at flush time is dropped (stale)' }),
    queueLimit: int(5000, {
      minimum: 1,
      description: 'messages kept per class between flushes; older ones are dropped (overflow)',
    }),
    publishRate: int(200, {
      description:
        'client publishes accepted per room per second on a node (0 = unlimited); beyond: error 424',
    }),
    userRate: Type.Number({
      default: 1,
      minimum: 0,
      description: 'client publishes per user per room per second (0 = unlimited); beyond: error 111',
    }),
    userBurst: int(3, { minimum: 1, description: 'burst allowance of userRate' }),
    likeRate: Type.Number({
      default: 5,
      minimum: 0,
      description: 'like messages per user per room per second, burst 2x (0 = unlimited); beyond: error 111',
    }),
    maxMessageBytes: int(1024, { minimum: 16, description: 'largest client publication; larger: error 423' }),
    maxTextLength: int(200, {
      minimum: 1,
      description: 'longest chat text in characters; longer: error 423',
    }),
    conflate: bool(true, {
      description:
        'merge likes and entry notices into counts and identical texts into one message with a count',
    }),
    entryNotices: bool(true, {
      description: 'announce signed-in viewers entering the room (conflated into counts)',
    }),
    onlineIntervalSeconds: int(5, {
      description: 'push {"type":"online"} counts to the room this often when they changed (0 = never)',
    }),
  },
  { default: {}, additionalProperties: false },
);
export type RoomOptions = Static<typeof RoomOptions>;

/** Options of a channel namespace (`<name>:<rest>`); top-level channels use `channels`. */
export const NamespaceOptions = Type.Object(
  {
    historySize: int(0, {
      description: 'publications kept per channel; > 0 makes channels positioned streams',
    }),
    historyTtlSeconds: int(0, {
      description: 'how long a publication stays in history (0 = until trimmed by size)',
    }),
    historyMetaTtlSeconds: int(30 * 24 * 3600, {
      description: 'how long a stream position/epoch is kept after the last publish',
    }),
    recovery: bool(false, { description: 'clients may recover missed publications on resubscribe' }),
    presence: bool(false, {
      description: 'keep a presence list (who is subscribed) and allow presence calls',
    }),
    presenceMaxClients: int(1000, {
      description: 'presence lists are only kept while a channel has at most this many subscribers per node',
    }),
    joinLeave: bool(false, { description: 'emit join/leave events to subscribers that ask for them' }),
    forcePushJoinLeave: bool(false, { description: 'push join/leave to every subscriber' }),
    subscribe: Type.Union(Access.anyOf, {
      default: 'authenticated',
      description: 'who may subscribe without a subscription token',
    }),
    publish: Type.Union(Access.anyOf, {
      default: 'nobody',
      description: 'who may publish from a client (the HTTP API always may)',
    }),
    publishRequiresSubscription: bool(false, { description: 'a client must be subscribed to publish' }),
    history: Type.Union(Access.anyOf, {
      default: 'anyone',
      description: 'who may call history besides subscribers (subject to subscribe rules)',
    }),
    clientPriority: Type.Union(Priority.anyOf, {
      default: 'normal',
      description: 'class of client publications (the HTTP API sets its own with `priority`)',
    }),
    roomScoped: bool(false, {
      description:
        'channels of this namespace belong to the room named after the colon: room bans, kicks and closes apply to them',
    }),
    room: RoomOptions,
  },
  { additionalProperties: false },
);
export type NamespaceOptions = Static<typeof NamespaceOptions>;

export const Namespace = Type.Composite(
  [
    Type.Object({
      name: Type.String({
        pattern: '^[A-Za-z0-9_.-]{1,64}$',
        description: 'namespace name: channels are <name>:<rest>',
      }),
    }),
    NamespaceOptions,
  ],
  {
    additionalProperties: false,
  },
);
export type Namespace = Static<typeof Namespace>;

/**
 * The namespaces of SPEC.md: `live:` lossy room chat (the room engine batches it), `gift:`
 * reliable room events with history and recovery, `user:` a user's private recoverable inbox.
 */
export const DEFAULT_NAMESPACES = [
  {
    name: 'live',
    subscribe: 'anyone',
    publish: 'authenticated',
    presence: true,
    clientPriority: 'normal',
    roomScoped: true,
    room: { enabled: true },
  },
  {
    name: 'gift',
    subscribe: 'anyone',
    publish: 'nobody',
    historySize: 1000,
    historyTtlSeconds: 600,
    recovery: true,
    clientPriority: 'gift',
    roomScoped: true,
  },
  {
    name: 'user',
    subscribe: 'owner',
    publish: 'nobody',
    historySize: 200,
    historyTtlSeconds: 86400,
    recovery: true,
    clientPriority: 'high',
  },
];

/** Where a port's data lives: `auto` = Redis when redis.url/clusterNodes is set, else memory. */
const Backend = (what: string, env: string) =>
  Type.Union([Type.Literal('auto'), Type.Literal('memory'), Type.Literal('redis')], {
    default: 'auto',
    description: `backend of ${what}: auto (redis when redis.url is set), memory or redis`,
    env,
  });

export const ConfigSchema = Type.Object(
  {
    node: Type.Object(
      {
        name: str('', {
          description: 'node name shown in info/metrics (default: hostname:port)',
          env: 'ROOMCAST_NODE_NAME',
        }),
        publicUrl: str('', {
          description:
            'base URL clients use to reach this node, e.g. ws://10.0.0.5:8000 (default: from the listen address)',
          env: 'ROOMCAST_PUBLIC_URL',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    http: Type.Object(
      {
        port: int(8000, {
          maximum: 65535,
          description: 'TCP port for WebSocket, HTTP API and pages',
          env: 'ROOMCAST_PORT',
        }),
        host: str('0.0.0.0', { description: 'address to listen on', env: 'ROOMCAST_HOST' }),
        headersTimeoutSeconds: int(10, {
          minimum: 1,
          description: 'slowloris guard: time to receive request headers',
        }),
        maxHeaderBytes: int(16384, { minimum: 1024, description: 'largest accepted request head (bytes)' }),
      },
      { default: {}, additionalProperties: false },
    ),
    api: Type.Object(
      {
        key: str('', {
          description: 'server HTTP API key (X-API-Key); empty = API refuses every call',
          env: 'ROOMCAST_API_KEY',
        }),
        insecure: bool(false, {
          description: 'accept API calls without a key (development only)',
          env: 'ROOMCAST_API_INSECURE',
        }),
        maxBodyBytes: int(1048576, { minimum: 1024, description: 'largest accepted API request body' }),
      },
      { default: {}, additionalProperties: false },
    ),
    token: Type.Object(
      {
        hmacSecret: str('', {
          description: 'HMAC secret for HS256/384/512 connection and subscription tokens',
          env: 'ROOMCAST_TOKEN_HMAC_SECRET',
        }),
        rsaPublicKey: str('', {
          description: 'PEM public key for RS256/384/512 and PS256/384/512 tokens',
          env: 'ROOMCAST_TOKEN_RSA_PUBLIC_KEY',
        }),
        ecdsaPublicKey: str('', {
          description: 'PEM public key for ES256/384/512 tokens',
          env: 'ROOMCAST_TOKEN_ECDSA_PUBLIC_KEY',
        }),
        ed25519PublicKey: str('', {
          description: 'PEM public key for EdDSA (Ed25519) tokens',
          env: 'ROOMCAST_TOKEN_ED25519_PUBLIC_KEY',
        }),
        jwksUrl: str('', {
          description: 'JWKS endpoint; keys are chosen by kid and pinned to their declared alg',
          env: 'ROOMCAST_TOKEN_JWKS_URL',
        }),
        audience: str('', {
          description: 'required aud claim (empty = not checked)',
          env: 'ROOMCAST_TOKEN_AUDIENCE',
        }),
        issuer: str('', {
          description: 'required iss claim (empty = not checked)',
          env: 'ROOMCAST_TOKEN_ISSUER',
        }),
        requireExp: bool(false, { description: 'reject tokens without exp' }),
        maxTokenBytes: int(8192, { minimum: 256, description: 'longest accepted token' }),
      },
      { default: {}, additionalProperties: false },
    ),
    client: Type.Object(
      {
        allowAnonymous: bool(false, {
          description: 'connect without a token as anonymous user ""',
          env: 'ROOMCAST_ALLOW_ANONYMOUS',
        }),
        pingIntervalSeconds: int(25, {
          minimum: 1,
          description: 'server ping interval; clients reconnect after ping + 10 s of silence',
        }),
        pongTimeoutSeconds: int(10, {
          description: 'close 3012 when a ping is not answered in time (0 = do not require pongs)',
        }),
        connectTimeoutSeconds: int(10, {
          minimum: 1,
          description: 'close 3502 when no connect command arrives in time',
        }),
        expiredCloseDelaySeconds: int(25, {
          description: 'grace after token expiry before closing 3005 unless refreshed',
        }),
        channelLimit: int(128, {
          minimum: 1,
          description: 'client-side subscriptions per connection (error 106 beyond)',
        }),
        channelMaxLength: int(255, { minimum: 1, description: 'longest channel name (error 107 beyond)' }),
        maxPayloadBytes: int(16384, {
          minimum: 256,
          description: 'largest inbound WebSocket message; larger closes 1009',
        }),
        maxFragments: int(16, {
          minimum: 1,
          description: 'most fragments of one inbound message; more closes 1008',
        }),
        allowedOrigins: Type.Array(Type.String(), {
          default: [],
          description:
            'Origin allowlist (exact or *.domain or *); empty = same host only. Clients without Origin are always allowed',
          env: 'ROOMCAST_ALLOWED_ORIGINS',
        }),
        maxConnectionsPerIp: int(10000, {
          description: 'concurrent connections per client IP (0 = unlimited)',
          env: 'ROOMCAST_MAX_CONNECTIONS_PER_IP',
        }),
        maxConnections: int(0, {
          description: 'concurrent connections per process (0 = derived from the open-files limit)',
          env: 'ROOMCAST_MAX_CONNECTIONS',
        }),
        queueSoftLimitBytes: int(262144, {
          description: 'outbound bytes above which lossy batches are skipped for a connection',
        }),
        maxSkippedFrames: int(10, {
          minimum: 1,
          description: 'consecutive lossy frames skipped for a connection before it is closed 3008 (slow)',
        }),
        queueHardLimitBytes: int(1048576, {
          description: 'outbound bytes above which a connection is closed 3008 (slow)',
        }),
        compressionThresholdBytes: int(256, {
          description:
            'frames at least this large are sent deflated to clients that negotiated permessage-deflate (0 = never)',
        }),
        historyMaxLimit: int(300, { minimum: 1, description: 'most publications one history call returns' }),
        recoveryMaxLimit: int(300, {
          minimum: 1,
          description: 'most publications one recovery returns; more means recovered:false',
        }),
        commandRateLimit: int(100, {
          description: 'commands per second per connection before closing 3013 (0 = unlimited)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    channels: Type.Composite([NamespaceOptions], {
      default: {},
      additionalProperties: false,
      description: 'options of channels without a namespace',
    }),
    namespaces: Type.Array(Namespace, {
      default: DEFAULT_NAMESPACES,
      description: 'channel namespaces (the default ships live:, gift: and user:)',
    }),
    rpc: Type.Object(
      {
        proxyUrl: str('', {
          description: 'HTTP endpoint answering client rpc calls (empty = rpc replies 108)',
          env: 'ROOMCAST_RPC_PROXY_URL',
        }),
        timeoutMs: int(3000, { minimum: 1, description: 'rpc proxy request timeout' }),
      },
      { default: {}, additionalProperties: false },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info', description: 'log level', env: 'ROOMCAST_LOG_LEVEL' },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    redis: Type.Object(
      {
        url: str('', {
          description:
            'redis://host:port of a standalone Redis; setting it alone switches bus, history and presence to Redis',
          env: 'ROOMCAST_REDIS_URL',
        }),
        clusterNodes: Type.Array(Type.String(), {
          default: [],
          description: 'Redis Cluster root nodes (redis://host:port); used instead of url when set',
          env: 'ROOMCAST_REDIS_CLUSTER_NODES',
        }),
        prefix: str('roomcast:', {
          description: 'prefix of every Redis key and channel (one prefix = one roomcast cluster)',
          env: 'ROOMCAST_REDIS_PREFIX',
        }),
        pubsub: Type.Union([Type.Literal('auto'), Type.Literal('sharded'), Type.Literal('plain')], {
          default: 'auto',
          description: 'sharded (SSUBSCRIBE/SPUBLISH, Redis 7+), plain (SUBSCRIBE/PUBLISH) or auto',
        }),
        unsubscribeLingerMs: int(2000, {
          description:
            "keep a room's bus subscription this long after its last local viewer left (a viewer who comes back causes no unsubscribe/subscribe churn)",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    bus: Backend('the cross-node bus', 'ROOMCAST_BUS'),
    history: Backend('history (streams of gift:/user: channels)', 'ROOMCAST_HISTORY'),
    presence: Backend('presence, online counts and the node registry', 'ROOMCAST_PRESENCE'),
    workers: int(1, {
      minimum: 1,
      description:
        'processes serving the port (Node cluster); more than 1 needs Redis so the workers share rooms',
      env: 'ROOMCAST_WORKERS',
    }),
    web: Type.Object(
      {
        root: str('', {
          description:
            'directory served at / (the live-room page); empty = the bundled apps/web build when present',
          env: 'ROOMCAST_WEB_ROOT',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    demo: Type.Object(
      {
        enabled: bool(false, {
          description:
            'demo endpoints under /demo (token issuing with the HMAC secret, gifts, crowd bots); never in production',
          env: 'ROOMCAST_DEMO',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    shutdown: Type.Object(
      {
        timeoutSeconds: int(10, {
          description: 'graceful shutdown: time to close clients and flush before exit',
        }),
        drainSeconds: int(0, {
          description:
            'SIGTERM and `roomcast drain`: move clients off over this many seconds (0 = all at once) with a reconnect code',
          env: 'ROOMCAST_DRAIN_SECONDS',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type ConfigSchemaType = TSchema;
