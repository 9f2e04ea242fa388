// The fixture every store contract suite uses: a fresh store per test from the adapter's
// factory, closed and cleaned up whatever the test did.

/** What a contract factory returns: the store under test and the adapter's own cleanup. */
export interface StoreFactoryResult<S> {
  store: S;
  cleanup?: () => Promise<void>;
}

/** Returns `withStore(fn)`: runs `fn` on a new store, then closes it and runs the cleanup. */
export function storeFixture<S extends { close?(): Promise<void> }>(
  factory: () => Promise<StoreFactoryResult<S>>,
): (fn: (s: S) => Promise<void>) => Promise<void> {
  return async (fn) => {
    const { store, cleanup } = await factory();
    try {
      await fn(store);
    } finally {
      await store.close?.();
      await cleanup?.();
    }
  };
}
