import { createMockApi, type MockApiOptions } from '@rdc/mock-server';
import { startShopifyReplica } from './replicas/shopify-replica.js';
import { startStripeReplica } from './replicas/stripe-replica.js';
import { startWooReplica } from './replicas/woocommerce-replica.js';

/** An API probe is run against: its first-page URL, and the ids it holds in a window. */
export interface ProbedApi {
  url: string;
  env: Record<string, string>;
  idsIn(start: Date, end: Date): string[];
  close(): Promise<void>;
}

export interface ProbeCase {
  name: string;
  /** The service name given to probe. */
  service: string;
  endpoint: string;
  auth?: string;
  start(): Promise<ProbedApi>;
  /** The gaps probe must mark, by key, with the value that fills each. */
  gaps: Record<string, unknown>;
  /** Also run the draft as saved, gaps and all: the connector must refuse it. */
  runUnfilled?: boolean;
}

const JULY = 'start_date=2024-07-01T00:00:00Z&end_date=2024-08-01T00:00:00Z';
/** The bundled API's bounds are [start, end): what a user reads in its reference. */
const MOCK_BOUNDS = { 'params.startBound': 'inclusive', 'params.endBound': 'exclusive' };

function mock(
  name: string,
  options: Partial<MockApiOptions>,
  query: string,
  gaps: Record<string, unknown> = {},
): ProbeCase {
  const service = `mock_${name}`;
  return {
    name: `the bundled API, ${options.pagination ?? 'offset'} ${JSON.stringify(options)}`,
    service,
    endpoint: 'sales',
    start: async () => {
      const api = await createMockApi(options);
      return {
        url: `${api.url}/sales?${JULY}&${query}`,
        env: {},
        idsIn: (start, end) => api.idsInWindow('sales', start, end),
        close: () => api.close(),
      };
    },
    gaps: { ...MOCK_BOUNDS, ...gaps },
  };
}

const strings = (ids: readonly (string | number)[]) => ids.map(String);

export const PROBE_CASES: ProbeCase[] = [
  mock('offset', {}, 'limit=100&offset=0'),
  mock('page0', { pagination: 'page', firstPage: 0, totalIn: 'x-total-count' }, 'per_page=100&page=0'),
  mock('wp', { pagination: 'page', totalIn: 'wp', bareArray: true }, 'per_page=100&page=1'),
  mock('rows', { recordsPath: 'results.rows' }, 'limit=100&offset=0'),
  mock('link', { pagination: 'link-header' }, 'limit=100'),
  mock('cursor', { pagination: 'body-cursor' }, 'limit=100', { 'pagination.cursorParam': 'cursor' }),
  mock('next_url', { pagination: 'body-cursor', bodyNext: 'url' }, 'limit=100'),
  mock('after', { pagination: 'starting-after' }, 'limit=100'),
  {
    name: 'the Stripe replica, created[gte] and created[lt], has_more',
    service: 'stripe',
    endpoint: 'charges',
    auth: 'bearer:STRIPE_SECRET_KEY',
    start: async () => {
      const r = await startStripeReplica();
      return {
        url: `${r.baseUrl}/charges?created%5Bgte%5D=1719792000&created%5Blt%5D=1722470400&limit=100`,
        env: { STRIPE_SECRET_KEY: r.key },
        idsIn: (start, end) => strings(r.idsIn(start, end)),
        close: () => r.close(),
      };
    },
    gaps: {},
  },
  {
    name: 'the Shopify replica, created_at_min and created_at_max, Link header',
    service: 'shopify',
    endpoint: 'orders',
    auth: 'header:X-Shopify-Access-Token:SHOPIFY_ACCESS_TOKEN',
    start: async () => {
      const r = await startShopifyReplica();
      const window = 'created_at_min=2024-07-01T00:00:00-04:00&created_at_max=2024-07-31T23:59:59-04:00';
      return {
        url: `${r.baseUrl}/orders.json?status=any&${window}&limit=50`,
        env: { SHOPIFY_ACCESS_TOKEN: r.token },
        idsIn: (start, end) => strings(r.idsIn(start, end)),
        close: () => r.close(),
      };
    },
    // Shopify's reference: "Show orders created at or after / before or at date".
    gaps: { 'params.startBound': 'inclusive', 'params.endBound': 'inclusive' },
  },
  {
    name: 'the WooCommerce replica, after and before, page numbers with X-WP-Total, date_created_gmt',
    service: 'woocommerce',
    endpoint: 'orders',
    auth: 'basic:WC_CONSUMER_KEY:WC_CONSUMER_SECRET',
    start: async () => {
      const r = await startWooReplica();
      return {
        url: `${r.baseUrl}/orders?after=2024-06-30T23:59:59&before=2024-08-01T00:00:00&dates_are_gmt=true&per_page=100&page=1`,
        env: { WC_CONSUMER_KEY: r.user, WC_CONSUMER_SECRET: r.secret },
        idsIn: (start, end) => strings(r.idsIn(start, end)),
        close: () => r.close(),
      };
    },
    // WooCommerce's reference: after and before are exclusive; dates_are_gmt=true reads them in GMT.
    // The newest orders on the page place date_created_gmt alone inside the window, as written.
    gaps: {
      'params.startBound': 'exclusive',
      'params.endBound': 'exclusive',
      timeZone: 'UTC',
    },
    runUnfilled: true,
  },
];
