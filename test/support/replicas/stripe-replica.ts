import type { IncomingMessage } from 'node:http';
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
 * The Stripe API's `GET /v1/charges` as its reference documents it, on loopback:
 * - a secret key as `Authorization: Bearer sk_…`, or by basic auth with the key as the
 *   user name and no password (else 401);
 * - `created[gt|gte|lt|lte]` as integer Unix seconds, `limit` 1..100 (default 10),
 *   `starting_after` / `ending_before` object ids, and the other documented filters;
 *   any other parameter is a 400 `invalid_request_error` naming it, and so are the documented
 *   ones the replica does not act on (`ending_before`, `customer`, `expand[]`, …);
 * - newest first (created descending), `{ object: "list", data, has_more, url }`;
 *   `starting_after` is a position in that order: the charges listed after the one named
 *   (which must exist, else 400 `No such charge`), whether or not it matches the filters;
 * - charges carry `created` in Unix seconds.
 * With `rateLimit` on, requests beyond it get 429 `rate_limit` (Stripe sends no Retry-After).
 */

export interface StripeCharge {
  id: string;
  object: 'charge';
  amount: number;
  currency: string;
  created: number;
  livemode: false;
  paid: boolean;
  status: 'succeeded' | 'pending' | 'failed';
  amount_captured: number;
  amount_refunded: number;
  customer: string | null;
  description: string | null;
  failure_code: string | null;
  metadata: Record<string, string>;
  payment_intent: string | null;
  refunded: boolean;
  billing_details: { address: Record<string, string | null>; email: string | null; name: string | null };
  outcome: { network_status: string; risk_level: string; type: string } | null;
}

export interface StripeReplica extends ReplicaServer {
  /** The base URL with Stripe's path prefix: `<origin>/v1`. */
  baseUrl: string;
  key: string;
  charges: readonly StripeCharge[];
  /** Ids the API lists for created in [start, end), newest first. */
  idsIn(start: Date, end: Date): string[];
}

const KNOWN = new Set([
  'created',
  'created[gt]',
  'created[gte]',
  'created[lt]',
  'created[lte]',
  'customer',
  'ending_before',
  'expand[]',
  'limit',
  'payment_intent',
  'starting_after',
  'transfer_group',
]);
/** The parameters the replica acts on; the other documented ones are refused (see `unmodelledParams`). */
const MODELLED = new Set([
  'created',
  'created[gt]',
  'created[gte]',
  'created[lt]',
  'created[lte]',
  'limit',
  'starting_after',
]);
const noMetadata: Record<string, string> = {};
const STATUSES = ['succeeded', 'succeeded', 'succeeded', 'pending', 'failed'] as const;

const error = (status: number, type: string, message: string, param?: string): Reply => ({
  status,
  body: { error: { type, message, ...(param && { param }) } },
});

