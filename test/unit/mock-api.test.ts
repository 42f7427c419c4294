import { ConfigError } from '@rdc/contracts';
import { mockApiUsage, parseMockOptions } from '@rdc/mock-server';
import { TokenBucket } from '@rdc/mock-server/faults.js';
import { OPTION_FIELDS, resolveMockOptions } from '@rdc/mock-server/options.js';
import { expect } from 'chai';

/** A clock the test moves by hand. */
function fakeClock(start = 0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

describe('mock-api options', () => {
  it('uses process defaults for the CLI: 0.0.0.0:8080, offset pagination, default sizes', () => {
    const o = parseMockOptions({}, []);
    expect(o).to.include({ host: '0.0.0.0', port: 8080, pagination: 'offset', seed: 42 });
    expect(o).to.include({ sales: 33_000, customers: 5_000, products: 1_200, errorRate: 0, rateLimit: 0 });
    expect(o.dataStart.toISOString()).to.equal('2024-01-01T00:00:00.000Z');
    expect(o.dataEnd.toISOString()).to.equal('2026-01-01T00:00:00.000Z');
  });

  it('uses loopback and a free port for programmatic servers', () => {
    expect(resolveMockOptions({})).to.include({ host: '127.0.0.1', port: 0 });
  });

  it('reads env variables into typed options', () => {
    const o = parseMockOptions(
      {
        PORT: '9000',
        MOCK_SEED: '7',
        MOCK_SALES: '10',
        MOCK_PAGINATION: 'page',
        MOCK_FIRST_PAGE: '0',
        MOCK_TOTAL_IN: 'wp',
        MOCK_BARE_ARRAY: 'true',
        MOCK_DATA_START: '2025-01-01',
        MOCK_API_KEY: 'secret',
        MOCK_MAX_OFFSET: '1000',
        MOCK_RATE_LIMIT: '100',
      },
      [],
    );
    expect(o).to.include({ port: 9000, seed: 7, sales: 10, pagination: 'page', firstPage: 0, totalIn: 'wp' });
    expect(o).to.include({ bareArray: true, apiKey: 'secret', maxOffset: 1000, rateLimit: 100 });
    expect(o.rateLimitBurst, 'burst defaults to a tenth of the rate').to.equal(10);
    expect(o.dataStart.toISOString()).to.equal('2025-01-01T00:00:00.000Z');
  });

  it('lets flags override env, in both --flag value and --flag=value forms', () => {
    const o = parseMockOptions({ MOCK_ERROR_RATE: '0.5', MOCK_SEED: '1' }, [
      '--error-rate',
      '0.2',
      '--seed=9',
      '--pagination',
      'link-header',
      '--bare-array',
    ]);
    expect(o).to.include({ errorRate: 0.2, seed: 9, pagination: 'link-header', bareArray: true });
    expect(
      parseMockOptions({ MOCK_BARE_ARRAY: '1', MOCK_PAGINATION: 'link-header' }, ['--no-bare-array']).bareArray,
    ).to.equal(false);
  });

  it('names the variable, the bad value and what was expected', () => {
    const cases: [NodeJS.ProcessEnv, string[]][] = [
      [{ MOCK_ERROR_RATE: 'abc' }, ['MOCK_ERROR_RATE', '"abc"', 'between 0 and 1']],
      [{ MOCK_ERROR_RATE: '1.5' }, ['MOCK_ERROR_RATE', '"1.5"', 'between 0 and 1']],
      [{ MOCK_PAGINATION: 'cursor' }, ['MOCK_PAGINATION', '"cursor"', '"body-cursor"', '"starting-after"']],
      [{ MOCK_SALES: '-3' }, ['MOCK_SALES', '"-3"', 'integer']],
      [{ MOCK_DATA_END: '2025-02-30' }, ['MOCK_DATA_END', '2025-02-30', 'ISO-8601']],
      [{ PORT: '70000' }, ['PORT', '"70000"', 'between 0 and 65535']],
    ];
    for (const [env, parts] of cases) {
      let message = '';
      try {
        parseMockOptions(env, []);
      } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        message = (error as Error).message;
      }
      for (const part of parts) expect(message, JSON.stringify(env)).to.include(part);
    }
  });

  it('rejects unknown flags, positional arguments and flags without a value', () => {
    expect(() => parseMockOptions({}, ['--eror-rate', '0.1'])).to.throw(ConfigError, '--eror-rate');
    expect(() => parseMockOptions({}, ['serve'])).to.throw(ConfigError, '"serve"');
    expect(() => parseMockOptions({}, ['--error-rate'])).to.throw(ConfigError, '--error-rate needs a value');
  });

  it('rejects combinations that cannot work', () => {
    expect(() => resolveMockOptions({ errorRate: 0.6, resetRate: 0.6 })).to.throw(ConfigError, '<= 1');
    expect(() => resolveMockOptions({ bareArray: true })).to.throw(ConfigError, 'bare array');
    expect(() => resolveMockOptions({ pagination: 'page', bareArray: true })).to.throw(ConfigError, 'totalIn "body"');
    expect(() => resolveMockOptions({ totalIn: 'wp' })).to.throw(ConfigError, 'pagination "page" only');
    expect(() => resolveMockOptions({ pagination: 'body-cursor', maxOffset: 10 })).to.throw(ConfigError, 'maxOffset');
    expect(() => resolveMockOptions({ recordsPath: 'results..rows' })).to.throw(ConfigError, 'dotted path');
    expect(() => resolveMockOptions({ recordsPath: 'total' })).to.throw(ConfigError, 'recordsPath');
    expect(() =>
      resolveMockOptions({ dataStart: new Date('2025-01-01T00:00:00Z'), dataEnd: new Date('2024-01-01T00:00:00Z') }),
    ).to.throw(ConfigError, 'before');
  });

  it('checks programmatic options with the option name, value and type', () => {
    expect(() => resolveMockOptions({ errorRate: 2 })).to.throw(
      ConfigError,
      'expected `errorRate` (MOCK_ERROR_RATE, --error-rate) to be a number between 0 and 1, got `2` (number)',
    );
    expect(() => resolveMockOptions({ sales: '10' as unknown as number })).to.throw(ConfigError, '(string)');
    expect(() => resolveMockOptions({ color: 'red' } as never)).to.throw(ConfigError, 'unknown option `color`');
  });

  it('documents every flag and env variable in --help', () => {
    const usage = mockApiUsage();
    for (const field of OPTION_FIELDS) {
      expect(usage).to.include(`--${field.flag}`);
      expect(usage).to.include(field.env);
    }
  });
});

