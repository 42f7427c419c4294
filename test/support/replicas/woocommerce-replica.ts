import type { IncomingMessage } from 'node:http';
import { parseTimeZone, readTimestamp, toWallMs } from '@rdc/contracts';
import {
  basicAuth,
  LeakyBucket,
  type Reply,
  type ReplicaServer,
  seeds,
  serveReplica,
  unknownParams,
  unmodelledParams,
} from './replica-server.js';

/**
 * WooCommerce's REST API `GET /wp-json/wc/v3/orders` as its reference documents it, on loopback:
 * - basic auth with the consumer key and secret (else 401 `woocommerce_rest_cannot_view`);
 * - `after` / `before`: ISO 8601, both exclusive, compared in whole seconds as
 *   WordPress's `WP_Date_Query` does: as wall-clock text against `post_date` (site
 *   time) or, with `dates_are_gmt=true`, `post_date_gmt`. A value without an offset is
 *   taken as it is; a value with one is first converted to the site's wall clock, so
 *   under `dates_are_gmt=true` a `Z` or `+00:00` bound lands hours off on a site not in GMT;
 * - `page` (from 1), `per_page` 1..100 (default 10), `X-WP-Total` and `X-WP-TotalPages`
 *   headers and `Link` rel="prev"/"next"; a page past the last is an empty list
 *   (the REST CRUD controller's `get_items`, unlike WordPress's posts controller);
 * - newest first (`order=desc`, `orderby=date`) by default; `status` default `any`;
 * - orders carry `date_created` (site time, no offset) and `date_created_gmt` (GMT, no offset).
 * Stricter than WordPress, which ignores unknown parameters: any parameter the
 * reference does not list is a 400 here, so a client sending one is caught, and so
 * are the documented ones the replica does not act on (`modified_after`, `offset`, …).
 */

export interface WooOrder {
  id: number;
  status: string;
  currency: string;
  total: string;
  date_created: string;
  date_created_gmt: string;
  date_modified: string;
  date_modified_gmt: string;
  date_paid: string | null;
  date_paid_gmt: string | null;
  customer_id: number;
  line_items: { id: number; name: string; product_id: number; quantity: number; total: string }[];
  meta_data: { id: number; key: string; value: string }[];
  _links: Record<string, { href: string }[]>;
}

export interface WooReplica extends ReplicaServer {
  /** `<origin>/wp-json/wc/v3`. */
  baseUrl: string;
  user: string;
  secret: string;
  orders: readonly WooOrder[];
  /** Ids with date_created_gmt in [start, end), newest first. */
  idsIn(start: Date, end: Date): number[];
}

const KNOWN = new Set([
  'context',
  'page',
  'per_page',
  'search',
  'after',
  'before',
  'modified_after',
  'modified_before',
  'dates_are_gmt',
  'exclude',
  'include',
  'offset',
  'order',
  'orderby',
  'parent',
  'parent_exclude',
  'status',
  'customer',
  'product',
  'dp',
]);
/** The parameters the replica acts on; the other documented ones are refused (see `unmodelledParams`). */
const MODELLED = new Set(['page', 'per_page', 'after', 'before', 'dates_are_gmt', 'order', 'orderby', 'status']);
const STATUSES = ['completed', 'completed', 'processing', 'on-hold', 'pending', 'cancelled', 'refunded', 'failed'];
const SITE_ZONE = 'Europe/Berlin';
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

const invalid = (param: string, message: string): Reply => ({
  status: 400,
  body: {
    code: 'rest_invalid_param',
    message: `Invalid parameter(s): ${param}`,
    data: { status: 400, params: { [param]: message } },
  },
});

const wall = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

