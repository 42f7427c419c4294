import {
  ConfigError,
  ownValue,
  type CountResult,
  type CursorPage,
  type CursorResume,
  type EndpointConfig,
  type PageRequest,
  type PageResult,
  silentLog,
  type Source,
  type Window,
} from '@rdc/contracts';
import type { Secrets } from './api-key.js';
import { authRequest } from './auth.js';
import { hintForStatus } from './classify.js';
import { isCursorStyle, requestIdOf, walkCursorPages } from './cursor.js';
import { type HttpSourceOptions, resolveOptions } from './options.js';
import { RateLimiter } from './rate-limiter.js';
import { readRecords } from './records.js';
import { scrubError } from './redact.js';
import { checkRequest, countedPageUrl } from './request-url.js';
import { checkFirstResponse } from './first-response-check.js';
import { type ParseBody, type RequestEnv, systemClock } from './request.js';
import { getJson } from './retry.js';
import { createSourceStats, type SourceStats } from './stats.js';
import { pagesFor, readTotal } from './totals.js';
import { createAgent, createGotTransport, type Transport } from './transport.js';

export interface HttpSource extends Source {
  /** Live counters: requests, retries, responses by status, 429 waits. */
  readonly stats: SourceStats;
  /** Milliseconds the API's rate limit holds this client's requests back (0 when not paused). */
  readonly pausedForMs: number;
  /** The effective limits of this client: requests in flight and requests per second (shared limiter). */
  readonly limits: { concurrency: number; requestsPerSecond: number };
  /** Closes the keep-alive sockets of the agent this client created (not of one passed in). */
  close(): void;
}

/** A limiter sized from the service's `limits` (requestsPerSecond, concurrency). */
export function limiterForService(service: HttpSourceOptions['service']): RateLimiter {
  return new RateLimiter({
    requestsPerSecond: service.limits.requestsPerSecond,
    concurrency: service.limits.concurrency,
  });
}

/**
 * The REST API as a Source, on got: pagination from the service config alone,
 * explicit retries (see `getJson`), a shared rate limiter, secrets kept out of
 * errors and logs. `transport` is for tests that fake the network.
 */
