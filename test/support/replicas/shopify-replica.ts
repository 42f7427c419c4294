import type { IncomingMessage } from 'node:http';
import { formatOffset, parseTimeZone, readTimestamp, toWallMs } from '@rdc/contracts';
import {
  LeakyBucket,
  type Reply,
  type ReplicaServer,
  seeds,
  serveReplica,
  unknownParams,
  unmodelledParams,
} from './replica-server.js';

/**
 * Shopify's REST Admin API `GET /admin/api/2024-07/orders.json` as its reference documents it, on loopback:
 * - the access token in `X-Shopify-Access-Token` (else 401);
 * - `created_at_min` / `created_at_max` both inclusive, ISO 8601 such as
 *   `2014-04-25T16:15:47-04:00` (a value without an offset is read in the shop's zone);
 * - `status` `open` by default (so closed and cancelled orders need `status=any`);
 * - `limit` 1..250 (default 50); newest first;
 * - next and previous pages only through the `Link` header's `page_info` URLs
 *   (`<…>; rel="previous", <…>; rel="next"` on a page between others, no header when
 *   the first page holds everything), and a request with `page_info` may carry no
 *   parameter but `limit` and `fields` (else 400);
 * - orders carry `created_at` in the shop's zone with its offset;
 * - the leaky bucket: `X-Shopify-Shop-Api-Call-Limit: n/size` on each reply, and
 *   429 with `Retry-After: 2.0` when the bucket is full (size 40, 2 a second, as on
 *   standard plans; smaller in tests).
 * Stricter than Shopify, which ignores parameters it does not know: those are a 400 here,
 * and so are the documented filters the replica does not act on (`since_id`, `fields`, …).
 */

export interface ShopifyOrder {
  id: number;
  name: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  cancelled_at: string | null;
  financial_status: string;
  currency: string;
  total_price: string;
  admin_graphql_api_id: string;
  order_number: number;
  /** Null for an order without a customer. */
  customer: { id: number; email: string; created_at: string } | null;
  line_items: { id: number; variant_id: number; title: string; quantity: number; price: string }[];
}

export interface ShopifyReplica extends ReplicaServer {
  /** `<origin>/admin/api/2024-07`. */
  baseUrl: string;
  token: string;
  orders: readonly ShopifyOrder[];
  /** Ids of every order (any status) created in [start, end), newest first. */
  idsIn(start: Date, end: Date): number[];
}

const FILTERS = [
  'ids',
  'limit',
  'since_id',
  'created_at_min',
  'created_at_max',
  'updated_at_min',
  'updated_at_max',
  'processed_at_min',
  'processed_at_max',
  'attribution_app_id',
  'status',
  'financial_status',
  'fulfillment_status',
  'fields',
];
const KNOWN = new Set([...FILTERS, 'page_info']);
/** The parameters the replica acts on; the other documented ones are refused (see `unmodelledParams`). */
const MODELLED = new Set(['limit', 'created_at_min', 'created_at_max', 'status', 'page_info']);
const WITH_PAGE_INFO = new Set(['page_info', 'limit', 'fields']);
const SHOP_ZONE = 'America/New_York';
const PATH = '/admin/api/2024-07/orders.json';

interface Cursor {
  /** The first request's filters. */
  f: Record<string, string>;
  /** The order the page is next to: created (ms) and id. */
  at: number;
  id: number;
  /** `prev`: the page before that order; otherwise the page after it. */
  d?: 'prev';
}

const errors = (status: number, errors: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  headers,
  body: { errors },
});

