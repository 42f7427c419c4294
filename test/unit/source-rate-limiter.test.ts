import { ConfigError } from '@rdc/contracts';
import { RateLimiter } from '@rdc/source';
import { RateLimitTimeoutError } from '@rdc/source/rate-limiter.js';
import { limitsFromEnv } from '@rdc/source/registry.js';
import { expect } from 'chai';
import sinon from 'sinon';

describe('source: RateLimiter (fake timers)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });

  /** Schedules `n` instant calls and records when each started. */
  function burstOf(limiter: RateLimiter, n: number): { starts: number[]; done: Promise<unknown> } {
    const starts: number[] = [];
    const done = Promise.all(
      Array.from({ length: n }, () =>
        limiter.schedule(() => {
          starts.push(Date.now());
          return Promise.resolve();
        }),
      ),
    );
    return { starts, done };
  }

  it('lets a burst through, then spaces calls at the rate', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 2, concurrency: 10 });
    const { starts, done } = burstOf(limiter, 5);
    await clock.tickAsync(0);
    expect(starts).to.deep.equal([0, 0]);
    await clock.tickAsync(1_000);
    await done;
    expect(starts).to.deep.equal([0, 0, 100, 200, 300]);
  });

  it('refills up to the burst size only', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 3, concurrency: 10 });
    await clock.tickAsync(60_000);
    const { starts, done } = burstOf(limiter, 5);
    await clock.tickAsync(1_000);
    await done;
    expect(starts.map((t) => t - 60_000)).to.deep.equal([0, 0, 0, 100, 200]);
  });

  it('caps calls in flight and starts the next when one settles', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 1_000, burst: 100, concurrency: 2 });
    const starts: number[] = [];
    const slow = () =>
      limiter.schedule(async () => {
        starts.push(Date.now());
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      });
    const all = Promise.all([slow(), slow(), slow(), slow(), slow()]);
    await clock.tickAsync(0);
    expect(limiter.inFlight).to.equal(2);
    expect(limiter.queued).to.equal(3);
    await clock.tickAsync(3_000);
    await all;
    expect(starts).to.deep.equal([0, 0, 1_000, 1_000, 2_000]);
    expect(limiter.inFlight).to.equal(0);
  });

  it('pause(ms) holds every call back; a longer pause wins', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 1_000, burst: 10, concurrency: 10 });
    limiter.pause(500);
    const { starts, done } = burstOf(limiter, 2);
    await clock.tickAsync(200);
    limiter.pause(100); // shorter than what is left: ignored
    expect(limiter.pausedForMs).to.equal(300);
    await clock.tickAsync(299);
    expect(starts).to.deep.equal([]);
    await clock.tickAsync(1);
    await done;
    expect(starts).to.deep.equal([500, 500]);
  });

  it('pausing while calls wait for tokens delays them too', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 10, burst: 1, concurrency: 10 });
    const { starts, done } = burstOf(limiter, 3);
    await clock.tickAsync(0);
    limiter.pause(1_000);
    await clock.tickAsync(2_000);
    await done;
    expect(starts).to.deep.equal([0, 1_000, 1_100]);
  });

  it('drops a call that waits longer than maxWaitMs, without running it', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 1_000, burst: 10, concurrency: 1 });
    const first = limiter.schedule(() => new Promise((resolve) => setTimeout(resolve, 1_000)));
    let ran = false;
    const second = limiter
      .schedule(
        () => {
          ran = true;
          return Promise.resolve();
        },
        { maxWaitMs: 100 },
      )
      .catch((e: unknown) => e);
    await clock.tickAsync(100);
    const error = await second;
    expect(error).to.be.instanceOf(RateLimitTimeoutError);
    expect((error as RateLimitTimeoutError).waitedMs).to.equal(100);
    expect(limiter.queued).to.equal(0);
    await clock.tickAsync(1_000);
    await first;
    expect(ran).to.equal(false);
  });

  it('passes results and errors through and frees the slot after a failure', async () => {
    const limiter = new RateLimiter({ requestsPerSecond: 100, concurrency: 1 });
    const failed = limiter.schedule(() => Promise.reject(new Error('boom'))).catch((e: Error) => e.message);
    const thrown = limiter
      .schedule(() => {
        throw new Error('sync');
      })
      .catch((e: Error) => e.message);
    const ok = limiter.schedule(() => Promise.resolve(42));
    await clock.tickAsync(1_000);
    expect(await failed).to.equal('boom');
    expect(await thrown).to.equal('sync');
    expect(await ok).to.equal(42);
    expect(limiter.inFlight).to.equal(0);
  });

  it('checks its options and names the bad value', () => {
    expect(() => new RateLimiter({ requestsPerSecond: 0, concurrency: 1 })).to.throw(
      'Expected `requestsPerSecond` to be a finite number',
    );
    expect(() => new RateLimiter({ requestsPerSecond: 5, concurrency: 1.5 })).to.throw(
      'Expected `concurrency` to be an integer >= 1, got `1.5` (number)',
    );
    expect(() => new RateLimiter({ requestsPerSecond: 5, concurrency: 1, burst: 0 })).to.throw('`burst`');
    expect(new RateLimiter({ requestsPerSecond: 100, concurrency: 1 }).burst).to.equal(10);
  });
});

describe('per-process limits from the environment', () => {
  const limits = { requestsPerSecond: 100, concurrency: 16 };

  it('keeps the config limits when nothing is set', () => {
    expect(limitsFromEnv(limits, {})).to.deep.equal(limits);
  });

  it('lets RDC_REQUESTS_PER_SECOND and RDC_API_CONCURRENCY split an API limit across instances', () => {
    expect(limitsFromEnv(limits, { RDC_REQUESTS_PER_SECOND: '12.5', RDC_API_CONCURRENCY: '4' })).to.deep.equal({
      requestsPerSecond: 12.5,
      concurrency: 4,
    });
  });

  it('refuses bad values, naming the variable', () => {
    expect(() => limitsFromEnv(limits, { RDC_REQUESTS_PER_SECOND: 'fast' })).to.throw(
      ConfigError,
      'RDC_REQUESTS_PER_SECOND',
    );
    expect(() => limitsFromEnv(limits, { RDC_API_CONCURRENCY: '2.5' })).to.throw(ConfigError, 'RDC_API_CONCURRENCY');
    expect(() => limitsFromEnv(limits, { RDC_API_CONCURRENCY: '0' })).to.throw(ConfigError, '`0`');
  });
});
