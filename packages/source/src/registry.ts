import { ConfigError, LIMIT_DEFAULTS, type Log, type ServiceCatalog } from '@rdc/contracts';
import { readSecrets } from './api-key.js';
import { baseUrlFor } from './base-url.js';
import { redactUrl } from './redact.js';
import { createHttpSource, type HttpSource, limiterForService } from './http-source.js';
import type { RetryOptions, TimeoutOptions } from './options.js';
import { sumStats, type SourceTotals } from './stats.js';

export interface SourceRegistryOptions {
  /** Where the base URL overrides and the credentials (`<VAR>`, `<VAR>_FILE`) are read. @default process.env */
  env?: NodeJS.ProcessEnv;
  /**
   * The one service this process serves (the planner, `npm start`): `API_BASE_URL`
   * applies to it. Without it, `API_BASE_URL` applies only when the catalog holds one service.
   */
  only?: string;
  log?: Log;
  /** Shortcut for `retry.budgetMs`: keep it under the queue's ack deadline. */
  budgetMs?: number;
  retry?: RetryOptions;
  timeouts?: TimeoutOptions;
  /**
   * A base URL the process chose itself (the bundled mock API of `npm start`), with what
   * to call it in the log: it wins over the environment and the config.
   * @example { service: 'retail', url: 'http://127.0.0.1:41234', from: 'the bundled mock API' }
   */
  chosenBaseUrl?: { service: string; url: string; from: string };
}

/** One HTTP source per service, built on first use and shared, with one rate limiter per API. */
export interface SourceRegistry {
  /** The source for `service`; ConfigError for an unknown service or a missing required key. */
  sourceFor(service: string): HttpSource;
  /** The longest time any API's rate limit holds requests back now (0 when none is paused). */
  pausedForMs(): number;
  /** Requests, retries and 429 waits of every source built so far, summed (the worker's activity lines). */
  totals(): SourceTotals;
  /** Closes every source's keep-alive sockets. */
  close(): void;
}

function positive(raw: string | undefined, name: string, integer: boolean): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ConfigError(`Expected ${name} to be a positive ${integer ? 'integer' : 'number'}, got \`${raw}\`.`);
  }
  return value;
}

/**
 * `RDC_REQUESTS_PER_SECOND` and `RDC_API_CONCURRENCY` override a service's
 * `limits` for this process: on Cloud Run, set them to the API's limit divided
 * by max-instances, so the whole fleet stays under it.
 */
export function limitsFromEnv(
  limits: { requestsPerSecond: number; concurrency: number },
  env: NodeJS.ProcessEnv,
): { requestsPerSecond: number; concurrency: number } {
  return {
    requestsPerSecond:
      positive(env.RDC_REQUESTS_PER_SECOND, 'RDC_REQUESTS_PER_SECOND', false) ?? limits.requestsPerSecond,
    concurrency: positive(env.RDC_API_CONCURRENCY, 'RDC_API_CONCURRENCY', true) ?? limits.concurrency,
  };
}

/** Where a limit's value came from, truthfully: the env variable that overrides it, or the config (and whether that is the default). */
function limitOrigin(
  key: 'concurrency' | 'requestsPerSecond',
  variable: string,
  value: number,
  env: NodeJS.ProcessEnv,
): string {
  if (env[variable]?.trim()) return `from ${variable}`;
  return `limits.${key}${value === LIMIT_DEFAULTS[key] ? ', the default' : ''}; ${variable} overrides it`;
}

/**
 * Builds sources from the service catalog and the environment: the base URL
 * from `baseUrlFor` (`<SERVICE>_API_BASE_URL`, `API_BASE_URL`, the config), the
 * credentials from `readSecrets`.
 */
export function createSourceRegistry(catalog: ServiceCatalog, options: SourceRegistryOptions = {}): SourceRegistry {
  const env = options.env ?? process.env;
  const sources = new Map<string, HttpSource>();
  const retry = { ...options.retry, ...(options.budgetMs !== undefined && { budgetMs: options.budgetMs }) };
  const names = [...catalog.services.keys()];
  const isSole = (name: string): boolean => (options.only !== undefined ? options.only === name : names.length === 1);
  // A process that may serve any service (the worker) learns of an ambiguous API_BASE_URL at start-up,
  // and of a secret that is set but cannot be used (`<VAR>_FILE` a device or a pipe, a line break inside).
  if (options.only === undefined)
    for (const s of catalog.services.values()) {
      baseUrlFor(s, env, isSole(s.service), names);
      readSecrets(s.auth.type === 'none' ? s.auth : { ...s.auth, required: false }, env);
    }
  return {
    sourceFor(name) {
      const existing = sources.get(name);
      if (existing) return existing;
      const service = catalog.services.get(name);
      if (!service) {
        throw new ConfigError(
          `Unknown service "${name}". Valid services: ${[...catalog.services.keys()].join(', ')} (from ${catalog.dir}).`,
        );
      }
      const secrets = readSecrets(service.auth, env);
      const limits = { ...service.limits, ...limitsFromEnv(service.limits, env) };
      const chosen = options.chosenBaseUrl?.service === name ? options.chosenBaseUrl : undefined;
      const baseUrl = chosen ?? baseUrlFor(service, env, isSole(name), names);
      options.log?.info(
        `Service "${name}" uses the API at ${redactUrl(baseUrl.url)} (from ${baseUrl.from}); at most ` +
          `${limits.concurrency} requests in flight (${limitOrigin('concurrency', 'RDC_API_CONCURRENCY', limits.concurrency, env)}) ` +
          `and ${limits.requestsPerSecond}/s (${limitOrigin('requestsPerSecond', 'RDC_REQUESTS_PER_SECOND', limits.requestsPerSecond, env)})`,
      );
      const source = createHttpSource({
        service,
        limiter: limiterForService({ ...service, limits }),
        retry,
        baseUrl: baseUrl.url,
        secrets,
        ...(options.timeouts && { timeouts: options.timeouts }),
        ...(options.log && { log: options.log }),
      });
      sources.set(name, source);
      return source;
    },
    pausedForMs: () => Math.max(0, ...[...sources.values()].map((source) => source.pausedForMs)),
    totals: () => sumStats([...sources.values()].map((source) => source.stats)),
    close() {
      for (const source of sources.values()) source.close();
      sources.clear();
    },
  };
}
