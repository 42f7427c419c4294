import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadServices } from '@rdc/contracts';
import { parseAuthSpec } from '@rdc/source/probe-auth.js';
import { draftConfig, endpointNameOf, serviceNameOf } from '@rdc/source/probe-draft.js';

const woo = Array.from({ length: 3 }, (_, i) => ({
  id: 700 + i,
  status: 'completed',
  date_created: `2024-07-0${i + 1}T04:00:00`,
  date_created_gmt: `2024-07-0${i + 1}T08:00:00`,
  total: '10.00',
}));

describe('probe: the draft config', () => {
  it('names service and endpoint from the URL', () => {
    expect(serviceNameOf(new URL('https://api.shop-one.example/v1/x'))).to.equal('shop_one');
    expect(serviceNameOf(new URL('http://127.0.0.1:8080/sales'))).to.equal('my_api');
    expect(endpointNameOf(new URL('https://x.example/admin/api/2024-07/orders.json'))).to.equal('orders');
  });

  it('decides what the page shows and marks the rest; the base URL keeps the path before the endpoint', () => {
    const url = new URL(
      'https://shop.example/wp-json/wc/v3/orders?after=2024-06-30T23:59:59&before=2024-08-01T00:00:00&dates_are_gmt=true&per_page=100&page=1',
    );
    const draft = draftConfig({ url, headers: { 'x-wp-total': '3' }, body: woo, auth: { type: 'none' } });
    const config = draft.config as { baseUrl: string; endpoints: { orders: Record<string, unknown> } };
    expect(config.baseUrl).to.equal('https://shop.example/wp-json/wc/v3');
    const orders = config.endpoints.orders;
    expect(orders).to.deep.include({
      path: '/orders',
      idField: 'id',
      query: { dates_are_gmt: 'true' },
      pagination: { style: 'page', pageSize: 100, pageParam: 'page', sizeParam: 'per_page', firstPage: 1 },
      response: { records: '', total: { from: 'header', name: 'X-WP-Total' } },
    });
    expect(orders.params).to.deep.include({ start: 'after', end: 'before', format: 'iso-local', resolution: '1s' });
    expect(draft.gaps.map((g) => g.key)).to.deep.equal([
      'endpoints.orders.timestampField',
      'endpoints.orders.params.startBound',
      'endpoints.orders.params.endBound',
      'endpoints.orders.timeZone',
    ]);
    expect(
      draftConfig({ url, headers: { 'x-ratelimit-remaining': '39' }, body: woo, auth: { type: 'none' } }).findings,
    ).to.deep.include(['Limits', 'x-ratelimit-remaining: 39']);
    expect(draft.gaps[0]!.text).to.equal(
      'FILL ME: the field the window filters on: one of date_created, date_created_gmt',
    );
  });

  it('zone-less bounds and timestamps compare as written: a record at the edge leaves one field inside', () => {
    const url = new URL(
      'https://shop.example/orders?after=2024-06-30T23:59:59&before=2024-08-01T00:00:00&per_page=10&page=1',
    );
    const edge = { id: 1, date_created: '2024-08-01T01:59:59', date_created_gmt: '2024-07-31T23:59:59' };
    const draft = draftConfig({ url, headers: { 'x-wp-total': '3' }, body: [edge, ...woo], auth: { type: 'none' } });
    const orders = (draft.config.endpoints as Record<string, Record<string, unknown>>).orders!;
    expect(orders.timestampField).to.equal('date_created_gmt');
    expect(draft.findings).to.deep.include([
      'Timestamp',
      "→ date_created_gmt, the one time field inside the URL's window",
    ]);
    expect(draft.gaps.map((g) => g.key)).not.to.include('endpoints.orders.timestampField');
  });

  it('a bound parameter that names a field picks the timestamp; credentials in the URL stay out of the draft', () => {
    const url = new URL(
      'https://a.example/v1/charges?created%5Bgte%5D=1719792000&created%5Blt%5D=1722470400&limit=100&api_key=sk_live_x',
    );
    const body = { data: [{ id: 'ch_1', created: 1719800000, refunded_at: 1719900000 }], has_more: false };
    const draft = draftConfig({ url, headers: {}, body, auth: { type: 'none' } });
    const charges = (draft.config.endpoints as Record<string, Record<string, unknown>>).charges!;
    expect(charges.timestampField).to.equal('created');
    expect(charges.schema).to.deep.equal({ id: 'string', created: 'epoch-seconds', 'refunded_at?': 'epoch-seconds' });
    expect(charges.params).to.deep.equal({
      start: 'created[gte]',
      end: 'created[lt]',
      format: 'epoch-seconds',
      startBound: 'inclusive',
      endBound: 'exclusive',
    });
    expect(draft.gaps).to.deep.equal([]);
    expect(JSON.stringify(draft.config)).not.to.include('sk_live_x');
  });

  it('the loader refuses a draft that still has gaps, naming each key and what belongs there', () => {
    const url = new URL('http://127.0.0.1:8080/sales?start_date=2024-07-01T00:00:00Z&end_date=2024-08-01T00:00:00Z');
    const body = { data: [{ id: 'a', created_at: '2024-07-01T10:00:00Z' }] };
    const draft = draftConfig({ url, headers: {}, body, auth: { type: 'none' } });
    const dir = mkdtempSync(join(tmpdir(), 'rdc-probe-draft-'));
    try {
      writeFileSync(join(dir, 'my_api.json'), JSON.stringify(draft.config));
      expect(() => loadServices(dir))
        .to.throw(ConfigError)
        .with.property('message')
        .that.matches(/my_api\.json still has 4 values to fill in/)
        .and.includes('endpoints.sales.params.startBound: FILL ME: "inclusive" or "exclusive"')
        .and.includes('endpoints.sales.pagination.style: FILL ME: one of offset, page')
        .and.includes('endpoints.sales.pagination.pageSize: FILL ME: records per page');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('probe: --auth', () => {
  it("reads the scheme and the variable names into the config's auth block", () => {
    expect(parseAuthSpec('bearer:STRIPE_SECRET_KEY').draft).to.deep.equal({ type: 'bearer', env: 'STRIPE_SECRET_KEY' });
    expect(parseAuthSpec('header:X-Shopify-Access-Token:SHOP_TOKEN').auth).to.deep.equal({
      type: 'header',
      name: 'X-Shopify-Access-Token',
      prefix: '',
      env: 'SHOP_TOKEN',
      required: true,
    });
    expect(parseAuthSpec('basic:WC_KEY:WC_SECRET').draft).to.deep.equal({
      type: 'basic',
      userEnv: 'WC_KEY',
      secretEnv: 'WC_SECRET',
    });
    expect(parseAuthSpec('query:api_key:SHOP_KEY').draft).to.deep.equal({
      type: 'query',
      param: 'api_key',
      env: 'SHOP_KEY',
    });
    expect(parseAuthSpec(undefined).draft).to.deep.equal({ type: 'none' });
  });

  it('a secret given instead of a variable name is refused without being echoed', () => {
    for (const spec of ['bearer:sk_live_abc123', 'basic:WC_KEY:ck_secret', 'header:X-Key:tok-en', 'bearer']) {
      expect(() => parseAuthSpec(spec), spec).to.throw(ConfigError);
      try {
        parseAuthSpec(spec);
      } catch (error) {
        const secret = spec.split(':').at(-1)!;
        if (spec.includes(':')) expect((error as Error).message).not.to.include(secret);
        expect((error as Error).message).to.include('--auth');
      }
    }
    expect(() => parseAuthSpec('oauth:X')).to.throw(/bearer, header, basic, query or none/);
  });
});
