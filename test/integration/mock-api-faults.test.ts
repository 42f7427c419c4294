import { Agent, request } from 'node:http';
import { createMockApi } from '@rdc/mock-server';
import { type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { expect } from 'chai';

const SMALL: Partial<MockApiOptions> = { sales: 300, customers: 50, products: 40 };
const servers: MockApi[] = [];

async function start(options: Partial<MockApiOptions> = {}): Promise<MockApi> {
  const api = await createMockApi({ ...SMALL, ...options });
  servers.push(api);
  return api;
}

/** What a client sees: a status and a body that parses or not, or a dropped connection. */
type Outcome = { kind: 'reply'; status: number; headers: Headers; json: boolean } | { kind: 'dropped' };

async function hit(api: MockApi, path = '/sales?limit=50'): Promise<Outcome> {
  try {
    const res = await fetch(`${api.url}${path}`);
    const text = await res.text();
    let json = true;
    try {
      JSON.parse(text);
    } catch {
      json = false;
    }
    return { kind: 'reply', status: res.status, headers: res.headers, json };
  } catch {
    return { kind: 'dropped' };
  }
}

async function hitMany(api: MockApi, count: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < count; i++) outcomes.push(await hit(api));
  return outcomes;
}

const label = (o: Outcome): string => (o.kind === 'dropped' ? 'dropped' : `${o.status}${o.json ? '' : ' garbage'}`);
const tally = (outcomes: Outcome[]): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[label(o)] = (counts[label(o)] ?? 0) + 1;
  return counts;
};

