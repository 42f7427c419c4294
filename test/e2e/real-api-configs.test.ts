import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApiOptions } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/real-apis');
const YEAR = { start: '2024-01-01', end: '2025-01-01' };

interface Case {
  file: string;
  endpoint: string;
  pageSize: number;
  counted: boolean;
  /** The mock in the API's style, credentials required. */
  mock: Partial<MockApiOptions>;
  /** The credentials the config's auth reads. */
  env: Record<string, string>;
}

const CASES: Case[] = [
  {
    file: 'shopify',
    endpoint: 'orders',
    pageSize: 250,
    counted: false,
    mock: {
      pagination: 'link-header',
      strictLinks: true,
      recordsPath: 'orders',
      apiKey: 'shpat_0a1b2c3d4e5f',
      apiKeyHeader: 'X-Shopify-Access-Token',
    },
    env: { SHOPIFY_ACCESS_TOKEN: 'shpat_0a1b2c3d4e5f' },
  },
  {
    file: 'woocommerce',
    endpoint: 'orders',
    pageSize: 100,
    counted: true,
    mock: { pagination: 'page', totalIn: 'wp', bareArray: true, basicUser: 'ck_5f6e7d', basicSecret: 'cs_9a8b7c' },
    env: { WC_CONSUMER_KEY: 'ck_5f6e7d', WC_CONSUMER_SECRET: 'cs_9a8b7c' },
  },
  {
    file: 'stripe',
    endpoint: 'charges',
    pageSize: 100,
    counted: false,
    mock: { pagination: 'starting-after', bearerToken: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' },
    env: { STRIPE_SECRET_KEY: 'sk_test_4eC39HqLyjWDarjtT1zdp7dc' },
  },
];

describe('the README configs for Shopify-, WooCommerce- and Stripe-style APIs, end to end', function () {
  this.timeout(90_000);

  for (const c of CASES) {
    it(`${c.file}: a year lands every id once, within 1.2 × ideal + 2 requests, no secret in the output`, async () => {
      const api = await createMockApi({
        sales: 5000,
        dataStart: new Date(`${YEAR.start}T00:00:00Z`),
        dataEnd: new Date(`${YEAR.end}T00:00:00Z`),
        ...c.mock,
      });
      const { dir, cleanup } = tempDir();
      try {
        const args = [
          '--service',
          c.file,
          '--endpoint',
          c.endpoint,
          '--start_date',
          YEAR.start,
          '--end_date',
          YEAR.end,
        ];
        const env = cleanEnv({ [`${c.file.toUpperCase()}_API_BASE_URL`]: api.url, ...c.env });
        const result = await runCli(
          APPS.local,
          [...args, '--config-dir', CONFIG_DIR, '--sink', dir, '--json'],
          env,
          60_000,
        );
        expect(result.code, result.stderr.slice(-3000)).to.equal(0);
        const expected = api.idsInWindow('sales', new Date(YEAR.start), new Date(YEAR.end));
        const landed = idsInFolder(dir);
        expect(new Set(landed).size).to.equal(landed.length);
        expect(landed).to.deep.equal(expected);
        expect(api.stats.byStatus[401] ?? 0, 'every request authenticated').to.equal(0);
        expect(api.stats.byStatus[400] ?? 0, 'no next link refused').to.equal(0);
        const ideal = Math.ceil(expected.length / c.pageSize) + (c.counted ? 1 : 0);
        expect(api.stats.requests).to.be.at.most(1.2 * ideal + 2);
        const output = result.stdout + result.stderr;
        for (const secret of Object.values(c.env)) expect(output).not.to.include(secret);
        expect(filesIn(dir).filter((f) => f.startsWith('_deadletter/'))).to.deep.equal([]);
      } finally {
        cleanup();
        await api.close();
      }
    });
  }
});
