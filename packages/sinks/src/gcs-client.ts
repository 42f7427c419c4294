import type { ApiError, Storage, StorageOptions } from '@google-cloud/storage';

type RetryOptions = NonNullable<StorageOptions['retryOptions']>;
import { ConfigError } from '@rdc/contracts';
import { GCS_DEFAULTS } from './defaults.js';
import { storageSdk } from './gcs-sdk.js';

/** How one sink call spends its deadline: per-attempt timeout plus the client's retry options. */
export interface GcsRetryPlan {
  /** Timeout of one HTTP request, in ms (the Storage `timeout` option). */
  attemptTimeoutMs: number;
  /** The Storage `retryOptions`. `totalTimeout` and `maxRetryDelay` are in seconds, as the library expects. */
  retryOptions: Required<Omit<RetryOptions, 'retryableErrorFn'>>;
}

/**
 * Splits `deadlineMs` so a call that keeps failing ends before it, with the real error.
 *
 * - The client stops retrying once `totalTimeout` has passed, but only checks between
 *   attempts, so the worst case is totalTimeout + one backoff (<= maxRetryDelay) + one
 *   attempt (<= attemptTimeoutMs), which is kept under the deadline.
 * - Reads go through retry-request 7, which never calls back when `totalTimeout` runs
 *   out between retries (it just stops). So `maxRetries` is set low enough that, with
 *   fast failures, the retry count runs out first and the caller sees the last error;
 *   only slow failures reach the sink's own deadline.
 * - Backoff starts at 1 s and doubles (`retryDelayMultiplier`), capped at maxRetryDelay.
 */
export function gcsRetryPlan(deadlineMs: number): GcsRetryPlan {
  const attemptTimeoutMs = Math.floor(deadlineMs / 4);
  const maxRetryDelay = Math.min(64, Math.max(1, Math.floor(deadlineMs / 10_000)));
  const totalTimeout = Math.max(1, Math.floor((deadlineMs - attemptTimeoutMs - maxRetryDelay * 1000) / 1000));
  const maxRetries = Math.min(10, Math.max(1, Math.floor(totalTimeout / maxRetryDelay) - 1));
  return {
    attemptTimeoutMs,
    retryOptions: {
      autoRetry: true,
      maxRetries,
      retryDelayMultiplier: 2,
      totalTimeout,
      maxRetryDelay,
      // Uploads carry ifGenerationMatch, so they are conditionally idempotent and retried.
      idempotencyStrategy: storageSdk().IdempotencyStrategy.RetryConditional,
    },
  };
}

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/**
 * The library's own test (408, 429, 5xx, resets) plus request timeouts and refused
 * connections, which it does not retry: node-fetch reports a timeout as
 * `type: 'request-timeout'` with no status and no code.
 */
export function isRetryableStorageError(error: ApiError): boolean {
  if (storageSdk().RETRYABLE_ERR_FN_DEFAULT(error)) return true;
  const { type, code } = error as { type?: unknown; code?: unknown };
  return type === 'request-timeout' || (typeof code === 'string' && CONNECTION_CODES.has(code.toUpperCase()));
}

/**
 * The endpoint override, if any: the explicit option, else STORAGE_EMULATOR_HOST.
 * Normalized to scheme://host[:port][/path] without a trailing `/storage/v1`.
 * A bare host:port gets `http://` when it comes from STORAGE_EMULATOR_HOST (emulators
 * speak plain HTTP, as the Go and Python clients assume) and `https://` otherwise.
 */
export function gcsApiEndpoint(apiEndpoint: string | undefined, emulatorHost: string | undefined): string | undefined {
  const explicit = apiEndpoint !== undefined && apiEndpoint.trim() !== '';
  const raw = (explicit ? apiEndpoint : emulatorHost)?.trim();
  if (!raw) return undefined;
  const source = explicit ? '`apiEndpoint`' : 'STORAGE_EMULATOR_HOST';
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `${explicit ? 'https' : 'http'}://${raw}`;
  const url = URL.canParse(withScheme) ? new URL(withScheme) : undefined;
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`${source} must be an http(s) URL such as http://localhost:4443, got \`${raw}\`.`);
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
  return `${url.origin}${path}`; // drops any user:password@
}

export interface StorageSettings {
  deadlineMs: number;
  projectId: string | undefined;
  apiEndpoint: string | undefined;
  useAuthWithCustomEndpoint: boolean | undefined;
}

/**
 * A Storage client that retries within the deadline and, when an endpoint override
 * is in use, talks to it without credentials.
 *
 * The library reads STORAGE_EMULATOR_HOST itself, but then sends JSON API calls to
 * `<host>/b/...` (baseUrl is the bare variable, googleapis/nodejs-storage#1314) while
 * uploads go to `<host>/upload/storage/v1/...`. Real GCS, the storage testbench and
 * fake-gcs-server all serve `/storage/v1/b/...`, so baseUrl is set to that here.
 */
export function createStorage(settings: StorageSettings): Storage {
  const endpoint = gcsApiEndpoint(settings.apiEndpoint, process.env.STORAGE_EMULATOR_HOST);
  const plan = gcsRetryPlan(settings.deadlineMs);
  const storage = new (storageSdk().Storage)({
    retryOptions: { ...plan.retryOptions, retryableErrorFn: isRetryableStorageError },
    timeout: plan.attemptTimeoutMs,
    ...(endpoint
      ? {
          apiEndpoint: endpoint,
          projectId: settings.projectId ?? GCS_DEFAULTS.emulatorProjectId,
          useAuthWithCustomEndpoint: settings.useAuthWithCustomEndpoint ?? false,
        }
      : settings.projectId
        ? { projectId: settings.projectId }
        : {}),
  });
  if (endpoint) storage.baseUrl = `${endpoint}/storage/v1`;
  return storage;
}