export function createHttpSource(options: HttpSourceOptions, transport?: Transport): HttpSource {
  const { service } = options;
  const { baseUrl, timeouts, retry } = resolveOptions(options);
  const { auth } = service;
  const secrets: Secrets = { ...options.secrets, ...(options.apiKey !== undefined && { key: options.apiKey }) };
  const credentials = authRequest(service.service, auth, secrets);
  const limiter = options.limiter ?? limiterForService(service);
  const ownAgent = options.agent ? undefined : createAgent(baseUrl.protocol === 'https:', limiter.concurrency);
  const stats = createSourceStats();
  const withQueryKey = (send: Transport): Transport => {
    const query = credentials.query;
    if (!query) return send;
    // Added as the request leaves, so no URL that is logged or compared holds the key.
    return (url, timeoutMs) => {
      const authed = new URL(url.href);
      authed.searchParams.set(query.name, query.value);
      return send(authed, timeoutMs);
    };
  };
  /** Nothing leaves the client holding the key, in any encoding. */
  const guard = <T>(work: Promise<T>): Promise<T> =>
    work.catch((error: unknown) => {
      throw scrubError(error, credentials.secrets);
    });
  const log = (options.log ?? silentLog).child({ service: service.service });

  const envFor = (endpointName: string): RequestEnv => ({
    transport: withQueryKey(
      transport ??
        createGotTransport({
          headers: credentials.headers,
          connectMs: timeouts.connectMs,
          agent: options.agent ?? (ownAgent as NonNullable<typeof ownAgent>),
          secure: baseUrl.protocol === 'https:',
          maxResponseBytes: service.limits.maxResponseBytes,
        }),
    ),
    limiter,
    policy: retry,
    responseMs: timeouts.responseMs,
    maxRetryAfterMs: service.limits.maxRetryAfterSeconds * 1000,
    stats,
    log: log.child({ endpoint: endpointName }),
    clock: systemClock,
    secrets: credentials.secrets,
    hint: (status) => hintForStatus(status, auth, endpointName),
  });
  const envs = new Map<string, RequestEnv>();
  const env = (endpointName: string): RequestEnv => {
    let found = envs.get(endpointName);
    if (!found) envs.set(endpointName, (found = envFor(endpointName)));
    return found;
  };

  const endpointOf = (name: string): EndpointConfig => {
    const endpoint = ownValue(service.endpoints, name);
    if (!endpoint) {
      throw new ConfigError(
        `Unknown endpoint "${name}" for service "${service.service}". Valid endpoints: ${Object.keys(service.endpoints).join(', ')}.`,
      );
    }
    return endpoint;
  };

  const countedEndpoint = (name: string, operation: string): EndpointConfig => {
    const endpoint = endpointOf(name);
    if (isCursorStyle(endpoint.pagination)) {
      throw new ConfigError(
        `${operation} needs offset or page pagination, but endpoint "${name}" of service "${service.service}" uses ` +
          `${endpoint.pagination.style}; walk it with walkCursor instead.`,
      );
    }
    return endpoint;
  };

  const pageParser =
    (name: string, endpoint: EndpointConfig, withTotal: boolean): ParseBody<PageResult> =>
    (body, response) => {
      const records = readRecords(body, endpoint.response.records, `endpoints.${name}.response.records`, response.body);
      const location = endpoint.response.total;
      const total =
        withTotal && location
          ? readTotal(location, body, response.headers, `endpoints.${name}.response.total`)
          : undefined;
      return {
        records,
        total: total?.of === 'items' ? total.value : undefined,
        requestId: requestIdOf(response.headers),
      };
    };

  async function count(endpointName: string, window: Window, pageSize: number): Promise<CountResult> {
    const endpoint = countedEndpoint(endpointName, 'count');
    const location = endpoint.response.total;
    if (!location) {
      throw new ConfigError(
        `count needs endpoints.${endpointName}.response.total in the config of service "${service.service}" ` +
          `(a body path or a header such as X-Total-Count) to know how many pages the window holds.`,
      );
    }
    checkRequest(window, pageSize);
    const url = countedPageUrl(baseUrl, endpoint, window, 1, pageSize);
    const { value } = await getJson(
      env(endpointName),
      { url, what: `${service.service}/${endpointName} count`, page: 1 },
      (body, response) => {
        // The planner's first request: a response unlike the config is a config error (exit 2), never retried.
        checkFirstResponse(endpointName, endpoint, body, response.headers);
        return readTotal(location, body, response.headers, `endpoints.${endpointName}.response.total`);
      },
    );
    return { total: value.of === 'items' ? value.value : undefined, pages: pagesFor(value, pageSize) };
  }

  async function fetchPage(request: PageRequest): Promise<PageResult> {
    const endpoint = countedEndpoint(request.endpoint, 'fetchPage');
    checkRequest(request.window, request.pageSize, request.page);
    const url = countedPageUrl(baseUrl, endpoint, request.window, request.page, request.pageSize);
    const { value } = await getJson(
      env(request.endpoint),
      {
        url,
        what: `${service.service}/${request.endpoint} page ${request.page}`,
        page: request.page,
        ...(request.runId !== undefined && { runId: request.runId }),
      },
      pageParser(request.endpoint, endpoint, true),
    );
    return value;
  }

  async function* walkCursor(
    endpointName: string,
    window: Window,
    pageSize: number,
    resume?: CursorResume,
  ): AsyncGenerator<CursorPage> {
    const endpoint = endpointOf(endpointName);
    const pagination = endpoint.pagination;
    if (!isCursorStyle(pagination)) {
      throw new ConfigError(
        `walkCursor needs a cursor pagination style, but endpoint "${endpointName}" of service "${service.service}" uses ` +
          `${pagination.style}; use count and fetchPage instead.`,
      );
    }
    checkRequest(window, pageSize);
    const what = `${service.service}/${endpointName}`;
    yield* walkCursorPages(
      {
        baseUrl,
        endpointName,
        endpoint,
        pagination,
        what,
        service: service.service,
        get: (url, page, parse) =>
          getJson(env(endpointName), { url, what: `${what} cursor page ${page}`, page }, parse),
        credentials: { param: credentials.query?.name, secrets: credentials.keys ?? credentials.secrets },
      },
      window,
      pageSize,
      resume,
    );
  }

  async function* guardedWalk(
    endpointName: string,
    window: Window,
    pageSize: number,
    resume?: CursorResume,
  ): AsyncGenerator<CursorPage> {
    try {
      yield* walkCursor(endpointName, window, pageSize, resume);
    } catch (error) {
      throw scrubError(error, credentials.secrets);
    }
  }

  return {
    stats,
    limits: { concurrency: limiter.concurrency, requestsPerSecond: limiter.requestsPerSecond },
    count: (endpointName, window, pageSize) => guard(count(endpointName, window, pageSize)),
    fetchPage: (request) => guard(fetchPage(request)),
    walkCursor: guardedWalk,
    get pausedForMs() {
      return limiter.pausedForMs;
    },
    close: () => ownAgent?.destroy(),
  };
}
