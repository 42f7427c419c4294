import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { type CursorPage, type Log, PermanentError, ServiceConfig } from '@rdc/contracts';
import { createMockApi, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { createSourceRegistry, type SourceRegistry } from '@rdc/source';
import { tempDir } from '../support/hooks.js';

const WINDOW = { start: new Date('2024-03-01T00:00:00Z'), end: new Date('2024-03-15T00:00:00Z') };
const SCHEMA = { id: 'string', created_at: 'datetime' };

/** Every line a source logs, with its metadata, as text. */
function captureLog(): { log: Log; text: () => string } {
  const lines: string[] = [];
  const make = (base: Record<string, unknown>): Log => {
    const line = (m: string, meta?: Record<string, unknown>): number =>
      lines.push(`${m} ${JSON.stringify({ ...base, ...meta })}`);
    return { error: line, warn: line, info: line, debug: line, child: (meta) => make({ ...base, ...meta }) };
  };
  return { log: make({}), text: () => lines.join('\n') };
}

function service(auth: unknown, pagination: Record<string, unknown>, records = 'data'): ServiceConfig {
  return ServiceConfig.parse({
    service: 'shop',
    baseUrl: 'http://127.0.0.1:1',
    auth,
    endpoints: {
      sales: { path: '/sales', timestampField: 'created_at', pagination, response: { records }, schema: SCHEMA },
    },
  });
}

async function walk(registry: SourceRegistry): Promise<string[]> {
  const ids: string[] = [];
  const pages: CursorPage[] = [];
  for await (const page of registry.sourceFor('shop').walkCursor('sales', WINDOW, 50)) pages.push(page);
  for (const page of pages) ids.push(...page.records.map((r) => String(r.id)));
  return ids;
}

describe('source: real-API styles against the mock (next links as given, every auth kind)', function () {
  this.timeout(20_000);
  const apis: MockApi[] = [];
  const registries: SourceRegistry[] = [];
  afterEach(async () => {
    registries.splice(0).forEach((r) => r.close());
    await Promise.all(apis.splice(0).map((a) => a.close()));
  });

  async function mock(options: Partial<MockApiOptions>): Promise<MockApi> {
    const api = await createMockApi({ sales: 20_000, ...options });
    apis.push(api);
    return api;
  }
  function registry(config: ServiceConfig, env: NodeJS.ProcessEnv, log?: Log): SourceRegistry {
    const r = createSourceRegistry(
      { dir: 'test', services: new Map([[config.service, config]]) },
      { env, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...(log && { log }) },
    );
    registries.push(r);
    return r;
  }

  it('strict Link pagination (Shopify-style) with a header token: every id once, no 400', async () => {
    const api = await mock({
      pagination: 'link-header',
      strictLinks: true,
      apiKey: 'shpat_1',
      apiKeyHeader: 'X-Shopify-Access-Token',
    });
    const config = service(
      { type: 'header', name: 'X-Shopify-Access-Token', env: 'SHOP_TOKEN' },
      { style: 'link-header', pageSize: 50 },
    );
    const ids = await walk(registry(config, { SHOP_API_BASE_URL: api.url, SHOP_TOKEN: 'shpat_1' }));
    const expected = api.idsInWindow('sales', WINDOW.start, WINDOW.end);
    expect(expected.length).to.be.greaterThan(100);
    expect(ids).to.deep.equal(expected);
    expect(api.stats.byStatus[400] ?? 0).to.equal(0);
    expect(api.stats.requests).to.equal(Math.ceil(expected.length / 50));
  });

  it('the strict mock answers 400 when a filter is added to a next link', async () => {
    const api = await mock({ pagination: 'link-header', strictLinks: true });
    const first = await fetch(`${api.url}/sales?start_date=2024-03-01&end_date=2024-03-15&limit=50`);
    const link = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1];
    expect(link).to.be.a('string');
    expect(new URL(link!).searchParams.has('start_date')).to.equal(false);
    expect((await fetch(link!)).status).to.equal(200);
    expect((await fetch(`${link!}&start_date=2024-03-01`)).status).to.equal(400);
  });

  it('a full next URL in the body (strict), with basic auth from _FILE variables', async () => {
    const api = await mock({
      pagination: 'body-cursor',
      bodyNext: 'url',
      strictLinks: true,
      basicUser: 'ck_1',
      basicSecret: 'cs_2',
    });
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(join(dir, 'user'), 'ck_1\n');
      writeFileSync(join(dir, 'secret'), 'cs_2\n');
      const config = service(
        { type: 'basic', userEnv: 'WC_KEY', secretEnv: 'WC_SECRET' },
        { style: 'body-cursor', pageSize: 50, nextPath: 'next' },
      );
      const env = { API_BASE_URL: api.url, WC_KEY_FILE: join(dir, 'user'), WC_SECRET_FILE: join(dir, 'secret') };
      const ids = await walk(registry(config, env));
      expect(ids).to.deep.equal(api.idsInWindow('sales', WINDOW.start, WINDOW.end));
      expect(api.stats.byStatus[401] ?? 0).to.equal(0);
      expect(api.stats.byStatus[400] ?? 0).to.equal(0);
    } finally {
      cleanup();
    }
  });

  it('starting_after with a bearer token keeps the first request filters on every page', async () => {
    const api = await mock({ pagination: 'starting-after', bearerToken: 'sk_test_9' });
    const config = service({ type: 'bearer', env: 'STRIPE_KEY' }, { style: 'starting-after', pageSize: 50 });
    const ids = await walk(registry(config, { SHOP_API_BASE_URL: api.url, STRIPE_KEY: 'sk_test_9' }));
    expect(ids).to.deep.equal(api.idsInWindow('sales', WINDOW.start, WINDOW.end));
    expect(api.stats.byStatus[401] ?? 0).to.equal(0);
  });

  it('a key in the query string is sent, and redacted from every logged line', async () => {
    const key = 'qk_5e1f0a7b';
    const api = await mock({
      pagination: 'link-header',
      strictLinks: true,
      queryKey: key,
      queryKeyParam: 'auth',
      errorRate: 0.3,
      faultSeed: 11,
    });
    const { log, text } = captureLog();
    const config = service({ type: 'query', param: 'auth', env: 'SHOP_KEY' }, { style: 'link-header', pageSize: 50 });
    const ids = await walk(registry(config, { SHOP_API_BASE_URL: api.url, SHOP_KEY: key }, log));
    expect(ids).to.deep.equal(api.idsInWindow('sales', WINDOW.start, WINDOW.end));
    expect(api.stats.faults.error, 'retries were logged').to.be.greaterThan(0);
    expect(text()).to.include('/sales');
    expect(text()).not.to.include(key);
  });

  it('a missing or wrong credential: ConfigError naming the variables, or a 401 hint without the secret', async () => {
    const api = await mock({ pagination: 'starting-after', bearerToken: 'right' });
    const config = service({ type: 'bearer', env: 'STRIPE_KEY' }, { style: 'starting-after', pageSize: 50 });
    expect(() => registry(config, { SHOP_API_BASE_URL: api.url }).sourceFor('shop')).to.throw(
      /STRIPE_KEY.*STRIPE_KEY_FILE/,
    );
    const error = await walk(registry(config, { SHOP_API_BASE_URL: api.url, STRIPE_KEY: 'wrong-token' })).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include('STRIPE_KEY')
      .and.not.include('wrong-token');
  });

  it('a next link to another host is refused, and the key is never sent there', async () => {
    const other = await mock({ pagination: 'link-header' });
    const api = await mock({ pagination: 'link-header', nextLinkBase: other.url, apiKey: 'k1' });
    const config = service({ type: 'api-key', env: 'SHOP_KEY' }, { style: 'link-header', pageSize: 50 });
    const error = await walk(registry(config, { API_BASE_URL: api.url, SHOP_KEY: 'k1' })).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include(other.url)
      .and.include('SHOP_API_BASE_URL');
    expect(other.stats.requests).to.equal(0);
  });
});
