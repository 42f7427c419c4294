import { readFileSync } from 'node:fs';
import { createMockApi } from '@rdc/mock-server';
import { type EndpointName, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { expect } from 'chai';

/* Small datasets keep each server cheap; every server is closed after its test. */
const SMALL: Partial<MockApiOptions> = { sales: 600, customers: 200, products: 120 };
const servers: MockApi[] = [];

async function start(options: Partial<MockApiOptions> = {}): Promise<MockApi> {
  const api = await createMockApi({ ...SMALL, ...options });
  servers.push(api);
  return api;
}

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function get(api: MockApi | string, path = '', headers: Record<string, string> = {}): Promise<Reply> {
  const url = typeof api === 'string' ? api : `${api.url}${path}`;
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

type Row = Record<string, unknown> & { id: string };
type Body = Record<string, unknown>;

const qs = (params: Record<string, string | number | undefined>): string =>
  new URLSearchParams(
    Object.entries(params).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])),
  ).toString();

/** Every record of a window through offset pagination. */
async function walkOffset(api: MockApi, endpoint: EndpointName, window: Record<string, string> = {}): Promise<Row[]> {
  const rows: Row[] = [];
  for (let offset = 0; ; offset += 250) {
    const { status, json } = await get(api, `/${endpoint}?${qs({ ...window, limit: 250, offset })}`);
    expect(status).to.equal(200);
    const body = json as { data: Row[]; total: number };
    rows.push(...body.data);
    if (offset + 250 >= body.total) return rows;
  }
}

function recordsAt(body: unknown, path: string): Row[] {
  let node = body;
  for (const key of path.split('.').filter(Boolean)) node = (node as Body)[key];
  expect(node, `records at "${path}"`).to.be.an('array');
  return node as Row[];
}

/** Walks a window with the server's pagination style, as a connector would. */
async function walk(
  api: MockApi,
  endpoint: EndpointName,
  window: Record<string, string>,
  size: number,
): Promise<string[]> {
  const o = api.options;
  const path = o.bareArray ? '' : o.recordsPath;
  const ids: string[] = [];
  let next: string | undefined = `${api.url}/${endpoint}?${qs({ ...window, limit: size })}`;
  let page = o.firstPage;
  let cursor: string | undefined;
  for (let guard = 0; guard < 10_000; guard++) {
    let reply: Reply;
    switch (o.pagination) {
      case 'offset':
        throw new Error('use walkOffset');
      case 'page': {
        reply = await get(api, `/${endpoint}?${qs({ ...window, page, per_page: size })}`);
        const body = reply.json as Body;
        const total = Number(
          o.totalIn === 'body' ? body['total'] : reply.headers.get(o.totalIn === 'wp' ? 'x-wp-total' : 'x-total-count'),
        );
        if (o.totalIn === 'wp') expect(Number(reply.headers.get('x-wp-totalpages'))).to.equal(Math.ceil(total / size));
        ids.push(...recordsAt(reply.json, path).map((r) => r.id));
        page++;
        if ((page - o.firstPage) * size >= total) return ids;
        break;
      }
      case 'link-header': {
        reply = await get(next as string);
        ids.push(...recordsAt(reply.json, path).map((r) => r.id));
        const link = reply.headers.get('link');
        if (link === null) return ids;
        next = /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
        expect(next, link).to.be.a('string');
        break;
      }
      case 'body-cursor': {
        reply = await get(api, `/${endpoint}?${qs({ ...window, limit: size, cursor })}`);
        const body = reply.json as { data: Row[]; next_cursor: string | null };
        ids.push(...body.data.map((r) => r.id));
        if (body.next_cursor === null) return ids;
        cursor = body.next_cursor;
        break;
      }
      case 'starting-after': {
        reply = await get(api, `/${endpoint}?${qs({ ...window, limit: size, starting_after: cursor })}`);
        const body = reply.json as { data: Row[]; has_more: boolean };
        ids.push(...body.data.map((r) => r.id));
        if (!body.has_more) return ids;
        cursor = body.data.at(-1)?.id;
        break;
      }
    }
    expect(reply.status, reply.text).to.equal(200);
  }
  throw new Error('pagination did not end');
}