export async function startStripeReplica(
  options: { rateLimit?: { size: number; perSecond: number } } = {},
): Promise<StripeReplica> {
  const key = 'sk_test_51Hreplica0000000000000000';
  const charges: StripeCharge[] = seeds()
    .map((s) => ({
      id: `ch_3Pr${s.seq.toString(36).padStart(8, '0')}${(s.kind * 7919).toString(36).padStart(6, 'x')}`,
      object: 'charge' as const,
      amount: 500 + s.kind,
      currency: 'usd',
      created: s.at / 1000,
      livemode: false as const,
      paid: s.kind % 5 !== 4,
      status: STATUSES[s.kind % 5]!,
      amount_captured: STATUSES[s.kind % 5] === 'succeeded' ? 500 + s.kind : 0,
      amount_refunded: 0,
      customer: s.kind % 3 === 0 ? null : `cus_NffrFeUfNV2Hib${s.kind}`,
      description: null,
      failure_code: STATUSES[s.kind % 5] === 'failed' ? 'card_declined' : null,
      metadata: s.kind % 2 === 0 ? noMetadata : { order_id: String(6735 + s.seq) },
      payment_intent: `pi_3Pr${s.seq.toString(36).padStart(8, '0')}`,
      refunded: false,
      billing_details: {
        address: { city: null, country: 'US', line1: null, line2: null, postal_code: '94107', state: null },
        email: null,
        name: 'Jenny Rosen',
      },
      outcome:
        STATUSES[s.kind % 5] === 'pending'
          ? null
          : { network_status: 'approved_by_network', risk_level: 'normal', type: 'authorized' },
    }))
    // Newest first; charges created in the same second in reverse creation order.
    .reverse();
  const position = new Map(charges.map((c, i) => [c.id, i]));
  const bucket = options.rateLimit && new LeakyBucket(options.rateLimit.size, options.rateLimit.perSecond);

  function handle(req: IncomingMessage, url: URL): Reply {
    const basic = basicAuth(req);
    if (req.headers.authorization !== `Bearer ${key}` && !(basic?.user === key && basic.secret === '')) {
      return error(401, 'invalid_request_error', 'Invalid API Key provided: sk_test_****');
    }
    if (bucket && !bucket.take().ok) {
      return error(429, 'invalid_request_error', 'Request rate limit exceeded.', undefined);
    }
    if (url.pathname !== '/v1/charges')
      return error(404, 'invalid_request_error', `Unrecognized request URL (GET: ${url.pathname}).`);
    const unknown = unknownParams(url, KNOWN);
    if (unknown.length > 0)
      return error(400, 'invalid_request_error', `Received unknown parameter: ${unknown[0]}`, unknown[0]);
    const unmodelled = unmodelledParams(url, MODELLED);
    if (unmodelled.length > 0) {
      return error(
        400,
        'invalid_request_error',
        `${unmodelled[0]} is a documented parameter this replica does not model`,
        unmodelled[0],
      );
    }
    for (const name of url.searchParams.keys()) {
      if (url.searchParams.getAll(name).length > 1 && name !== 'expand[]') {
        return error(400, 'invalid_request_error', `Received multiple values for parameter: ${name}`, name);
      }
    }
    const q = url.searchParams;
    const bounds = new Map<string, number>();
    for (const op of ['gt', 'gte', 'lt', 'lte']) {
      const raw = q.get(`created[${op}]`);
      if (raw === null) continue;
      if (!/^\d+$/.test(raw)) return error(400, 'invalid_request_error', `Invalid integer: ${raw}`, `created[${op}]`);
      bounds.set(op, Number(raw));
    }
    if (q.has('created') && !/^\d+$/.test(q.get('created')!)) {
      return error(400, 'invalid_request_error', `Invalid integer: ${q.get('created')}`, 'created');
    }
    const limitRaw = q.get('limit') ?? '10';
    const limit = /^\d+$/.test(limitRaw) ? Number(limitRaw) : NaN;
    if (!(limit >= 1 && limit <= 100)) {
      return error(400, 'invalid_request_error', 'Invalid limit: must be between 1 and 100', 'limit');
    }
    if (q.has('starting_after') && q.has('ending_before')) {
      return error(
        400,
        'invalid_request_error',
        'You may only specify one of these parameters: ending_before, starting_after.',
      );
    }
    const exact = q.has('created') ? Number(q.get('created')) : undefined;
    const listed = charges.filter(
      (c) =>
        (exact === undefined || c.created === exact) &&
        (!bounds.has('gt') || c.created > bounds.get('gt')!) &&
        (!bounds.has('gte') || c.created >= bounds.get('gte')!) &&
        (!bounds.has('lt') || c.created < bounds.get('lt')!) &&
        (!bounds.has('lte') || c.created <= bounds.get('lte')!),
    );
    let from = 0;
    const after = q.get('starting_after');
    if (after !== null) {
      const index = position.get(after) ?? -1;
      if (index < 0) return error(400, 'invalid_request_error', `No such charge: '${after}'`, 'starting_after');
      from = listed.findIndex((c) => position.get(c.id)! > index);
      if (from < 0) from = listed.length;
    }
    const data = listed.slice(from, from + limit);
    return { status: 200, body: { object: 'list', data, has_more: from + limit < listed.length, url: '/v1/charges' } };
  }

  const server = await serveReplica(handle);
  return {
    ...server,
    baseUrl: `${server.origin}/v1`,
    key,
    charges,
    idsIn: (start, end) =>
      charges.filter((c) => c.created * 1000 >= start.getTime() && c.created * 1000 < end.getTime()).map((c) => c.id),
  };
}
