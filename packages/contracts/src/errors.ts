/**
 * Errors carry their retryability. The worker maps each class to one queue
 * outcome in a single place (`decideOutcome` in @rdc/core).
 */
export interface ErrorContext {
  /** Run the failure belongs to, when known. */
  runId?: string;
  /** 1-based page number, when known. */
  page?: number;
  /** HTTP status of the failed call, when there was one. */
  status?: number;
  /** URL path of the failed call, with secrets redacted. */
  path?: string;
}

export abstract class ConnectorError extends Error {
  abstract readonly retryable: boolean;
  readonly context: ErrorContext;

  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

/** Worth retrying: 5xx, 429, timeouts, resets, a storage hiccup. */
export class TransientError extends ConnectorError {
  readonly retryable = true;
  /** Server-suggested wait before the next try (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, context, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

/** Retrying cannot fix it: a malformed message, a 4xx, a page that fails its schema. */
export class PermanentError extends ConnectorError {
  readonly retryable = false;
}

/** Bad configuration, env or CLI input. The CLIs exit with code 2. */
export class ConfigError extends PermanentError {}

export function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectorError) return error.retryable;
  // Unknown errors (a bug, a dropped socket we did not classify) are retried:
  // losing a page is worse than retrying it, and max delivery attempts bound it.
  return true;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
