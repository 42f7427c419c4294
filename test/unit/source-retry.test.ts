import type { IncomingHttpHeaders } from 'node:http';
import { PermanentError, silentLog, TransientError } from '@rdc/contracts';
import { RetriesExhaustedError, type SourceStats } from '@rdc/source';
import { type Limiter } from '@rdc/source/rate-limiter.js';
import { readRecords } from '@rdc/source/records.js';
import { type Clock, type RequestEnv } from '@rdc/source/request.js';
import { getJson } from '@rdc/source/retry.js';
import { type RawResponse, TransportError } from '@rdc/source/transport.js';
import { expect } from 'chai';

/** A clock whose sleeps advance time at once, recording each wait. */
function fakeClock(): Clock & { waits: number[] } {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
  };
}

type Step = RawResponse | TransportError;
const res = (status: number, body: unknown, headers: IncomingHttpHeaders = {}): RawResponse => ({
  status,
  headers,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

function envWith(steps: Step[], policy: Partial<RequestEnv['policy']> = {}, maxRetryAfterMs = 30_000) {
  const clock = fakeClock();
  const stats: SourceStats = {
    requests: 0,
    retries: 0,
    byStatus: {},
    transportErrors: 0,
    rateLimitWaits: 0,
    rateLimitWaitMs: 0,
  };
  /** A limiter that runs everything at once and records pauses on the fake clock. */
  let pausedUntil = 0;
  const limiter: Limiter & { pauses: number[] } = {
    pauses: [],
    schedule: (fn) => fn(),
    pause(ms) {
      this.pauses.push(ms);
      pausedUntil = Math.max(pausedUntil, clock.now() + ms);
    },
    get pausedForMs() {
      return Math.max(0, pausedUntil - clock.now());
    },
  };
  const env: RequestEnv = {
    transport: () => {
      const step = steps.shift();
      if (!step) return Promise.reject(new Error('no more scripted responses'));
      return step instanceof TransportError ? Promise.reject(step) : Promise.resolve(step);
    },
    limiter,
    policy: { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000, budgetMs: 60_000, ...policy },
    responseMs: 30_000,
    maxRetryAfterMs,
    stats,
    log: silentLog,
    clock,
    secrets: ['the-key'],
    hint: () => 'Do something.',
  };
  return { env, clock, stats, limiter };
}

const target = {
  url: new URL('http://api.test/sales?token=abc&limit=2'),
  what: 'retail/sales page 2',
  page: 2,
  runId: 'run-x',
};
const parse = (body: unknown) => readRecords(body, 'data', 'endpoints.sales.response.records');
const ok = res(200, { data: [{ id: 1 }] });

describe('source: retry loop with a fake transport and clock', () => {
  it('backs off with full jitter on 5xx and counts retries', async () => {
    const { env, clock, stats } = envWith([res(500, {}), res(502, {}), res(503, {}), ok]);
    const { value } = await getJson(env, target, parse);
    expect(value).to.deep.equal([{ id: 1 }]);
    expect(stats.retries).to.equal(3);
    expect(clock.waits).to.deep.equal([50, 100, 200]); // random 0.5 of 100, 200, 400
  });

  it('honours Retry-After on 503 instead of the backoff', async () => {
    const { env, clock } = envWith([res(503, {}, { 'retry-after': '3' }), ok]);
    await getJson(env, target, parse);
    expect(clock.waits).to.deep.equal([3_000]);
  });

  it('waits out 429s without using retries, pausing the shared limiter', async () => {
    const { env, clock, stats, limiter } = envWith(
      [res(429, {}, { 'retry-after': '2' }), res(429, {}, { 'x-ratelimit-reset-ms': '750' }), ok],
      { maxRetries: 0 },
    );
    await getJson(env, target, parse);
    expect(clock.waits).to.deep.equal([2_000, 750]);
    expect(limiter.pauses).to.deep.equal([2_000, 750]);
    expect(stats).to.deep.include({ retries: 0, rateLimitWaits: 2, rateLimitWaitMs: 2_750, requests: 3 });
  });

  it('stops at the budget, even on 429s, with retryAfterMs for the queue', async () => {
    const steps = Array.from({ length: 50 }, () => res(429, {}, { 'retry-after': '10' }));
    const { env, clock } = envWith(steps, { budgetMs: 35_000 });
    const error = (await getJson(env, target, parse).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error).to.be.instanceOf(RetriesExhaustedError);
    expect(error.retryAfterMs).to.equal(10_000);
    expect(error.attempts).to.equal(4);
    expect(clock.waits).to.deep.equal([10_000, 10_000, 10_000]);
    expect(error.message).to.include('page budget');
  });

  for (const [status, header] of [
    [429, 'retry-after'],
    [503, 'retry-after'],
    [429, 'x-ratelimit-reset-ms'],
  ] as const) {
    it(`gives the page back at once when a ${status} asks (${header}) to wait past limits.maxRetryAfterSeconds`, async () => {
      const value = header === 'retry-after' ? '999999' : '999999000';
      const { env, clock, limiter, stats } = envWith([res(status, {}, { [header]: value }), ok], {}, 30_000);
      const error = (await getJson(env, target, parse).catch((e: unknown) => e)) as RetriesExhaustedError;
      expect(error).to.be.instanceOf(RetriesExhaustedError);
      expect(error.message).to.include('asked to wait 999999 s, more than limits.maxRetryAfterSeconds (30 s)');
      expect(error.retryAfterMs).to.equal(30_000);
      expect(stats.requests).to.equal(1);
      expect(clock.waits).to.deep.equal([]);
      // The process holds back for the cap at most, never for what the API asked.
      expect(Math.max(0, ...limiter.pauses)).to.be.at.most(30_000);
    });
  }

  it('retries at once after a negative Retry-After', async () => {
    const { env, clock } = envWith([res(429, {}, { 'retry-after': '-30' }), res(503, {}, { 'retry-after': '-1' }), ok]);
    await getJson(env, target, parse);
    expect(clock.waits).to.deep.equal([0, 0]);
  });

  it('gives the page back at once when the shared limiter is paused past the budget', async () => {
    const { env, limiter, stats } = envWith([ok], { budgetMs: 5_000 });
    limiter.pause(8_000);
    const error = (await getJson(env, target, parse).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error).to.be.instanceOf(RetriesExhaustedError);
    expect(error.retryAfterMs).to.equal(8_000);
    expect(stats.requests).to.equal(0);
  });

  it('gives up after maxRetries with a TransientError naming the redacted path, page and run', async () => {
    const { env } = envWith([
      res(500, { message: 'x the-key' }),
      res(500, {}),
      res(500, {}),
      res(500, { message: 'last' }),
    ]);
    const error = (await getJson(env, target, parse).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(error).to.be.instanceOf(TransientError);
    expect(error.attempts).to.equal(4);
    expect(error.context).to.deep.equal({
      runId: 'run-x',
      page: 2,
      status: 500,
      path: '/sales?token=[REDACTED]&limit=2',
    });
    expect(error.message).to.include('GET /sales?token=[REDACTED]&limit=2');
    expect(error.message).to.include('HTTP 500 Internal Server Error: "last"');
    expect(error.message).not.to.include('abc');
  });

  it('retries transport errors and unparseable bodies', async () => {
    const { env, stats } = envWith([new TransportError('socket hang up', 'ECONNRESET'), res(200, '<html>'), ok]);
    await getJson(env, target, parse);
    expect(stats).to.deep.include({ retries: 2, transportErrors: 1, requests: 3 });
  });

  it('fails an unknown host at once', async () => {
    const { env, stats } = envWith([new TransportError('getaddrinfo ENOTFOUND api.test', 'ENOTFOUND')]);
    const error = await getJson(env, target, parse).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect(stats.requests).to.equal(1);
  });

  it('fails a 4xx at once, with the API message (secrets scrubbed) and the hint', async () => {
    const { env, stats } = envWith([res(400, { message: 'bad key the-key' })]);
    const error = (await getJson(env, target, parse).catch((e: unknown) => e)) as PermanentError;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.equal(
      'retail/sales page 2: GET /sales?token=[REDACTED]&limit=2 was rejected with HTTP 400 Bad Request: "bad key [REDACTED]". Do something.',
    );
    expect(stats.retries).to.equal(0);
  });

  it('retries a wrong shape, then fails permanently', async () => {
    const bad = res(200, { data: 'nope' });
    const { env, stats } = envWith([bad, bad, bad, bad]);
    const error = (await getJson(env, target, parse).catch((e: unknown) => e)) as PermanentError;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include('Check endpoints.sales.response.records');
    expect(stats.requests).to.equal(4);
  });

  it('recovers when a wrong shape is followed by a good page', async () => {
    const { env } = envWith([res(200, { data: 'nope' }), ok]);
    const { value } = await getJson(env, target, parse);
    expect(value).to.have.length(1);
  });
});
