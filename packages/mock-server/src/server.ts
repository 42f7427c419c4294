import { randomInt, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from './api-error.js';
import { createAuthCheck } from './auth.js';
import { buildDataset } from './dataset.js';
import { TokenBucket, createFaultPlanner, retryAfter } from './faults.js';
import type { FaultPlan } from './faults.js';
import { startGrowth } from './growth.js';
import { buildOpenApi } from './openapi.js';
import { ENDPOINTS, resolveMockOptions } from './options.js';
import type { EndpointName, MockApiOptions } from './options.js';
import { createPaginator } from './pagination.js';
import { expandPageInfo } from './next-links.js';
import { windowOf } from './query.js';
import { mulberry32 } from './random.js';
import { createMockStats, resetStats } from './stats.js';
import type { MockStats } from './stats.js';

export interface MockApi {
  /** Base URL to reach the server from this machine, e.g. `http://127.0.0.1:43121`. */
  readonly url: string;
  readonly port: number;
  /** Live counters; `resetStats()` zeroes them in place. */
  readonly stats: MockStats;
  readonly options: MockApiOptions;
  resetStats(): void;
  /** Stops listening and closes every connection, idle keep-alive ones included. */
  close(): Promise<void>;
  /** Ids in the window [start, end) in stable order — tests compare connector output to this. */
  idsInWindow(endpoint: EndpointName, start?: Date, end?: Date): string[];
  countInWindow(endpoint: EndpointName, start?: Date, end?: Date): number;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Builds the dataset and starts the server; resolves once it listens. */
export async function createMockApi(input: Partial<MockApiOptions> = {}): Promise<MockApi> {
  const options = resolveMockOptions(input);
  const dataset = buildDataset(options);
  const stats = createMockStats();
  const paginate = createPaginator(options);
  const plan = createFaultPlanner(options, mulberry32(options.faultSeed ?? randomInt(2 ** 32)));
  const bucket = options.rateLimit > 0 ? new TokenBucket(options.rateLimit, options.rateLimitBurst) : undefined;
  const authError = createAuthCheck(options);
  const timers = new Set<NodeJS.Timeout>();
  let openApi = '';

  const send = (res: ServerResponse, status: number, body: string, headers: OutgoingHttpHeaders = {}): void => {
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    if (status === 429) stats.status429++;
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const sendError = (res: ServerResponse, error: ApiError, headers: OutgoingHttpHeaders = {}): void =>
    send(res, error.status, error.body(), headers);
  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) return fn();
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const serveData = (req: IncomingMessage, res: ServerResponse, endpoint: EndpointName, url: URL): void => {
    stats.byEndpoint[endpoint]++;
    const denied = authError(req, url);
    if (denied) return sendError(res, denied);
    const limitHeaders: OutgoingHttpHeaders = {};
    if (bucket) {
      const taken = bucket.take();
      limitHeaders['X-RateLimit-Limit'] = String(options.rateLimit);
      if (!taken.ok) {
        stats.rateLimited++;
        const error = new ApiError(
          429,
          'rate_limited',
          `More than ${options.rateLimit} requests per second; retry in ${taken.waitMs} ms.`,
        );
        return sendError(res, error, {
          ...limitHeaders,
          'Retry-After': retryAfter(taken.waitMs, options.retryAfterFormat, Date.now()),
          'X-RateLimit-Reset-Ms': String(taken.waitMs),
        });
      }
      limitHeaders['X-RateLimit-Remaining'] = String(taken.remaining);
    }
    let page;
    try {
      const table = dataset.tables[endpoint];
      const query = expandPageInfo(options, url.searchParams);
      const window = windowOf(query);
      const [lo, hi] = table.range(window.start, window.end);
      const selfUrl = `${options.nextLinkBase ?? `http://${req.headers.host ?? hostPort()}`}/${endpoint}`;
      page = paginate({ table, lo, hi, query, selfUrl });
    } catch (error) {
      if (error instanceof ApiError) return sendError(res, error, limitHeaders);
      throw error;
    }
    const fault = plan();
    if (fault.slow) stats.faults.slow++;
    later(fault.delayMs, () => {
      if (res.destroyed) return;
      deliver(res, fault, page.body, { ...limitHeaders, ...page.headers });
    });
  };

  const deliver = (res: ServerResponse, fault: FaultPlan, body: string, headers: OutgoingHttpHeaders): void => {
    if (fault.fault) stats.faults[fault.fault]++;
    switch (fault.fault) {
      case undefined:
        return send(res, 200, body, headers);
      case 'rate429':
        return sendError(res, new ApiError(429, 'rate_limited', 'Too many requests (injected); retry later.'), {
          'Retry-After': retryAfter(options.retryAfterSeconds * 1000, options.retryAfterFormat, Date.now()),
          'X-RateLimit-Reset-Ms': String(options.retryAfterSeconds * 1000),
        });
      case 'error': {
        const code = fault.errorStatus === 500 ? 'internal_error' : 'service_unavailable';
        return sendError(res, new ApiError(fault.errorStatus, code, `Injected ${fault.errorStatus}; retry.`));
      }
      case 'garbage': {
        // A strict prefix of a JSON object or array is never valid JSON.
        const cut = Math.min(body.length - 1, Math.max(1, Math.floor(body.length * fault.cut)));
        return send(res, 200, body.slice(0, cut), headers);
      }
      case 'reset': {
        const bytes = Buffer.from(body);
        res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Content-Length': bytes.length, ...headers });
        res.write(bytes.subarray(0, Math.floor(bytes.length * fault.cut)), () => res.destroy());
        return;
      }
    }
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    stats.requests++;
    res.setHeader('X-Request-Id', `req_${randomUUID()}`);
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const name = url.pathname.slice(1);
    const endpoint = ENDPOINTS.find((e) => e === name);
    if (!endpoint && name !== 'healthz' && name !== 'openapi.json') {
      return sendError(
        res,
        new ApiError(404, 'not_found', `No route ${url.pathname}; try /sales, /customers, /products or /openapi.json.`),
      );
    }
    if (req.method !== 'GET') {
      return sendError(res, new ApiError(405, 'method_not_allowed', `${req.method} is not allowed; use GET.`), {
        Allow: 'GET',
      });
    }
    if (name === 'healthz') return send(res, 200, '{"status":"ok"}');
    if (name === 'openapi.json') return send(res, 200, openApi);
    return serveData(req, res, endpoint as EndpointName, url);
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      if (!res.headersSent) sendError(res, new ApiError(500, 'internal_error', `Mock API bug: ${String(error)}`));
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = (): string => `${urlHost(options.host)}:${port}`;
  const url = `http://${hostPort()}`;
  openApi = JSON.stringify(buildOpenApi(options, url));
  const stopGrowth = startGrowth(dataset, options.growthPerSecond, (endpoint) => stats.inserted[endpoint]++);

  let closing: Promise<void> | undefined;
  const window = (endpoint: EndpointName, start?: Date, end?: Date): [number, number] => {
    if (!ENDPOINTS.includes(endpoint))
      throw new RangeError(`Unknown endpoint ${JSON.stringify(endpoint)}; expected ${ENDPOINTS.join(', ')}`);
    return dataset.tables[endpoint].range(start?.getTime() ?? -Infinity, end?.getTime() ?? Infinity);
  };
  return {
    url,
    port,
    stats,
    options,
    resetStats: () => resetStats(stats),
    idsInWindow: (endpoint, start, end) => dataset.tables[endpoint].ids(...window(endpoint, start, end)),
    countInWindow: (endpoint, start, end) => {
      const [lo, hi] = window(endpoint, start, end);
      return hi - lo;
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        stopGrowth();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** The host part of a URL to reach `host` locally: wildcard addresses mean loopback. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
