import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, PermanentError, ServiceConfig, TransientError } from '@rdc/contracts';
import {
  createHttpSource,
  createSourceRegistry,
  type HttpSource,
  RateLimiter,
  RetriesExhaustedError,
} from '@rdc/source';
import { expect } from 'chai';

/* A tiny loopback API per test: the handler decides, every request is recorded. */
interface Seen {
  url: URL;
  headers: IncomingMessage['headers'];
  at: number;
}
interface TestServer {
  origin: string;
  seen: Seen[];
  close(): Promise<void>;
}
type Handler = (req: IncomingMessage, res: ServerResponse, n: number, url: URL) => void;

async function startServer(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({ url, headers: req.headers, at: Date.now() });
    handler(req, res, seen.length, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

const KEY = 'sk_live_supersecret_123';
const WINDOW = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2024-01-02T00:00:00Z') };
const SCHEMA = { id: 'string', 'created_at?': 'datetime', 'date?': 'datetime' };

function service(overrides: Record<string, unknown> = {}): ServiceConfig {
  return ServiceConfig.parse({
    service: 'retail',
    baseUrl: 'http://127.0.0.1:1',
    auth: { type: 'api-key', header: 'X-API-Key', env: 'RETAIL_API_KEY' },
    endpoints: {
      sales: {
        path: '/sales',
        timestampField: 'created_at',
        query: { api_token: 'query-secret-value' },
        pagination: { style: 'offset', pageSize: 2 },
        response: { records: 'data', total: { from: 'body', path: 'total' } },
        schema: SCHEMA,
      },
      wp: {
        path: '/wp/posts',
        timestampField: 'date',
        params: { start: 'after', end: 'before' },
        pagination: { style: 'page', pageSize: 2, firstPage: 0 },
        response: { records: '', total: { from: 'header', name: 'X-WP-TotalPages', of: 'pages' } },
        schema: SCHEMA,
      },
    },
    ...overrides,
  });
}

const page = { data: [{ id: 'a' }, { id: 'b' }], total: 5 };
const fast = { maxRetries: 5, baseDelayMs: 5, maxDelayMs: 20, budgetMs: 10_000 };

describe('source: HTTP client against a loopback API', () => {
  let api: TestServer | undefined;
  let source: HttpSource | undefined;

  afterEach(async () => {
    source?.close();
    await api?.close();
    api = undefined;
    source = undefined;
  });

  function client(retry: Partial<typeof fast> = {}, extra: Partial<Parameters<typeof createHttpSource>[0]> = {}) {
    source = createHttpSource({
      service: service(),
      baseUrl: api?.origin ?? 'http://127.0.0.1:1',
      apiKey: KEY,
      retry: { ...fast, ...retry },
      ...extra,
    });
    return source;
  }

  it('retries 503 twice then succeeds, with 2 retries counted', async () => {
    api = await startServer((_req, res, n) => (n <= 2 ? json(res, 503, { error: 'busy' }) : json(res, 200, page)));
    const src = client();
    const result = await src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 2, pageSize: 2, runId: 'run-1' });
    expect(result.records.map((r) => r.id)).to.deep.equal(['a', 'b']);
    expect(result.total).to.equal(5);
    expect(src.stats.retries).to.equal(2);
    expect(src.stats.requests).to.equal(3);
    expect(src.stats.byStatus).to.deep.equal({ 503: 2, 200: 1 });
  });

  it('sends the window, offset/limit, fixed query and the API key header on every request', async () => {
    api = await startServer((_req, res, n) =>
      n === 1 ? json(res, 500, {}) : json(res, 200, page, { 'X-Request-Id': 'req-9' }),
    );
    const result = await client().fetchPage({ endpoint: 'sales', window: WINDOW, page: 3, pageSize: 2 });
    expect(result.requestId).to.equal('req-9');
    expect(api.seen).to.have.length(2);
    for (const { url, headers } of api.seen) {
      expect(url.pathname).to.equal('/sales');
      expect(url.searchParams.get('start_date')).to.equal('2024-01-01T00:00:00.000Z');
      expect(url.searchParams.get('end_date')).to.equal('2024-01-02T00:00:00.000Z');
      expect(url.searchParams.get('limit')).to.equal('2');
      expect(url.searchParams.get('offset')).to.equal('4');
      expect(url.searchParams.get('api_token')).to.equal('query-secret-value');
      expect(headers['x-api-key']).to.equal(KEY);
    }
  });

  it('waits out a 429 Retry-After without using the ordinary retry count', async () => {
    api = await startServer((_req, res, n) =>
      n === 1 ? json(res, 429, { message: 'slow down' }, { 'Retry-After': '1' }) : json(res, 200, page),
    );
    const src = client({ maxRetries: 0 });
    const started = Date.now();
    await src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 });
    const elapsed = Date.now() - started;
    expect(elapsed).to.be.within(950, 2500);
    expect(src.stats.retries).to.equal(0);
    expect(src.stats.rateLimitWaits).to.equal(1);
    expect(src.stats.byStatus).to.deep.equal({ 429: 1, 200: 1 });
  });

  it('pauses the shared limiter on 429 so other requests back off too', async () => {
    api = await startServer((_req, res, n) =>
      n === 1 ? json(res, 429, {}, { 'Retry-After': '1' }) : json(res, 200, page),
    );
    const limiter = new RateLimiter({ requestsPerSecond: 1000, concurrency: 4 });
    const src = client({}, { limiter });
    const first = src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 2, pageSize: 2 });
    await Promise.all([first, second]);
    const t429 = api.seen[0]?.at ?? 0;
    expect(api.seen).to.have.length(3);
    for (const later of api.seen.slice(1)) expect(later.at - t429).to.be.at.least(900);
  });

  it('gives up with a TransientError carrying retryAfterMs when Retry-After exceeds the budget', async () => {
    api = await startServer((_req, res) => json(res, 429, {}, { 'Retry-After': '60' }));
    const started = Date.now();
    // A cap above the asked wait, so the budget is what gives the page back.
    const limits = { requestsPerSecond: 100, concurrency: 4, maxRetryAfterSeconds: 120 };
    const error = await client({ budgetMs: 2_000 }, { service: service({ limits }) })
      .fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 })
      .catch((e: unknown) => e);
    expect(Date.now() - started).to.be.below(1_000);
    expect(error).to.be.instanceOf(TransientError);
    expect((error as TransientError).retryAfterMs).to.equal(60_000);
    expect((error as TransientError).context.status).to.equal(429);
  });

  it('fails a 404 at once with a PermanentError naming the path, the API message and a hint', async () => {
    api = await startServer((_req, res) => json(res, 404, { error: { message: '  no such resource  ' } }));
    const src = client();
    const error = await src
      .fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2, runId: 'run-404' })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    const e = error as PermanentError;
    expect(e.retryable).to.equal(false);
    expect(e.context).to.include({ status: 404, runId: 'run-404', page: 1 });
    expect(e.context.path).to.match(/^\/sales\?/);
    expect(e.message).to.include('GET /sales?');
    expect(e.message).to.include('"no such resource"');
    expect(e.message).to.include('endpoints.sales.path');
    expect(src.stats.requests).to.equal(1);
  });

  it('refuses 401 with a hint naming the env variable and never shows the key', async () => {
    api = await startServer((req, res) =>
      json(res, 401, { message: `invalid key ${String(req.headers['x-api-key'])}` }),
    );
    const error = (await client()
      .fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 })
      .catch((e: unknown) => e)) as PermanentError;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include('Check the credentials in RETAIL_API_KEY');
    expect(error.message).to.include('invalid key [REDACTED]');
    expect(JSON.stringify({ m: error.message, c: error.context, s: error.stack })).not.to.include(KEY);
  });

  it('retries a garbage JSON body, then succeeds', async () => {
    api = await startServer((_req, res, n) => (n === 1 ? json(res, 200, '{"data": [tru') : json(res, 200, page)));
    const src = client();
    const result = await src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 });
    expect(result.records).to.have.length(2);
    expect(src.stats.retries).to.equal(1);
  });

  it('retries a reset connection, then succeeds', async () => {
    api = await startServer((req, res, n) => (n === 1 ? req.socket.destroy() : json(res, 200, page)));
    const src = client();
    const result = await src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 });
    expect(result.records).to.have.length(2);
    expect(src.stats.retries).to.equal(1);
    expect(src.stats.transportErrors).to.equal(1);
  });

  it('retries a response timeout, then succeeds', async () => {
    api = await startServer((_req, res, n) =>
      n === 1 ? setTimeout(() => json(res, 200, page), 1_000) : json(res, 200, page),
    );
    const src = client({}, { timeouts: { responseMs: 200 } });
    const result = await src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 });
    expect(result.records).to.have.length(2);
    expect(src.stats.transportErrors).to.equal(1);
  });

  it('turns a persistent 500 into a TransientError after maxRetries, with the redacted path', async () => {
    api = await startServer((_req, res) => json(res, 500, { message: `boom ${KEY}` }));
    const src = client({ maxRetries: 3 });
    const error = (await src
      .fetchPage({ endpoint: 'sales', window: WINDOW, page: 7, pageSize: 2, runId: 'run-500' })
      .catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error).to.be.instanceOf(TransientError);
    expect(error).to.be.instanceOf(RetriesExhaustedError);
    expect(error.attempts).to.equal(4);
    expect(src.stats.retries).to.equal(3);
    expect(src.stats.requests).to.equal(4);
    expect(error.context).to.include({ status: 500, runId: 'run-500', page: 7 });
    expect(error.context.path).to.include('api_token=[REDACTED]');
    expect(error.message).to.include('GET /sales?');
    expect(error.message).to.include('api_token=[REDACTED]');
    expect(error.message).to.include('after 4 attempts');
    const everything = JSON.stringify({
      m: error.message,
      c: error.context,
      cause: String(error.cause),
      s: error.stack,
    });
    expect(everything).not.to.include('query-secret-value');
    expect(everything).not.to.include(KEY);
  });

  it('retries a body of the wrong shape, then fails permanently pointing at the config', async () => {
    api = await startServer((_req, res) => json(res, 200, { data: { id: 'a' }, total: 1 }));
    const src = client({ maxRetries: 2 });
    const error = (await src
      .fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 })
      .catch((e: unknown) => e)) as PermanentError;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include('endpoints.sales.response.records');
    expect(src.stats.requests).to.equal(3);
  });

  it('rejects a negative total as a wrong shape', async () => {
    api = await startServer((_req, res) => json(res, 200, { data: [], total: -1 }));
    const error = await client({ maxRetries: 1 })
      .count('sales', WINDOW, 2)
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message).to.include('non-negative integer total at "total"');
  });

  it('counts items from the body: pages = ceil(total / pageSize), 0 records = 0 pages', async () => {
    let total = 5;
    api = await startServer((_req, res) => json(res, 200, { data: [], total }));
    const src = client();
    expect(await src.count('sales', WINDOW, 2)).to.deep.equal({ total: 5, pages: 3 });
    total = 0;
    expect(await src.count('sales', WINDOW, 2)).to.deep.equal({ total: 0, pages: 0 });
    expect(api.seen[0]?.url.searchParams.get('offset')).to.equal('0');
  });

  it('counts pages from X-WP-TotalPages and maps pages to a 0-based page param', async () => {
    api = await startServer((_req, res) =>
      json(res, 200, [{ id: 'x' }], { 'X-WP-TotalPages': '4', 'X-WP-Total': '7' }),
    );
    const src = client();
    expect(await src.count('wp', WINDOW, 2)).to.deep.equal({ total: undefined, pages: 4 });
    const result = await src.fetchPage({ endpoint: 'wp', window: WINDOW, page: 3, pageSize: 2 });
    expect(result.records).to.deep.equal([{ id: 'x' }]);
    const last = api.seen.at(-1)?.url;
    expect(last?.searchParams.get('page')).to.equal('2');
    expect(last?.searchParams.get('per_page')).to.equal('2');
    expect(last?.searchParams.get('after')).to.equal('2024-01-01T00:00:00.000Z');
    expect(api.seen[0]?.url.searchParams.get('page')).to.equal('0');
  });

  it('registry: builds one source per service from API_BASE_URL and the key in the env', async () => {
    api = await startServer((_req, res) => json(res, 200, page));
    const services = new Map([
      ['retail', service({ auth: { type: 'api-key', env: 'RETAIL_API_KEY', required: true } })],
    ]);
    const catalog = { dir: '/config', services };
    const registry = createSourceRegistry(catalog, {
      env: { API_BASE_URL: api.origin, RETAIL_API_KEY: KEY },
      budgetMs: 5_000,
    });
    try {
      const src = registry.sourceFor('retail');
      expect(registry.sourceFor('retail')).to.equal(src);
      await src.fetchPage({ endpoint: 'sales', window: WINDOW, page: 1, pageSize: 2 });
      expect(api.seen[0]?.headers['x-api-key']).to.equal(KEY);
      expect(() => registry.sourceFor('nope')).to.throw(ConfigError, 'Valid services: retail');
      const keyless = createSourceRegistry(catalog, { env: {} });
      expect(() => keyless.sourceFor('retail')).to.throw(ConfigError, 'RETAIL_API_KEY');
    } finally {
      registry.close();
    }
  });
});
