// Hot-path counters as plain numbers on the node (no label hashing per delivery); the
// Prometheus registry reads them on scrape.

export class NodeStats {
  subscriptions = 0;
  /** Messages delivered to clients (messages × receiving connections). */
  deliveries = 0;
  /** Shared frames built (one per flushed batch per channel). */
  broadcasts = 0;
  framesOut = 0;
  bytesOut = 0;
  /** Shared frames written in their deflated form (permessage-deflate clients). */
  framesDeflated = 0;
  /** Lossy frames skipped for connections over the soft queue limit. */
  skippedFrames = 0;
  publicationsIn = { api: 0, client: 0, system: 0 };
}
