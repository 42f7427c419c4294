import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import {
  at,
  CONFIG_DIR,
  expectAllAccepted,
  land,
  type Replica,
  sorted,
  VENDORS,
} from '../support/replicas/vendor-runs.js';

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
