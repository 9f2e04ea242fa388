// The OnlineStore port: exact online counts per room across the cluster and cumulative unique
// viewers. Each node reports its own per-room viewer counts; a node that stops reporting (crash)
// drops out after the TTL, so totals never keep a dead node's viewers.

export interface OnlineStore {
  /**
   * Replaces this node's counts (rooms missing from `counts` count 0 for this node). The report
   * expires after `ttlMs` unless renewed.
   */
  report(nodeId: string, counts: ReadonlyMap<string, number>, ttlMs: number): Promise<void>;
  /** Removes a node's report at once (graceful shutdown). */
  forget(nodeId: string): Promise<void>;
  /** Sum over live nodes; rooms nobody reported are 0. */
  totals(rooms: readonly string[]): Promise<Map<string, number>>;
  /** Adds viewer ids to the room's cumulative unique set (approximate in adapters using HLL). */
  addUnique(room: string, ids: readonly string[]): Promise<void>;
  unique(room: string): Promise<number>;
  /**
   * User online status by heartbeat: each node re-marks the users it holds every few seconds;
   * a mark lives `ttlMs`, so a user is online while some node keeps marking it (a crashed
   * node's users go offline after the TTL).
   */
  touchUsers(users: readonly string[], ttlMs: number): Promise<void>;
  /** Unix ms of each user's last mark, or undefined when offline (mark expired or never made). */
  userStatus(users: readonly string[]): Promise<Map<string, number | undefined>>;
  close?(): Promise<void>;
}
