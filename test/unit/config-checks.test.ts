import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadServices, type EndpointConfig } from '@rdc/contracts';
import { checkRecords } from '@rdc/core/task/validate-page.js';
import { readRecords } from '@rdc/source/records.js';
import { tempDir } from '../support/hooks.js';

type Json = Record<string, unknown>;
const endpoint = (overrides: Json = {}): Json => ({
  path: '/orders',
  timestampField: 'created_at',
  pagination: { style: 'offset', pageSize: 100 },
  response: { records: 'data', total: { from: 'body', path: 'total' } },
  schema: { id: 'string', created_at: 'datetime' },
  ...overrides,
});
const service = (ep: Json, top: Json = {}): Json => ({
  service: 'shop',
  baseUrl: 'https://api.example.test/v1',
  endpoints: { orders: ep },
  ...top,
});

/** Loads one service file (text as given) and returns the ConfigError message, or '' when it loads. */
function load(text: string): string {
  const { dir, cleanup } = tempDir('rdc-config-checks-');
  try {
    writeFileSync(join(dir, 'shop.json'), text);
    loadServices(dir);
    return '';
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as Error).message;
  } finally {
    cleanup();
  }
}
const loadJson = (value: Json) => load(JSON.stringify(value));

describe('service config is checked completely at load', () => {
  it('loads the valid form', () => {
    expect(loadJson(service(endpoint()))).to.equal('');
  });

  it('refuses an endpoint path that leaves the base URL path', () => {
    for (const path of ['/../../admin', '/v2/../admin', '/./orders', '//evil.test/x', '/orders/..']) {
      expect(loadJson(service(endpoint({ path }))), path).to.match(/endpoints\.orders\.path: expected a path under/);
    }
    expect(loadJson(service(endpoint({ path: '/v2/orders.json' })))).to.equal('');
  });

  it('refuses the same parameter for the window start and end', () => {
    const message = loadJson(service(endpoint({ params: { start: 'since', end: 'since' } })));
    expect(message).to.match(/params\.end: expected two different parameter names/);
  });

  it('refuses a schema that does not name the id and timestamp fields', () => {
    expect(loadJson(service(endpoint({ schema: {} })))).to.match(
      /schema: expected the schema to name the idField "id"/,
    );
    const noTs = loadJson(service(endpoint({ schema: { id: 'string' } })));
    expect(noTs).to.match(/schema: expected the schema to name the timestampField "created_at"/);
    expect(noTs).not.to.match(/idField/);
    expect(
      loadJson(service(endpoint({ idField: 'sku', schema: { sku: 'string', 'created_at?': 'datetime' } }))),
    ).to.equal('');
  });

  it('parses defaultStartDate and slice at load', () => {
    expect(loadJson(service(endpoint({ defaultStartDate: '2024-02-30' })))).to.match(
      /defaultStartDate: expected a real ISO date or datetime.*\(got "2024-02-30"\)/,
    );
    expect(loadJson(service(endpoint({ defaultStartDate: 'last tuesday' })))).to.match(/defaultStartDate/);
    expect(loadJson(service(endpoint({ slice: '0d' })))).to.match(/slice: expected a positive duration.*\(got "0d"\)/);
    expect(loadJson(service(endpoint({ slice: '2w' })))).to.match(/slice:/);
    expect(loadJson(service(endpoint({ defaultStartDate: '2024-02-29', slice: '6h' })))).to.equal('');
  });

  it('accepts a UTF-8 byte order mark', () => {
    expect(load(`\uFEFF${JSON.stringify(service(endpoint()))}`)).to.equal('');
  });

  it('answers an unknown key with the valid keys and the likely one', () => {
    const message = loadJson(service(endpoint({ timestamp_field: 'created_at' })));
    expect(message).to.match(
      /unknown key "timestamp_field" \(did you mean "timestampField"\?\); valid keys: path, idField/,
    );
    expect(loadJson(service(endpoint(), { limit: {} }))).to.match(/"limit" \(did you mean "limits"\?\).*valid keys:/);
    expect(loadJson(service(endpoint({ params: { begin: 'x' } })))).to.match(/valid keys: start, end/);
  });
});

describe('records that do not fit the config fail once, naming the field', () => {
  const ep = { idField: 'id', timestampField: 'created_at', schema: { id: 'string' } } as unknown as EndpointConfig;
  const check = {
    bounds: { start: '2024-01-01T00:00:00Z', end: '2024-02-01T00:00:00Z' },
    where: 'page 1',
    context: {},
  };

  it('a record without the timestamp field is a config error (not retried as a window problem)', () => {
    const run = () => checkRecords([{ id: 'a', createdAt: '2024-01-02T00:00:00Z' }], ep, check);
    expect(run).to.throw(
      ConfigError,
      /no field "created_at" \(the endpoint's timestampField; its fields: id, createdAt\)/,
    );
  });

  it('a record without the id field is a config error naming idField', () => {
    const run = () => checkRecords([{ uuid: 'a', created_at: '2024-01-02T00:00:00Z' }], ep, check);
    expect(run).to.throw(ConfigError, /no field "id" \(the endpoint's idField/);
  });

  it('a records path that matches nothing is a config error naming the config field', () => {
    const run = () => readRecords({ items: [], total: 0 }, 'data', 'endpoints.orders.response.records');
    expect(run).to.throw(
      ConfigError,
      /"data" matches nothing .*keys: items, total.*endpoints\.orders\.response\.records/,
    );
    expect(readRecords({ data: [] }, 'data', 'x')).to.deep.equal([]);
  });
});
