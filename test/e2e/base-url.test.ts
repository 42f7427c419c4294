import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, ServiceConfig } from '@rdc/contracts';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { createSourceRegistry } from '@rdc/source';
import { APPS, cleanEnv, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const WINDOW = ['--endpoint', 'sales', '--start_date', '2024-07-01', '--end_date', '2024-07-08'];

/** The bundled retail config under another service name, pointing at `baseUrl`. */
function writeService(dir: string, name: string, baseUrl: string): string {
  const config = JSON.parse(readFileSync(join(repoRoot, 'config/services/retail.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const folder = join(dir, 'config');
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, `${name}.json`),
    JSON.stringify({ ...config, service: name, baseUrl, auth: { type: 'none' } }),
  );
  return folder;
}

describe('base URL per service', function () {
  this.timeout(60_000);
  let api: MockApi;
  before(async () => {
    api = await createMockApi({ sales: 5000 });
  });
  after(() => api.close());

  it('npm start uses the config baseUrl of a service other than retail, and starts no mock', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const configDir = writeService(dir, 'acme', api.url);
      api.resetStats();
      const args = ['--service', 'acme', ...WINDOW, '--config-dir', configDir, '--sink', join(dir, 'data'), '--json'];
      const result = await runCli(APPS.local, args, cleanEnv(), 30_000);
      expect(result.code, result.stderr.slice(-2000)).to.equal(0);
      expect(result.stderr).not.to.include('bundled retail mock');
      expect(result.stderr).to.include(`uses the API at ${api.url}`);
      expect(api.stats.requests).to.be.greaterThan(0);
      const expected = api.idsInWindow('sales', new Date('2024-07-01T00:00:00Z'), new Date('2024-07-08T00:00:00Z'));
      expect(idsInFolder(join(dir, 'data'))).to.deep.equal(expected);
    } finally {
      cleanup();
    }
  });

  it('npm start says when it starts the bundled mock for retail, and RETAIL_API_BASE_URL overrides it', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const args = ['--service', 'retail', ...WINDOW, '--sink', join(dir, 'data'), '--dry-run'];
      const bundled = await runCli(APPS.local, args, cleanEnv(), 30_000);
      expect(bundled.code, bundled.stderr.slice(-2000)).to.equal(0);
      expect(bundled.stderr).to.include('Started the bundled retail mock API');
      expect(bundled.stderr).to.include('RETAIL_API_BASE_URL');
      // Each setting says truthfully where it came from: nothing was set, so no variable is named as its origin.
      expect(bundled.stderr).to.include('(from the bundled mock API, started for this run)');
      expect(bundled.stderr).not.to.include('(from RETAIL_API_BASE_URL)');
      expect(bundled.stderr).to.include('16 requests in flight (limits.concurrency, the default;');
      api.resetStats();
      const env = cleanEnv({ RETAIL_API_BASE_URL: api.url, RDC_API_CONCURRENCY: '4' });
      const real = await runCli(APPS.local, args, env, 30_000);
      expect(real.code, real.stderr.slice(-2000)).to.equal(0);
      expect(real.stderr).not.to.include('Started the bundled');
      expect(real.stderr).to.include(`uses the API at ${api.url}/ (from RETAIL_API_BASE_URL)`);
      expect(real.stderr).to.include('4 requests in flight (from RDC_API_CONCURRENCY)');
      expect(api.stats.requests, 'the count went to RETAIL_API_BASE_URL').to.equal(1);
    } finally {
      cleanup();
    }
  });

  it('a process serving several services refuses API_BASE_URL and takes <SERVICE>_API_BASE_URL per service', () => {
    const make = (service: string): ServiceConfig =>
      ServiceConfig.parse({
        service,
        baseUrl: 'http://127.0.0.1:1',
        endpoints: {
          sales: {
            path: '/sales',
            timestampField: 'ts',
            pagination: { style: 'offset', pageSize: 10 },
            schema: { id: 'string', ts: 'datetime' },
          },
        },
      });
    const catalog = {
      dir: 'test',
      services: new Map([
        ['alpha', make('alpha')],
        ['beta', make('beta')],
      ]),
    };
    expect(() => createSourceRegistry(catalog, { env: { API_BASE_URL: 'http://127.0.0.1:2' } })).to.throw(
      ConfigError,
      /API_BASE_URL.*ALPHA_API_BASE_URL/s,
    );
    // One service per process (planner, npm start): the shorthand applies to it.
    expect(() =>
      createSourceRegistry(catalog, { env: { API_BASE_URL: 'http://127.0.0.1:2' }, only: 'beta' }),
    ).not.to.throw();
    const registry = createSourceRegistry(catalog, {
      env: { ALPHA_API_BASE_URL: 'http://127.0.0.1:3', BETA_API_BASE_URL: 'http://127.0.0.1:4' },
    });
    expect(() => registry.sourceFor('alpha')).not.to.throw();
    registry.close();
  });
});
