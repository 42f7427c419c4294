/** Signing certificates by key id, as Google publishes them. */
export type KeySet = Record<string, string>;

export interface KeySetCacheOptions {
  /** Fetches the key set (Google's, by default). */
  fetch: () => Promise<KeySet>;
  /** How long a fetched key set is used before it is fetched again. @default 3_600_000 (1 h) */
  ttlMs?: number;
  /** How long a key set stays usable while fetching a new one fails. @default 86_400_000 (24 h) */
  maxStaleMs?: number;
  /** Least time between two fetches forced by an unknown key id. @default 60_000 */
  minRefreshMs?: number;
  now?: () => number;
}

/** The key set could not be fetched and no recent copy is cached: the push must be redelivered (503). */
export class KeySetUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`the OIDC key set could not be fetched: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'KeySetUnavailableError';
  }
}

export interface KeySetCache {
  /** The cached key set, fetched when missing or older than `ttlMs`; a stale copy while a fetch fails. */
  get(): Promise<KeySet>;
  /** Fetches again (a token names a key id the cache lacks: keys rotated), at most once per `minRefreshMs`. */
  refresh(): Promise<KeySet | undefined>;
  /** Fetches made so far. */
  readonly fetches: number;
}

/**
 * Caches the push subscription's OIDC signing keys: one fetch per `ttlMs`,
 * shared by concurrent requests. When a fetch fails the last key set is used
 * up to `maxStaleMs`; without one, `get` throws KeySetUnavailableError.
 */
export function keySetCache(options: KeySetCacheOptions): KeySetCache {
  const ttlMs = options.ttlMs ?? 3_600_000;
  const maxStaleMs = options.maxStaleMs ?? 86_400_000;
  const minRefreshMs = options.minRefreshMs ?? 60_000;
  const now = options.now ?? Date.now;
  let cached: { keys: KeySet; at: number } | undefined;
  let inFlight: Promise<KeySet> | undefined;
  let lastFetch = -Infinity;
  let fetches = 0;

  const fetchNow = (): Promise<KeySet> => {
    inFlight ??= (async () => {
      lastFetch = now();
      fetches++;
      try {
        const keys = await options.fetch();
        cached = { keys, at: now() };
        return keys;
      } catch (error) {
        if (cached && now() - cached.at < maxStaleMs) return cached.keys;
        throw new KeySetUnavailableError(error);
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  return {
    get: () => (cached && now() - cached.at < ttlMs ? Promise.resolve(cached.keys) : fetchNow()),
    refresh: () => (now() - lastFetch < minRefreshMs ? Promise.resolve(undefined) : fetchNow()),
    get fetches() {
      return fetches;
    },
  };
}
