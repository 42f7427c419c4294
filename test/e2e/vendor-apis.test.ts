import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import type { ReplicaServer } from '../support/replicas/replica-server.js';
import { startShopifyReplica } from '../support/replicas/shopify-replica.js';
import { startStripeReplica } from '../support/replicas/stripe-replica.js';
import { startWooReplica } from '../support/replicas/woocommerce-replica.js';

const CONFIG_DIR = join(repoRoot, 'config/examples');

interface Replica extends ReplicaServer {
  baseUrl: string;
  idsIn(start: Date, end: Date): (string | number)[];
}

interface Vendor {
  service: string;
  endpoint: string;
  /** Starts the replica, its rate limit on or off. */
  start(rateLimited: boolean): Promise<Replica>;
  /** The credentials the shipped config reads, for this replica. */
  env(replica: Replica): Record<string, string>;
}

const VENDORS: Vendor[] = [
  {
    service: 'stripe',
    endpoint: 'charges',
    start: (limited) => startStripeReplica(limited ? { rateLimit: { size: 3, perSecond: 2 } } : {}),
    env: (r) => ({ STRIPE_SECRET_KEY: (r as Awaited<ReturnType<typeof startStripeReplica>>).key }),
  },
  {
    service: 'woocommerce',
    endpoint: 'orders',
    start: (limited) => startWooReplica(limited ? { rateLimit: { size: 3, perSecond: 2 } } : {}),
    env: (r) => {
      const woo = r as Awaited<ReturnType<typeof startWooReplica>>;
      return { WC_CONSUMER_KEY: woo.user, WC_CONSUMER_SECRET: woo.secret };
    },
  },
  {
    service: 'shopify',
    endpoint: 'orders',
    // Off: Shopify's own bucket (40, 2 a second), which the shipped 2 requests a second never fills.
    // On: a bucket of 3 draining 1 a second, so the same config meets 429 with Retry-After: 2.0.
    start: (limited) => startShopifyReplica(limited ? { bucket: { size: 3, perSecond: 1 } } : {}),
    env: (r) => ({ SHOPIFY_ACCESS_TOKEN: (r as Awaited<ReturnType<typeof startShopifyReplica>>).token }),
  },
];

const sorted = (ids: readonly (string | number)[]) => ids.map(String).sort();

async function land(
  vendor: Vendor,
  replica: Replica,
  start: string,
  end: string,
  env: Record<string, string> = {},
  configDir = CONFIG_DIR,
) {
  const { dir, cleanup } = tempDir(`rdc-${vendor.service}-`);
  try {
    const args = ['--service', vendor.service, '--endpoint', vendor.endpoint, '--start-date', start, '--end-date', end];
    const result = await runCli(
      APPS.local,
      [...args, '--config-dir', configDir, '--sink', dir, '--json'],
      cleanEnv({
        [`${vendor.service.toUpperCase()}_API_BASE_URL`]: replica.baseUrl,
        ...vendor.env(replica),
        ...env,
      }),
      150_000,
    );
    expect(result.code, result.stderr.slice(-3000)).to.equal(0);
    expect(filesIn(dir).filter((f) => f.startsWith('_deadletter/'))).to.deep.equal([]);
    const output = result.stdout + result.stderr;
    for (const secret of Object.values(vendor.env(replica))) expect(output).not.to.include(secret);
    return idsInFolder(dir);
  } finally {
    cleanup();
  }
}

/** Every request the client sent was one the API accepts: no 400, no 401, no 404. */
function expectAllAccepted(replica: Replica) {
  for (const status of [400, 401, 404]) {
    const bad = replica.stats.byStatus.get(status) ?? 0;
    expect(bad, `${status}s; requests: ${replica.stats.urls.slice(0, 5).join(' | ')}`).to.equal(0);
  }
}

const at = (iso: string) => new Date(iso);

