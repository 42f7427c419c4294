import { expect } from 'chai';
import { startShopifyReplica } from '../support/replicas/shopify-replica.js';
import { startStripeReplica } from '../support/replicas/stripe-replica.js';
import { startWooReplica } from '../support/replicas/woocommerce-replica.js';

/** The replicas the shipped configs are tested against refuse what the real APIs refuse. */

async function get(url: string, headers: Record<string, string>) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, body: (await res.json()) as unknown };
}

describe('vendor replicas are as strict as the documented APIs', () => {
  it('Stripe: bearer key, integer created bounds, limit 1..100, unknown parameters refused, newest first', async () => {
    const api = await startStripeReplica();
    try {
      const auth = { authorization: `Bearer ${api.key}` };
      const list = `${api.baseUrl}/charges`;
      expect((await get(list, {})).status).to.equal(401);
      // Basic auth with the key as the user name and no password is the other documented form.
      const basic = { authorization: `Basic ${Buffer.from(`${api.key}:`).toString('base64')}` };
      expect((await get(`${list}?limit=1`, basic)).status).to.equal(200);
      const wrong = { authorization: `Basic ${Buffer.from(`${api.key}:x`).toString('base64')}` };
      expect((await get(`${list}?limit=1`, wrong)).status).to.equal(401);
      const unknown = await get(`${list}?start_date=2024-07-01`, auth);
      expect(unknown.status).to.equal(400);
      expect(JSON.stringify(unknown.body)).to.include('Received unknown parameter: start_date');
      expect((await get(`${list}?limit=101`, auth)).status).to.equal(400);
      expect((await get(`${list}?created[gte]=2024-07-01T00:00:00Z`, auth)).status).to.equal(400);
      const t = Date.parse('2024-07-15T10:00:00Z') / 1000;
      const gt = (await get(`${list}?created[gt]=${t}&created[lte]=${t + 1}&limit=100`, auth)).body as {
        data: { created: number }[];
      };
      expect(gt.data.map((c) => c.created)).to.deep.equal([t + 1]);
      const page = (await get(`${list}?limit=5`, auth)).body as { data: { created: number }[]; has_more: boolean };
      expect(page.has_more).to.equal(true);
      const created = page.data.map((c) => c.created);
      expect(created).to.deep.equal([...created].sort((a, b) => b - a));
      // starting_after is a position in the whole list: a cursor from outside the filter still pages on from it.
      const outside = (page.data.at(-1) as unknown as { id: string }).id;
      const window = `${list}?created[gte]=${t}&created[lte]=${t + 1}&limit=100`;
      const older = await get(`${window}&starting_after=${outside}`, auth);
      expect(older.status).to.equal(200);
      expect((older.body as { data: unknown[] }).data).to.have.length(3);
      expect(older.body).to.deep.equal((await get(window, auth)).body);
      expect((await get(`${list}?starting_after=ch_missing`, auth)).status).to.equal(400);
      // A documented parameter the replica does not act on is refused, never silently ignored.
      const unmodelled = await get(`${list}?ending_before=${outside}`, auth);
      expect(unmodelled.status).to.equal(400);
      expect(JSON.stringify(unmodelled.body)).to.include('does not model');
    } finally {
      await api.close();
    }
  });

  it('WooCommerce: basic auth, exclusive after/before, per_page 1..100, an empty page past the last, newest first', async () => {
    const api = await startWooReplica();
    try {
      const auth = { authorization: `Basic ${Buffer.from(`${api.user}:${api.secret}`).toString('base64')}` };
      const list = `${api.baseUrl}/orders`;
      expect((await get(list, {})).status).to.equal(401);
      expect((await get(`${list}?per_page=101`, auth)).status).to.equal(400);
      expect((await get(`${list}?start_date=x`, auth)).status).to.equal(400);
      const window = 'after=2024-07-15T09:59:59&before=2024-07-15T10:00:01&dates_are_gmt=true';
      const exclusive = await get(`${list}?${window}`, auth);
      expect((exclusive.body as { date_created_gmt: string }[]).map((o) => o.date_created_gmt)).to.deep.equal([
        '2024-07-15T10:00:00',
        '2024-07-15T10:00:00',
      ]);
      expect(exclusive.headers.get('x-wp-total')).to.equal('2');
      // Without dates_are_gmt the same values are the site's time (Berlin, two hours ahead in July).
      const local = await get(`${list}?after=2024-07-15T11:59:59&before=2024-07-15T12:00:01`, auth);
      expect(local.headers.get('x-wp-total')).to.equal('2');
      // WordPress compares the text: a bound with an offset is moved to the site's wall clock
      // (Berlin, 12:00) before it meets the GMT column, so the 10:00 GMT orders are missed.
      const zoned = await get(
        `${list}?after=2024-07-15T09:59:59Z&before=2024-07-15T10:00:01%2B00:00&dates_are_gmt=true`,
        auth,
      );
      expect(zoned.status).to.equal(200);
      expect((zoned.body as { date_created_gmt: string }[]).map((o) => o.date_created_gmt)).not.to.include(
        '2024-07-15T10:00:00',
      );
      // Past the last page: an empty list with the totals, and a rel="prev" link; never a 400.
      const past = await get(`${list}?${window}&page=2`, auth);
      expect(past.status).to.equal(200);
      expect(past.body).to.deep.equal([]);
      expect(past.headers.get('x-wp-total')).to.equal('2');
      expect(past.headers.get('x-wp-totalpages')).to.equal('1');
      expect(past.headers.get('link')).to.match(/rel="prev"/);
      for (const query of ['modified_after=2024-07-01T00:00:00', 'offset=5', 'orderby=title']) {
        const unmodelled = await get(`${list}?${query}`, auth);
        expect(unmodelled.status, query).to.equal(400);
        expect(JSON.stringify(unmodelled.body), query).to.match(/does not model|models only/);
      }
      const middle = await get(`${list}?per_page=2&page=2`, auth);
      expect(middle.headers.get('link')).to.match(/page=1>; rel="prev", <[^>]+page=3>; rel="next"$/);
      const page = (await get(`${list}?per_page=10`, auth)).body as { date_created_gmt: string }[];
      const dates = page.map((o) => o.date_created_gmt);
      expect(dates).to.deep.equal([...dates].sort().reverse());
    } finally {
      await api.close();
    }
  });

  it('Shopify: token, inclusive bounds, open orders by default, page_info alone, limit 1..250, leaky bucket', async () => {
    const api = await startShopifyReplica({ bucket: { size: 14, perSecond: 1 } });
    try {
      const auth = { 'x-shopify-access-token': api.token };
      const list = `${api.baseUrl}/orders.json`;
      expect((await get(list, {})).status).to.equal(401);
      expect((await get(`${list}?limit=251`, auth)).status).to.equal(400);
      const bounds = 'created_at_min=2024-07-15T10:00:00%2B00:00&created_at_max=2024-07-15T10:00:01%2B00:00';
      const any = (await get(`${list}?${bounds}&status=any`, auth)).body as { orders: unknown[] };
      expect(any.orders).to.have.length(3);
      const open = (await get(`${list}?${bounds}`, auth)).body as { orders: { closed_at: null; cancelled_at: null }[] };
      expect(open.orders.length).to.be.below(3);
      const first = await get(`${list}?status=any&limit=2`, auth);
      expect(first.headers.get('link')).not.to.include('rel="previous"');
      for (const query of ['since_id=1', 'fields=id', 'updated_at_min=2024-07-01T00:00:00Z']) {
        const unmodelled = await get(`${list}?${query}`, auth);
        expect(unmodelled.status, query).to.equal(400);
        expect(JSON.stringify(unmodelled.body), query).to.include('does not model');
      }
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')![1]!;
      const second = await get(next, auth);
      expect(second.status).to.equal(200);
      // A page between others links both ways, previous first, as Shopify's reference shows.
      const both = /^<([^>]+)>; rel="previous", <([^>]+)>; rel="next"$/.exec(second.headers.get('link') ?? '');
      expect(both, second.headers.get('link') ?? 'no Link').not.to.equal(null);
      const back = (await get(both![1]!, auth)).body as { orders: { id: number }[] };
      expect(back.orders.map((o) => o.id)).to.deep.equal(
        (first.body as { orders: { id: number }[] }).orders.map((o) => o.id),
      );
      const third = (await get(both![2]!, auth)).body as { orders: { id: number }[] };
      const ids = [...(second.body as { orders: { id: number }[] }).orders, ...third.orders].map((o) => o.id);
      expect(new Set(ids).size).to.equal(4);
      const withFilter = await get(`${next}&status=any`, auth);
      expect(withFilter.status).to.equal(400);
      expect(JSON.stringify(withFilter.body)).to.include('page_info');
      let limited: Awaited<ReturnType<typeof get>> | undefined;
      for (let i = 0; i < 16 && !limited; i++) {
        const res = await get(`${list}?limit=1`, auth);
        if (res.status === 429) limited = res;
      }
      expect(limited?.headers.get('retry-after')).to.equal('2.0');
      expect(limited?.headers.get('x-shopify-shop-api-call-limit')).to.match(/^\d+\/14$/);
    } finally {
      await api.close();
    }
  });
});