describe('mock-api faults, rate limit and growth', function () {
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((api) => api.close()));
  });

  it('injects each fault at roughly its rate and counts it in stats', async () => {
    const api = await start({ faultSeed: 1, rate429: 0.1, errorRate: 0.15, resetRate: 0.1, garbageRate: 0.1 });
    const counts = tally(await hitMany(api, 400));
    const errors = (counts['500'] ?? 0) + (counts['503'] ?? 0);
    expect(api.stats.faults).to.deep.include({
      rate429: counts['429'] ?? 0,
      error: errors,
      reset: counts['dropped'] ?? 0,
      garbage: counts['200 garbage'] ?? 0,
    });
    expect(api.stats.requests).to.equal(400);
    expect(api.stats.byEndpoint.sales).to.equal(400);
    expect(api.stats.status429).to.equal(counts['429']);
    expect(api.stats.byStatus[200]).to.equal((counts['200'] ?? 0) + (counts['200 garbage'] ?? 0));
    // Binomial(400, p): these bounds are over 4 standard deviations wide.
    expect(counts['429']).to.be.within(20, 65);
    expect(errors).to.be.within(32, 90);
    expect(counts['dropped']).to.be.within(20, 65);
    expect(counts['200 garbage']).to.be.within(20, 65);
    expect(counts['200']).to.be.within(160, 280);
    expect(counts['500'] ?? 0, 'both 500 and 503 happen').to.be.greaterThan(0);
    expect(counts['503'] ?? 0, 'both 500 and 503 happen').to.be.greaterThan(0);
  });

  it('repeats the same fault schedule for the same faultSeed', async () => {
    const options = { faultSeed: 99, errorRate: 0.3, garbageRate: 0.2 };
    const [a, b] = [await start(options), await start(options)];
    const sa = (await hitMany(a, 60)).map(label);
    const sb = (await hitMany(b, 60)).map(label);
    expect(sa).to.deep.equal(sb);
    expect(new Set(sa).size).to.be.greaterThan(1);
  });

  it('resetStats() zeroes the counters in place', async () => {
    const api = await start({ faultSeed: 3, errorRate: 0.5 });
    const stats = api.stats;
    await hitMany(api, 10);
    api.resetStats();
    expect(stats).to.deep.include({ requests: 0, byStatus: {}, rateLimited: 0, status429: 0 });
    expect(stats.faults.error).to.equal(0);
  });

  it('sends Retry-After in seconds, or as an HTTP-date, with injected 429s', async () => {
    const seconds = await start({ rate429: 1, retryAfterSeconds: 2 });
    const reply = await hit(seconds);
    expect(reply.kind === 'reply' && reply.status).to.equal(429);
    if (reply.kind !== 'reply') return;
    expect(reply.headers.get('retry-after')).to.equal('2');
    expect(reply.headers.get('x-ratelimit-reset-ms')).to.equal('2000');

    const dated = await start({ rate429: 1, retryAfterSeconds: 2, retryAfterFormat: 'http-date' });
    const before = Date.now();
    const other = await hit(dated);
    if (other.kind !== 'reply') throw new Error('dropped');
    const when = Date.parse(other.headers.get('retry-after') ?? '');
    expect(other.headers.get('retry-after')).to.match(/GMT$/);
    expect(when).to.be.at.least(before + 1000);
    expect(seconds.stats.faults.rate429 + dated.stats.faults.rate429).to.equal(2);
  });

  it('rate-limits with a token bucket: 429, integer Retry-After and the exact wait in X-RateLimit-Reset-Ms', async () => {
    // Half a request per second: the second of a quick burst is always over the limit.
    const api = await start({ rateLimit: 0.5 });
    const outcomes = await hitMany(api, 3);
    const replies = outcomes.filter((o) => o.kind === 'reply');
    expect(replies.map((o) => o.status)).to.deep.equal([200, 429, 429]);
    const limited = replies[1];
    if (!limited) throw new Error('no reply');
    expect(limited.headers.get('retry-after')).to.match(/^[12]$/);
    const waitMs = Number(limited.headers.get('x-ratelimit-reset-ms'));
    expect(waitMs).to.be.greaterThan(0).and.at.most(2000);
    expect(Number(limited.headers.get('retry-after')) * 1000).to.be.at.least(waitMs);
    expect(api.stats.rateLimited).to.equal(2);
    expect(api.stats.status429).to.equal(2);
    expect(api.stats.byStatus).to.deep.equal({ 200: 1, 429: 2 });
  });

  it('adds latency and counts slow responses (lower bounds only)', async () => {
    const api = await start({ latencyMs: 40, latencyJitterMs: 10, slowRate: 1, slowMs: 50 });
    const started = performance.now();
    const outcome = await hit(api);
    expect(outcome.kind === 'reply' && outcome.status).to.equal(200);
    expect(performance.now() - started).to.be.at.least(75);
    expect(api.stats.faults.slow).to.equal(1);
  });

  it('growth adds records at the current time without changing a past window', async () => {
    const api = await start({ growthPerSecond: 400 });
    const cutoff = new Date();
    const all = (path: string): Promise<string[]> =>
      fetch(`${api.url}${path}`)
        .then((r) => r.json())
        .then((b) => (b as { data: { id: string }[] }).data.map((r) => r.id));
    const pastPath = `/sales?limit=250&offset=50&end_date=${cutoff.toISOString()}`;
    const pastBefore = await all(pastPath);
    const countBefore = api.countInWindow('sales', undefined, cutoff);
    for (let i = 0; i < 500 && api.stats.inserted.sales < 30; i++) await new Promise((r) => setTimeout(r, 10));
    expect(api.stats.inserted.sales).to.be.at.least(30);
    expect(await all(pastPath)).to.deep.equal(pastBefore);
    expect(api.countInWindow('sales', undefined, cutoff)).to.equal(countBefore);
    const grown = api.idsInWindow('sales', cutoff);
    expect(grown.length).to.be.at.least(30);
    expect(new Set(grown).size).to.equal(grown.length);
    const fresh = await all(`/sales?limit=250&start_date=${cutoff.toISOString()}`);
    expect(fresh.slice(0, 30)).to.deep.equal(grown.slice(0, 30));
    expect(api.countInWindow('sales')).to.be.at.least(300 + 30);
  });

  it('close() ends idle keep-alive sockets and pending slow responses at once', async () => {
    const api = await start({ slowRate: 1, slowMs: 60_000 });
    const agent = new Agent({ keepAlive: true });
    try {
      const idle = await new Promise<number>((resolve, reject) => {
        request(`${api.url}/healthz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
      expect(idle).to.equal(200);
      const pending = fetch(`${api.url}/sales`).then(
        () => 'answered',
        () => 'dropped',
      );
      while (api.stats.faults.slow === 0) await new Promise((r) => setTimeout(r, 5));
      const started = performance.now();
      await api.close();
      expect(await pending).to.equal('dropped');
      expect(performance.now() - started).to.be.below(20_000);
    } finally {
      agent.destroy();
    }
  });
});