export async function startShopifyReplica(
  options: { bucket?: { size: number; perSecond: number } } = {},
): Promise<ShopifyReplica> {
  const token = 'shpat_0123456789abcdef0123456789abcdef';
  const zone = parseTimeZone(SHOP_ZONE)!;
  const stamp = (ms: number) =>
    `${new Date(toWallMs(ms, zone)).toISOString().slice(0, 19)}${formatOffset(zone.offsetMinutes(ms))}`;
  const instants = new Map<number, number>();
  const orders: ShopifyOrder[] = seeds()
    .map((s) => {
      // Ids as real shops have them: nine digits on old shops (the reference's 450789469), thirteen on newer ones.
      const id = s.seq <= 100 ? 450_789_469 + s.seq * 1000 : 5_678_901_234_567 + s.seq;
      instants.set(id, s.at);
      const kind = s.kind % 4;
      return {
        id,
        name: `#${1000 + s.seq}`,
        created_at: stamp(s.at),
        updated_at: stamp(s.at + 120_000),
        closed_at: kind === 2 ? stamp(s.at + 86_400_000) : null,
        cancelled_at: kind === 3 ? stamp(s.at + 3_600_000) : null,
        financial_status: kind === 3 ? 'voided' : 'paid',
        currency: 'USD',
        total_price: ((1000 + s.kind * 7) / 100).toFixed(2),
        admin_graphql_api_id: `gid://shopify/Order/${id}`,
        order_number: 1000 + s.seq,
        customer:
          s.kind % 5 === 0
            ? null
            : { id: 207_119_551 + s.kind, email: `bob${s.kind}@example.com`, created_at: stamp(s.at - 86_400_000) },
        line_items: [
          {
            id: 466_157_049 + s.seq * 10,
            variant_id: 39_072_856,
            title: 'IPod Nano - 8gb',
            quantity: 1 + (s.kind % 3),
            price: '199.00',
          },
        ],
      };
    })
    .reverse();
  const at = (o: ShopifyOrder) => instants.get(o.id)!;
  const size = options.bucket?.size ?? 40;
  const bucket = new LeakyBucket(size, options.bucket?.perSecond ?? 2);
  const limited = options.bucket !== undefined;

  function instant(raw: string): number {
    if (/(Z|[+-]\d{2}:\d{2})$/.test(raw)) return readTimestamp(raw, 'datetime');
    if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) return readTimestamp(raw, 'date', zone);
    return readTimestamp(raw, 'datetime-local', zone);
  }

  function list(filters: Record<string, string>) {
    const min = filters.created_at_min === undefined ? -Infinity : instant(filters.created_at_min);
    const max = filters.created_at_max === undefined ? Infinity : instant(filters.created_at_max);
    const status = filters.status ?? 'open';
    return orders.filter((o) => {
      const open = o.closed_at === null && o.cancelled_at === null;
      const statusOk =
        status === 'any' ||
        (status === 'open' && open) ||
        (status === 'closed' && o.closed_at !== null) ||
        (status === 'cancelled' && o.cancelled_at !== null);
      return statusOk && at(o) >= min && at(o) <= max;
    });
  }

  function handle(req: IncomingMessage, url: URL): Reply {
    if (req.headers['x-shopify-access-token'] !== token) {
      return errors(401, '[API] Invalid API key or access token (unrecognized login or wrong password)');
    }
    const take = bucket.take();
    const callLimit = { 'x-shopify-shop-api-call-limit': `${take.used}/${size}` };
    if (limited && !take.ok) {
      return errors(
        429,
        'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        {
          ...callLimit,
          'retry-after': '2.0',
        },
      );
    }
    if (url.pathname !== PATH) return errors(404, 'Not Found', callLimit);
    const q = url.searchParams;
    const unknown = unknownParams(url, KNOWN);
    if (unknown.length > 0) return errors(400, { [unknown[0]!]: 'is not a valid parameter' }, callLimit);
    const unmodelled = unmodelledParams(url, MODELLED);
    if (unmodelled.length > 0) {
      return errors(400, { [unmodelled[0]!]: 'is a documented parameter this replica does not model' }, callLimit);
    }
    const limitRaw = q.get('limit') ?? '50';
    const limit = /^\d+$/.test(limitRaw) ? Number(limitRaw) : NaN;
    if (!(limit >= 1 && limit <= 250)) return errors(400, { limit: 'Limit must be between 1 and 250' }, callLimit);
    let filters: Record<string, string>;
    let cursor: Cursor | undefined;
    const pageInfo = q.get('page_info');
    if (pageInfo !== null) {
      const extra = [...q.keys()].filter((name) => !WITH_PAGE_INFO.has(name));
      if (extra.length > 0) {
        return errors(
          400,
          { page_info: `page_info cannot be passed with other parameters: ${extra.join(', ')}` },
          callLimit,
        );
      }
      try {
        cursor = JSON.parse(Buffer.from(pageInfo, 'base64url').toString('utf8')) as Cursor;
      } catch {
        return errors(400, { page_info: 'Invalid value.' }, callLimit);
      }
      if (
        typeof cursor !== 'object' ||
        cursor === null ||
        typeof cursor.at !== 'number' ||
        typeof cursor.id !== 'number'
      ) {
        return errors(400, { page_info: 'Invalid value.' }, callLimit);
      }
      filters = cursor.f;
    } else {
      filters = {};
      for (const name of FILTERS) {
        const value = q.get(name);
        if (value !== null && name !== 'limit') filters[name] = value;
      }
      for (const name of ['created_at_min', 'created_at_max']) {
        const value = filters[name];
        if (value !== undefined && Number.isNaN(instant(value)))
          return errors(400, { [name]: 'is invalid' }, callLimit);
      }
      const status = filters.status;
      if (status !== undefined && !['open', 'closed', 'cancelled', 'any'].includes(status)) {
        return errors(400, { status: 'is invalid' }, callLimit);
      }
    }
    const matching = list(filters);
    // Newest first: an order is past the cursor when it was created earlier, or in the same second with a lower id.
    const older = (o: ShopifyOrder, c: Cursor) => at(o) < c.at || (at(o) === c.at && o.id < c.id);
    let from = 0;
    let to = Math.min(limit, matching.length);
    if (cursor?.d === 'prev') {
      const newer = (o: ShopifyOrder) => at(o) > cursor.at || (at(o) === cursor.at && o.id > cursor.id);
      to = matching.findIndex((o) => !newer(o));
      if (to < 0) to = matching.length;
      from = Math.max(0, to - limit);
    } else if (cursor) {
      from = matching.findIndex((o) => older(o, cursor));
      if (from < 0) from = matching.length;
      to = Math.min(from + limit, matching.length);
    }
    const page = matching.slice(from, to);
    const headers: Record<string, string> = { ...callLimit };
    const link = (o: ShopifyOrder, d: 'prev' | 'next') => {
      const info = Buffer.from(
        JSON.stringify({ f: filters, at: at(o), id: o.id, ...(d === 'prev' && { d }) }),
      ).toString('base64url');
      return `<${url.origin}${PATH}?limit=${limit}&page_info=${info}>; rel="${d === 'prev' ? 'previous' : 'next'}"`;
    };
    const links: string[] = [];
    if (from > 0 && page[0]) links.push(link(page[0], 'prev'));
    const last = page.at(-1);
    if (last && to < matching.length) links.push(link(last, 'next'));
    if (links.length > 0) headers.link = links.join(', ');
    return { status: 200, headers, body: { orders: page } };
  }

  const server = await serveReplica(handle);
  return {
    ...server,
    baseUrl: `${server.origin}/admin/api/2024-07`,
    token,
    orders,
    idsIn: (start, end) => orders.filter((o) => at(o) >= start.getTime() && at(o) < end.getTime()).map((o) => o.id),
  };
}
