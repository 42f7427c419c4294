import { backoffCeiling, jitteredBackoff } from '@rdc/source/backoff.js';
import { parseResetMs, parseRetryAfter, retryDelayFromHeaders } from '@rdc/source/retry-after.js';
import { expect } from 'chai';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('source: Retry-After and backoff', () => {
  it('parses Retry-After seconds', () => {
    expect(parseRetryAfter('0', NOW)).to.equal(0);
    expect(parseRetryAfter('1', NOW)).to.equal(1_000);
    expect(parseRetryAfter(' 120 ', NOW)).to.equal(120_000);
    expect(parseRetryAfter('1.5', NOW)).to.equal(1_500);
    // Shopify's form: a decimal number of seconds.
    expect(parseRetryAfter('2.0', NOW)).to.equal(2_000);
  });

  it('parses Retry-After HTTP dates relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:30 GMT', NOW)).to.equal(30_000);
    expect(parseRetryAfter('Wednesday, 01-May-24 12:01:00 GMT', NOW)).to.equal(60_000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', NOW)).to.equal(0);
  });

  it('ignores garbage Retry-After values', () => {
    for (const value of [undefined, '', 'soon', '--5', '12abc', '1e3', 'Wed, 99 Foo 2024 GMT', '12 s']) {
      expect(parseRetryAfter(value, NOW), String(value)).to.equal(undefined);
    }
  });

  it('counts negative delays as 0', () => {
    expect(parseRetryAfter('-5', NOW)).to.equal(0);
    expect(parseRetryAfter('-999999.5', NOW)).to.equal(0);
    expect(parseResetMs('-250', NOW)).to.equal(0);
    expect(retryDelayFromHeaders({ 'retry-after': '-1' }, NOW)).to.equal(0);
  });

  it('parses X-RateLimit-Reset-Ms as a delay or an epoch time, and prefers it over Retry-After', () => {
    expect(parseResetMs('250', NOW)).to.equal(250);
    expect(parseResetMs(String(NOW + 1_234), NOW)).to.equal(1_234);
    expect(parseResetMs('nope', NOW)).to.equal(undefined);
    expect(retryDelayFromHeaders({ 'retry-after': '2', 'x-ratelimit-reset-ms': '1500' }, NOW)).to.equal(1_500);
    expect(retryDelayFromHeaders({ 'retry-after': '2' }, NOW)).to.equal(2_000);
    expect(retryDelayFromHeaders({ 'retry-after': 'x', 'x-ratelimit-reset-ms': 'y' }, NOW)).to.equal(undefined);
  });

  it('keeps full-jitter backoff within [0, min(max, base * 2^(n-1)))', () => {
    expect([1, 2, 3, 4].map((n) => backoffCeiling(n, 250, 20_000))).to.deep.equal([250, 500, 1_000, 2_000]);
    expect(backoffCeiling(10, 250, 20_000)).to.equal(20_000);
    expect(backoffCeiling(1_000, 250, 20_000)).to.equal(20_000);
    expect(jitteredBackoff(3, 250, 20_000, () => 0)).to.equal(0);
    expect(jitteredBackoff(3, 250, 20_000, () => 0.5)).to.equal(500);
    expect(jitteredBackoff(3, 250, 20_000, () => 0.999_999)).to.be.below(1_000);
    for (let n = 1; n <= 20; n++) {
      const delay = jitteredBackoff(n, 250, 20_000);
      expect(delay)
        .to.be.at.least(0)
        .and.below(backoffCeiling(n, 250, 20_000));
    }
  });
});
