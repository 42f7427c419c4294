import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../cli.js';
import { tempDir } from '../hooks.js';
import type { ReplicaServer } from './replica-server.js';
import { startShopifyReplica } from './shopify-replica.js';
import { startStripeReplica } from './stripe-replica.js';
import { startWooReplica } from './woocommerce-replica.js';

/** The shipped vendor configs run against the replicas: what the end-to-end tests share. */

export const CONFIG_DIR = join(repoRoot, 'config/examples');

export interface Replica extends ReplicaServer {
  baseUrl: string;
  idsIn(start: Date, end: Date): (string | number)[];
}

export interface Vendor {
  service: string;
  endpoint: string;
  /** Starts the replica, its rate limit on or off. */
  start(rateLimited: boolean): Promise<Replica>;
  /** The credentials the shipped config reads, for this replica. */
  env(replica: Replica): Record<string, string>;
}

export const VENDORS: Vendor[] = [
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

export const sorted = (ids: readonly (string | number)[]) => ids.map(String).sort();

export async function land(
  vendor: Vendor,
  replica: Replica,
  start: string,
  end: string,
  env: Record<string, string> = {},
  configDir = CONFIG_DIR,
  /** Looks at the landed folder before it is removed. */
  look?: (dir: string) => void,
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
    look?.(dir);
    return idsInFolder(dir);
  } finally {
    cleanup();
  }
}

/** Every request the client sent was one the API accepts: no 400, no 401, no 404. */
export function expectAllAccepted(replica: Replica) {
  for (const status of [400, 401, 404]) {
    const bad = replica.stats.byStatus.get(status) ?? 0;
    expect(bad, `${status}s; requests: ${replica.stats.urls.slice(0, 5).join(' | ')}`).to.equal(0);
  }
}

export const at = (iso: string) => new Date(iso);