describe('mock-api over HTTP', function () {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((api) => api.close()));
  });

  describe('data', () => {
    it('is deterministic: same seed and sizes give byte-identical pages, another seed differs', async () => {
      const [a, b, c] = await Promise.all([start({ seed: 7 }), start({ seed: 7 }), start({ seed: 8 })]);
      for (const endpoint of ['sales', 'customers', 'products'] as const) {
        const path = `/${endpoint}?limit=250&offset=50`;
        const [ra, rb, rc] = await Promise.all([get(a, path), get(b, path), get(c, path)]);
        expect(ra.text).to.equal(rb.text);
        expect(ra.text).not.to.equal(rc.text);
        expect(a.idsInWindow(endpoint)).to.deep.equal(b.idsInWindow(endpoint));
      }
    });

    it('serves the fields of config/services/retail.json with realistic values', async () => {
      const api = await start();
      const config = JSON.parse(readFileSync('config/services/retail.json', 'utf8')) as {
        endpoints: Record<EndpointName, { schema: Record<string, string> }>;
      };
      for (const endpoint of ['sales', 'customers', 'products'] as const) {
        const { data } = (await get(api, `/${endpoint}?limit=5`)).json as { data: Row[] };
        for (const record of data)
          expect(Object.keys(record)).to.deep.equal(Object.keys(config.endpoints[endpoint].schema));
      }
      const sale = ((await get(api, '/sales?limit=1')).json as { data: Row[] }).data[0] as Row;
      expect(sale.id).to.match(/^sale_\d{8}$/);
      expect(sale['customer_id']).to.match(/^cus_\d{8}$/);
      expect(sale['created_at']).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(Math.round((sale['amount'] as number) * 100)).to.equal((sale['amount'] as number) * 100);
      const items = sale['items'] as { sku: string; quantity: number; unit_price: number }[];
      expect(items[0]?.sku).to.match(/^SKU-[A-Z]{3}-\d{6}$/);
    });

    it('orders by timestamp then id, with some timestamps shared on purpose', async () => {
      const api = await start();
      const rows = await walkOffset(api, 'sales');
      expect(rows.map((r) => r.id)).to.deep.equal(api.idsInWindow('sales'));
      let ties = 0;
      for (let i = 1; i < rows.length; i++) {
        const [prev, cur] = [rows[i - 1] as Row, rows[i] as Row];
        const [a, b] = [prev['created_at'] as string, cur['created_at'] as string];
        expect(a <= b, `${a} <= ${b}`).to.equal(true);
        if (a === b) {
          ties++;
          expect(prev.id < cur.id, `${prev.id} < ${cur.id}`).to.equal(true);
        }
      }
      expect(ties).to.be.greaterThan(5);
    });

    it('holds about 100 pages of 250 sales from 2024-07-01 to now with the default sizes', async () => {
      const api = await createMockApi();
      servers.push(api);
      const { total } = (await get(api, '/sales?start_date=2024-07-01&limit=1')).json as { total: number };
      expect(total).to.be.within(95 * 250, 105 * 250);
    });
  });

  describe('window filtering', () => {
    it('returns [start, end): a record exactly at end is left out, one exactly at start is kept', async () => {
      const api = await start();
      const all = await walkOffset(api, 'sales');
      const pivot = all[300] as Row;
      const at = pivot['created_at'] as string;
      const before = await walkOffset(api, 'sales', { start_date: '2024-03-01', end_date: at });
      const after = await walkOffset(api, 'sales', { start_date: at });
      expect(before.map((r) => r.id)).not.to.include(pivot.id);
      expect(after[0]?.['created_at']).to.equal(at);
      expect(after.map((r) => r.id)).to.include(pivot.id);
      for (const r of before)
        expect((r['created_at'] as string) >= '2024-03-01' && (r['created_at'] as string) < at).to.equal(true);
      const from = new Date('2024-03-01T00:00:00Z');
      expect(before.map((r) => r.id)).to.deep.equal(api.idsInWindow('sales', from, new Date(at)));
      expect(api.countInWindow('sales', from, new Date(at))).to.equal(before.length);
      expect(before.length + after.length + api.countInWindow('sales', undefined, from)).to.equal(600);
    });

    it('reports the window total and accepts dates, datetimes and offsets', async () => {
      const api = await start();
      const body = (await get(api, '/customers?start_date=2025-01-01&end_date=2025-01-31T12:00:00%2B02:00'))
        .json as Body;
      expect(body['total']).to.equal(
        api.countInWindow('customers', new Date('2025-01-01T00:00:00Z'), new Date('2025-01-31T10:00:00Z')),
      );
      expect(body).to.include({ limit: 100, offset: 0 });
    });
  });

  describe('errors', () => {
    it('answers limit 251 with 400 limit_too_large as JSON', async () => {
      const api = await start();
      const reply = await get(api, '/sales?limit=251');
      expect(reply.status).to.equal(400);
      expect(reply.headers.get('content-type')).to.match(/^application\/json/);
      expect(reply.json).to.have.nested.property('error.code', 'limit_too_large');
      expect(reply.json).to.have.nested.property('error.message').that.includes('250');
    });

    it('names the parameter of a bad window or number', async () => {
      const api = await start();
      for (const [query, param] of [
        ['start_date=yesterday', 'start_date'],
        ['end_date=2024-02-30', 'end_date'],
        ['start_date=2025-01-01&end_date=2024-01-01', 'end_date'],
        ['offset=-1', 'offset'],
        ['limit=ten', 'limit'],
        ['limit=0', 'limit'],
      ] as const) {
        const reply = await get(api, `/sales?${query}`);
        expect(reply.status, query).to.equal(400);
        expect(reply.json, query).to.have.nested.property('error.param', param);
        expect(reply.json, query).to.have.nested.property('error.message').that.includes(param);
      }
    });

    it('refuses offsets beyond maxOffset with offset_too_deep', async () => {
      const api = await start({ maxOffset: 200 });
      expect((await get(api, '/sales?offset=200')).status).to.equal(200);
      const reply = await get(api, '/sales?offset=201');
      expect(reply.status).to.equal(400);
      expect(reply.json).to.have.nested.property('error.code', 'offset_too_deep');
    });

    it('answers unknown paths with 404 and other methods with 405, as JSON with a unique X-Request-Id', async () => {
      const api = await start();
      const missing = await get(api, '/orders');
      expect(missing.status).to.equal(404);
      expect(missing.json).to.have.nested.property('error.code', 'not_found');
      const post = await fetch(`${api.url}/sales`, { method: 'POST', body: '{}' });
      expect(post.status).to.equal(405);
      expect(post.headers.get('allow')).to.equal('GET');
      expect(await post.json()).to.have.nested.property('error.code', 'method_not_allowed');
      const ids = await Promise.all(
        [1, 2, 3].map(async () => (await get(api, '/healthz')).headers.get('x-request-id')),
      );
      expect(new Set([...ids, missing.headers.get('x-request-id')]).size).to.equal(4);
      expect(ids.every((id) => typeof id === 'string' && id.length > 8)).to.equal(true);
    });
  });

  describe('API key', () => {
    it('requires X-API-Key on data endpoints but not on /healthz and /openapi.json', async () => {
      const api = await start({ apiKey: 'sk_test_123' });
      const none = await get(api, '/sales');
      expect(none.status).to.equal(401);
      expect(none.json).to.have.nested.property('error.code', 'unauthorized');
      expect((await get(api, '/sales', { 'X-API-Key': 'sk_test_124' })).status).to.equal(401);
      expect((await get(api, '/sales', { 'X-API-Key': 'sk_test_123' })).status).to.equal(200);
      expect((await get(api, '/healthz')).status).to.equal(200);
      expect((await get(api, '/openapi.json')).status).to.equal(200);
      expect(api.stats.byStatus[401]).to.equal(2);
    });
  });

  describe('OpenAPI document', () => {
    it('describes the endpoints, parameters, schemas and errors', async () => {
      const api = await start({ apiKey: 'k', pagination: 'page', totalIn: 'x-total-count' });
      const doc = (await get(api, '/openapi.json')).json as Body;
      expect(doc['openapi']).to.equal('3.1.0');
      expect(doc).to.have.nested.property('servers[0].url', api.url);
      const paths = doc['paths'] as Record<string, { get: { parameters: { name: string }[]; responses: Body } }>;
      for (const endpoint of ['sales', 'customers', 'products']) {
        const op = paths[`/${endpoint}`]?.get;
        expect(op?.parameters.map((p) => p.name)).to.deep.equal(['start_date', 'end_date', 'page', 'per_page']);
        expect(op?.responses).to.include.keys('200', '400', '401', '429', '500', '503');
        expect(op?.responses['200']).to.have.nested.property('headers.X-Total-Count');
      }
      expect(doc).to.have.nested.property('components.schemas.Sale.properties.items');
      expect(doc).to.have.nested.property('components.securitySchemes.ApiKey.name', 'X-API-Key');
    });
  });

  describe('pagination styles walk the whole window with no gaps or duplicates', () => {
    const WINDOW = { start_date: '2024-03-01', end_date: '2025-02-01T12:00:00Z' };
    const variants: [string, Partial<MockApiOptions>][] = [
      ['page (first page 1, total in body)', { pagination: 'page' }],
      [
        'page (first page 0, X-Total-Count, bare array)',
        { pagination: 'page', firstPage: 0, totalIn: 'x-total-count', bareArray: true },
      ],
      [
        'page (X-WP-Total, records at results.rows)',
        { pagination: 'page', totalIn: 'wp', recordsPath: 'results.rows' },
      ],
      ['link-header', { pagination: 'link-header' }],
      ['link-header (bare array)', { pagination: 'link-header', bareArray: true }],
      ['body-cursor', { pagination: 'body-cursor' }],
      ['starting-after', { pagination: 'starting-after' }],
    ];

    it('offset', async () => {
      const api = await start();
      const ids = (await walkOffset(api, 'sales', WINDOW)).map((r) => r.id);
      const expected = api.idsInWindow('sales', new Date(WINDOW.start_date), new Date(WINDOW.end_date));
      expect(ids).to.deep.equal(expected);
    });

    for (const [name, options] of variants) {
      it(name, async () => {
        const api = await start(options);
        const expected = api.idsInWindow('sales', new Date(WINDOW.start_date), new Date(WINDOW.end_date));
        expect(expected.length).to.be.greaterThan(100);
        expect(await walk(api, 'sales', WINDOW, 7)).to.deep.equal(expected);
        expect(await walk(api, 'customers', {}, 250)).to.deep.equal(api.idsInWindow('customers'));
      });
    }

    for (const pagination of ['link-header', 'body-cursor', 'starting-after'] as const) {
      it(`${pagination}: one record per page through records that share a timestamp`, async () => {
        const api = await start({ pagination });
        const rows = await walkOffset(await start(), 'sales');
        const tie = rows.findIndex((r, i) => i > 0 && r['created_at'] === rows[i - 1]?.['created_at']);
        expect(tie).to.be.greaterThan(0);
        const at = Date.parse(rows[tie]?.['created_at'] as string);
        const window = {
          start_date: new Date(at - 7 * 86_400_000).toISOString(),
          end_date: new Date(at + 1).toISOString(),
        };
        const expected = api.idsInWindow('sales', new Date(window.start_date), new Date(window.end_date));
        expect(await walk(api, 'sales', window, 1)).to.deep.equal(expected);
      });
    }

    it('rejects a cursor it did not issue', async () => {
      const api = await start({ pagination: 'body-cursor' });
      const reply = await get(api, '/sales?cursor=not-a-cursor');
      expect(reply.status).to.equal(400);
      expect(reply.json).to.have.nested.property('error.code', 'invalid_cursor');
    });
  });
});