describe('the shipped Stripe, WooCommerce and Shopify configs against replicas of the real APIs', function () {
  this.timeout(400_000);

  for (const vendor of VENDORS) {
    describe(vendor.service, () => {
      let replica: Replica;
      before(async () => {
        replica = await vendor.start(false);
      });
      after(async () => {
        await replica.close();
      });

      it('a month lands every id once, the records on both bounds in it and those a second outside not', async () => {
        const [start, end] = [at('2024-07-01T00:00:00Z'), at('2024-08-01T00:00:00Z')];
        const landed = await land(vendor, replica, '2024-07-01', '2024-08-01');
        expect(landed.length, 'each id once').to.equal(new Set(landed).size);
        expect(sorted(landed)).to.deep.equal(sorted(replica.idsIn(start, end)));
        const ids = new Set(landed);
        const on = (iso: string) => sorted(replica.idsIn(at(iso), new Date(at(iso).getTime() + 1000)));
        for (const id of [...on('2024-07-01T00:00:00Z'), ...on('2024-07-31T23:59:59Z')])
          expect(ids.has(id)).to.equal(true);
        for (const id of [...on('2024-06-30T23:59:59Z'), ...on('2024-08-01T00:00:00Z')])
          expect(ids.has(id)).to.equal(false);
        expect(on('2024-07-01T00:00:00Z')).to.have.length(2);
        expectAllAccepted(replica);
      });

      it('a year lands every id once', async () => {
        const landed = await land(vendor, replica, '2024-01-01', '2025-01-01');
        expect(landed.length, 'each id once').to.equal(new Set(landed).size);
        const expected = sorted(replica.idsIn(at('2024-01-01T00:00:00Z'), at('2025-01-01T00:00:00Z')));
        expect(expected.length).to.be.greaterThan(1400);
        expect(sorted(landed)).to.deep.equal(expected);
        expectAllAccepted(replica);
      });

      it('two adjacent hourly windows land each record once, the one on the shared bound in the later', async () => {
        const first = await land(vendor, replica, '2024-07-15T09:00:00Z', '2024-07-15T10:00:00Z');
        const second = await land(vendor, replica, '2024-07-15T10:00:00Z', '2024-07-15T11:00:00Z');
        const both = [...first, ...second];
        expect(both.length, 'no record in both windows').to.equal(new Set(both).size);
        expect(sorted(both)).to.deep.equal(
          sorted(replica.idsIn(at('2024-07-15T09:00:00Z'), at('2024-07-15T11:00:00Z'))),
        );
        const bound = sorted(replica.idsIn(at('2024-07-15T10:00:00Z'), at('2024-07-15T10:00:01Z')));
        expect(bound).to.have.length(2);
        expect(sorted(second)).to.include.members(bound);
        const before = sorted(replica.idsIn(at('2024-07-15T09:59:59Z'), at('2024-07-15T10:00:00Z')));
        expect(sorted(first)).to.include.members(before);
        const later = sorted(replica.idsIn(at('2024-07-15T11:00:00Z'), at('2024-07-15T11:00:01Z')));
        for (const id of later) expect(both.map(String)).not.to.include(id);
        expectAllAccepted(replica);
      });
    });
  }

  for (const vendor of VENDORS) {
    it(`${vendor.service} with the replica's rate limit on: a year and two adjacent hours, no record lost or repeated`, async () => {
      const replica = await vendor.start(true);
      try {
        // Stripe and WooCommerce clients are sped up past the replica's limit; Shopify's runs as shipped.
        const env: Record<string, string> =
          vendor.service === 'shopify' ? {} : { RDC_REQUESTS_PER_SECOND: '50', RDC_API_CONCURRENCY: '4' };
        const landed = await land(vendor, replica, '2024-01-01', '2025-01-01', env);
        expect(replica.stats.limited, 'the rate limit was met').to.be.greaterThan(0);
        expect(landed.length).to.equal(new Set(landed).size);
        expect(sorted(landed)).to.deep.equal(
          sorted(replica.idsIn(at('2024-01-01T00:00:00Z'), at('2025-01-01T00:00:00Z'))),
        );
        const first = await land(vendor, replica, '2024-07-15T09:00:00Z', '2024-07-15T10:00:00Z', env);
        const second = await land(vendor, replica, '2024-07-15T10:00:00Z', '2024-07-15T11:00:00Z', env);
        expect(sorted([...first, ...second])).to.deep.equal(
          sorted(replica.idsIn(at('2024-07-15T09:00:00Z'), at('2024-07-15T11:00:00Z'))),
        );
        expect(first.length + second.length).to.equal(new Set([...first, ...second]).size);
        expectAllAccepted(replica);
      } finally {
        await replica.close();
      }
    });
  }

  it('WooCommerce by site time: date_created read in Europe/Berlin and after/before sent in it land the same records', async () => {
    const woo = VENDORS[1]!;
    const replica = await woo.start(false);
    const { dir: configDir, cleanup } = tempDir('rdc-woo-config-');
    try {
      // The shipped config, changed the way a user would for a shop whose times are local: no dates_are_gmt.
      const config = JSON.parse(readFileSync(join(CONFIG_DIR, 'woocommerce.json'), 'utf8')) as {
        endpoints: { orders: Record<string, unknown> };
      };
      Object.assign(config.endpoints.orders, { timestampField: 'date_created', timeZone: 'Europe/Berlin', query: {} });
      writeFileSync(join(configDir, 'woocommerce.json'), JSON.stringify(config));
      const month = await land(woo, replica, '2024-07-01', '2024-08-01', {}, configDir);
      expect(sorted(month)).to.deep.equal(
        sorted(replica.idsIn(at('2024-07-01T00:00:00Z'), at('2024-08-01T00:00:00Z'))),
      );
      const first = await land(woo, replica, '2024-07-15T09:00:00Z', '2024-07-15T10:00:00Z', {}, configDir);
      const second = await land(woo, replica, '2024-07-15T10:00:00Z', '2024-07-15T11:00:00Z', {}, configDir);
      expect(sorted(second)).to.include.members(
        sorted(replica.idsIn(at('2024-07-15T10:00:00Z'), at('2024-07-15T10:00:01Z'))),
      );
      expect(sorted([...first, ...second])).to.deep.equal(
        sorted(replica.idsIn(at('2024-07-15T09:00:00Z'), at('2024-07-15T11:00:00Z'))),
      );
      expect(replica.stats.urls.some((u) => u.includes('after=2024-07-15T11%3A59%3A59'))).to.equal(true);
      expectAllAccepted(replica);
    } finally {
      cleanup();
      await replica.close();
    }
  });

  it('README "Adding a service" quotes each shipped config as it is in config/examples', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    for (const vendor of VENDORS) {
      const config = readFileSync(join(CONFIG_DIR, `${vendor.service}.json`), 'utf8').trim();
      expect(readme, `${vendor.service}.json in the README`).to.include(config);
    }
  });

  it("a window off the API's resolution is refused with exit 2, before any page is written", async () => {
    const stripe = VENDORS[0]!;
    const replica = await stripe.start(false);
    const { dir, cleanup } = tempDir('rdc-stripe-grid-');
    try {
      const result = await runCli(
        APPS.local,
        [
          '--service',
          'stripe',
          '--endpoint',
          'charges',
          '--start-date',
          '2024-07-01T10:00:00.500Z',
          '--end-date',
          '2024-07-02',
        ],
        cleanEnv({
          STRIPE_API_BASE_URL: replica.baseUrl,
          ...stripe.env(replica),
          RDC_CONFIG_DIR: CONFIG_DIR,
          RDC_SINK: dir,
        }),
        60_000,
      );
      expect(result.code, result.stderr.slice(-2000)).to.equal(2);
      expect(result.stderr).to.match(/not on a whole step of 1000 ms/);
      expect(idsInFolder(dir)).to.deep.equal([]);
    } finally {
      cleanup();
      await replica.close();
    }
  });
});
