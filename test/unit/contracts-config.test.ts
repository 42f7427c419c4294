import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadServices, resolveEndpoint } from '@rdc/contracts';
import { tempDir } from '../support/hooks.js';

const valid = {
  service: 'shop',
  baseUrl: 'https://api.example.test',
  endpoints: {
    orders: {
      path: '/orders',
      timestampField: 'created_at',
      pagination: { style: 'offset', pageSize: 100 },
      response: { records: 'data', total: { from: 'body', path: 'total' } },
      schema: { id: 'string', created_at: 'datetime' },
    },
  },
};

function withConfig(files: Record<string, unknown>, fn: (dir: string) => void): void {
  const { dir, cleanup } = tempDir();
  try {
    for (const [name, body] of Object.entries(files)) {
      writeFileSync(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body));
    }
    fn(dir);
  } finally {
    cleanup();
  }
}

describe('service config', () => {
  it('loads the bundled retail service with its three endpoints', () => {
    const catalog = loadServices();
    const retail = catalog.services.get('retail');
    expect(Object.keys(retail!.endpoints).sort()).to.deep.equal(['customers', 'products', 'sales']);
    expect(retail!.endpoints.sales!.pagination.pageSize).to.be.at.most(250);
  });

  it('adds a second service from a JSON file alone, with defaults filled in', () => {
    withConfig({ 'shop.json': valid }, (dir) => {
      const { endpoint, service } = resolveEndpoint(loadServices(dir), 'shop', 'orders');
      expect(endpoint.idField).to.equal('id');
      expect(endpoint.params).to.deep.equal({
        start: 'start_date',
        end: 'end_date',
        format: 'iso',
        startBound: 'inclusive',
        endBound: 'exclusive',
      });
      expect(endpoint.timeZone).to.equal('UTC');
      expect(service.auth).to.deep.equal({ type: 'none' });
    });
  });

  it('names the file, the field, the bad value and the expectation', () => {
    const bad = structuredClone(valid) as { endpoints: { orders: { pagination: { pageSize: number } } } };
    bad.endpoints.orders.pagination.pageSize = 500;
    withConfig({ 'shop.json': bad }, (dir) => {
      expect(() => loadServices(dir))
        .to.throw(ConfigError)
        .with.property('message')
        .that.includes('shop.json')
        .and.includes('endpoints.orders.pagination.pageSize')
        .and.includes('got 500')
        .and.includes('250');
    });
  });

  it('rejects unknown keys, bad names and broken JSON', () => {
    withConfig({ 'shop.json': { ...valid, baseURL: 'x' } }, (dir) => {
      expect(() => loadServices(dir)).to.throw(ConfigError, 'baseURL');
    });
    withConfig({ 'shop.json': { ...valid, service: 'Shop!' } }, (dir) => {
      expect(() => loadServices(dir)).to.throw(ConfigError, 'service');
    });
    withConfig({ 'shop.json': '{ "service": ' }, (dir) => {
      expect(() => loadServices(dir)).to.throw(ConfigError, 'not valid JSON');
    });
    withConfig({ 'a.json': valid, 'b.json': valid }, (dir) => {
      expect(() => loadServices(dir)).to.throw(ConfigError, 'defined twice');
    });
  });

  it('rejects a record schema with an unknown type', () => {
    const bad = structuredClone(valid) as { endpoints: { orders: { schema: Record<string, string> } } };
    bad.endpoints.orders.schema.amount = 'money';
    withConfig({ 'shop.json': bad }, (dir) => {
      expect(() => loadServices(dir)).to.throw(ConfigError, 'endpoints.orders.schema.amount');
    });
  });

  it('lists the valid services and endpoints for an unknown name', () => {
    const catalog = loadServices();
    expect(() => resolveEndpoint(catalog, 'retial', 'sales'))
      .to.throw(ConfigError, 'Unknown service "retial"')
      .with.property('message')
      .that.includes('retail');
    expect(() => resolveEndpoint(catalog, 'retail', 'orders'))
      .to.throw(ConfigError, 'Unknown endpoint "orders"')
      .with.property('message')
      .that.includes('customers, products')
      .and.includes('sales');
  });

  it('explains a missing config folder', () => {
    expect(() => loadServices('/nonexistent/rdc-config')).to.throw(ConfigError, 'RDC_CONFIG_DIR');
  });
});