export async function startWooReplica(
  options: { rateLimit?: { size: number; perSecond: number } } = {},
): Promise<WooReplica> {
  const user = 'ck_4f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6';
  const secret = 'cs_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b';
  const zone = parseTimeZone(SITE_ZONE)!;
  const orders: WooOrder[] = seeds()
    .map((s) => ({
      id: 1000 + s.seq,
      status: STATUSES[s.kind % STATUSES.length]!,
      currency: 'EUR',
      total: ((2000 + s.kind * 13) / 100).toFixed(2),
      date_created: wall(toWallMs(s.at, zone)),
      date_created_gmt: wall(s.at),
      date_modified: wall(toWallMs(s.at + 60_000, zone)),
      date_modified_gmt: wall(s.at + 60_000),
      date_paid: s.kind % 4 === 0 ? null : wall(toWallMs(s.at + 30_000, zone)),
      date_paid_gmt: s.kind % 4 === 0 ? null : wall(s.at + 30_000),
      customer_id: s.kind % 3 === 0 ? 0 : 26 + s.kind,
      line_items: [{ id: 315 + s.seq, name: 'Woo Single #1', product_id: 93, quantity: 2, total: '6.00' }],
      meta_data: [{ id: 13_106 + s.seq, key: '_download_permissions_granted', value: 'yes' }],
      _links: {
        self: [{ href: `https://example.com/wp-json/wc/v3/orders/${1000 + s.seq}` }],
        collection: [{ href: 'https://example.com/wp-json/wc/v3/orders' }],
      },
    }))
    .reverse();
  const createdAt = (o: WooOrder) => Date.parse(`${o.date_created_gmt}Z`);
  const bucket = options.rateLimit && new LeakyBucket(options.rateLimit.size, options.rateLimit.perSecond);

  /**
   * A date parameter as the wall-clock text `WP_Date_Query` compares (as ms, read as if UTC):
   * a value without an offset as it is, a zoned one converted to the site's wall clock.
   */
  function dateParam(raw: string): number {
    if (ZONED.test(raw)) return toWallMs(readTimestamp(raw, 'datetime'), zone);
    if (LOCAL.test(raw)) return readTimestamp(raw, 'datetime-local');
    return NaN;
  }

  function handle(req: IncomingMessage, url: URL): Reply {
    const auth = basicAuth(req);
    if (!auth || auth.user !== user || auth.secret !== secret) {
      return {
        status: 401,
        body: {
          code: 'woocommerce_rest_cannot_view',
          message: 'Sorry, you cannot list resources.',
          data: { status: 401 },
        },
      };
    }
    if (bucket && !bucket.take().ok) {
      return {
        status: 429,
        headers: { 'retry-after': '1' },
        body: { code: 'too_many_requests', message: 'Too many requests.' },
      };
    }
    if (url.pathname !== '/wp-json/wc/v3/orders') {
      return {
        status: 404,
        body: {
          code: 'rest_no_route',
          message: 'No route was found matching the URL and request method.',
          data: { status: 404 },
        },
      };
    }
    const unknown = unknownParams(url, KNOWN);
    if (unknown.length > 0) return invalid(unknown[0]!, `${unknown[0]} is not a parameter of this endpoint.`);
    const unmodelled = unmodelledParams(url, MODELLED);
    if (unmodelled.length > 0) {
      return invalid(unmodelled[0]!, `${unmodelled[0]} is a documented parameter this replica does not model.`);
    }
    const q = url.searchParams;
    const orderby = q.get('orderby') ?? 'date';
    if (orderby !== 'date' && orderby !== 'id') {
      return invalid('orderby', `orderby=${orderby} is documented but this replica models only date and id.`);
    }
    const gmtRaw = q.get('dates_are_gmt') ?? 'false';
    if (!['true', 'false', '1', '0'].includes(gmtRaw))
      return invalid('dates_are_gmt', 'dates_are_gmt is not of type boolean.');
    const gmt = gmtRaw === 'true' || gmtRaw === '1';
    const bounds: Record<'after' | 'before', number | undefined> = { after: undefined, before: undefined };
    for (const name of ['after', 'before'] as const) {
      const raw = q.get(name);
      if (raw === null) continue;
      const at = dateParam(raw);
      if (Number.isNaN(at)) return invalid(name, `Invalid date.`);
      bounds[name] = at;
    }
    const perPage = Number(q.get('per_page') ?? '10');
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      return invalid('per_page', 'per_page must be between 1 (inclusive) and 100 (inclusive)');
    }
    const page = Number(q.get('page') ?? '1');
    if (!Number.isInteger(page) || page < 1) return invalid('page', 'page must be greater than or equal to 1');
    const order = q.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') return invalid('order', 'order is not one of asc and desc.');
    const status = q.get('status') ?? 'any';
    /** The column the bounds compare with: `post_date_gmt` or `post_date`, as wall-clock ms. */
    const column = (o: WooOrder) => (gmt ? createdAt(o) : toWallMs(createdAt(o), zone));
    const listed = orders.filter(
      (o) =>
        (status === 'any' || status.split(',').includes(o.status)) &&
        (bounds.after === undefined || column(o) > bounds.after) &&
        (bounds.before === undefined || column(o) < bounds.before),
    );
    if (order === 'asc') listed.reverse();
    const pages = Math.ceil(listed.length / perPage);
    const links: string[] = [];
    const pageUrl = (n: number) => {
      const link = new URL(url);
      link.searchParams.set('page', String(n));
      return `<${link.href}>`;
    };
    if (page > 1) links.push(`${pageUrl(Math.min(page - 1, pages))}; rel="prev"`);
    if (pages > page) links.push(`${pageUrl(page + 1)}; rel="next"`);
    return {
      status: 200,
      headers: {
        'x-wp-total': String(listed.length),
        'x-wp-totalpages': String(pages),
        ...(links.length > 0 && { link: links.join(', ') }),
      },
      body: listed.slice((page - 1) * perPage, page * perPage),
    };
  }

  const server = await serveReplica(handle);
  return {
    ...server,
    baseUrl: `${server.origin}/wp-json/wc/v3`,
    user,
    secret,
    orders,
    idsIn: (start, end) =>
      orders.filter((o) => createdAt(o) >= start.getTime() && createdAt(o) < end.getTime()).map((o) => o.id),
  };
}