describe('mock-api TokenBucket', () => {
  it('admits a burst of `capacity`, then says exactly how long to wait', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(100, 10, clock.now);
    for (let i = 0; i < 10; i++) expect(bucket.take().ok, `request ${i}`).to.equal(true);
    expect(bucket.take()).to.deep.equal({ ok: false, waitMs: 10 });
    clock.advance(4);
    expect(bucket.take()).to.deep.equal({ ok: false, waitMs: 6 });
    clock.advance(6);
    expect(bucket.take().ok).to.equal(true);
  });

  it('never admits more than capacity + rate × time, and keeps up with a client that waits as told', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(100, 10, clock.now);
    let admitted = 0;
    while (clock.now() < 10_000) {
      const result = bucket.take();
      if (result.ok) admitted++;
      else clock.advance(result.waitMs);
    }
    expect(admitted).to.be.at.most(10 + 100 * 10);
    expect(admitted).to.be.at.least(100 * 10);
  });

  it('does not save up more than capacity while idle', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(5, 2, clock.now);
    clock.advance(60_000);
    expect([bucket.take().ok, bucket.take().ok, bucket.take().ok]).to.deep.equal([true, true, false]);
  });

  it('handles rates below one per second', () => {
    const bucket = new TokenBucket(0.5, 1, fakeClock().now);
    bucket.take();
    expect(bucket.take()).to.deep.equal({ ok: false, waitMs: 2000 });
  });

  it('rejects a rate or capacity that makes no sense', () => {
    expect(() => new TokenBucket(0, 1)).to.throw(RangeError, 'ratePerSecond');
    expect(() => new TokenBucket(10, 0.5)).to.throw(RangeError, 'capacity');
  });
});
