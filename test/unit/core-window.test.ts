import { expect } from 'chai';
import { ConfigError } from '@rdc/contracts';
import { parseDuration, parseInstant } from '@rdc/core';
import { resolveWindow, truncate } from '@rdc/core/window.js';

describe('window parsing', () => {
  it('reads an ISO date as midnight UTC', () => {
    expect(parseInstant('2024-07-01', '--start_date').toISOString()).to.equal('2024-07-01T00:00:00.000Z');
  });

  it('reads datetimes with Z, with an offset, and without one as UTC', () => {
    expect(parseInstant('2024-07-01T10:15:00Z', 'x').toISOString()).to.equal('2024-07-01T10:15:00.000Z');
    expect(parseInstant('2024-07-01T12:00+02:00', 'x').toISOString()).to.equal('2024-07-01T10:00:00.000Z');
    expect(parseInstant('2024-07-01T10:00:00.250-05:30', 'x').toISOString()).to.equal('2024-07-01T15:30:00.250Z');
    expect(parseInstant('2024-07-01T10:00', 'x').toISOString()).to.equal('2024-07-01T10:00:00.000Z');
  });

  it('rejects malformed values with the flag and an example', () => {
    for (const bad of ['yesterday', '2024/07/01', '2024-7-1', '', '2024-07-01T25', '1719792000']) {
      expect(() => parseInstant(bad, '--start_date'), bad)
        .to.throw(ConfigError, '--start_date')
        .with.property('message')
        .that.includes('2024-07-01');
    }
  });

  it('rejects dates that do not exist', () => {
    expect(() => parseInstant('2024-02-30', '--start_date')).to.throw(ConfigError, 'not a real date');
    expect(() => parseInstant('2023-02-29', '--start_date')).to.throw(ConfigError);
    expect(() => parseInstant('2024-07-01T24:00:00Z', '--end_date')).to.throw(ConfigError);
    expect(parseInstant('2024-02-29', 'x').toISOString()).to.equal('2024-02-29T00:00:00.000Z');
  });

  it('parses durations and refuses zero or unknown units', () => {
    expect(parseDuration('1h', 'x')).to.equal(3_600_000);
    expect(parseDuration('15m', 'x')).to.equal(900_000);
    expect(parseDuration('2d', 'x')).to.equal(172_800_000);
    expect(() => parseDuration('0h', '--lookback')).to.throw(ConfigError, '--lookback');
    expect(() => parseDuration('1w', '--lookback')).to.throw(ConfigError);
  });

  it('pins the default end to now truncated to the granularity', () => {
    const now = new Date('2024-07-03T10:47:12.345Z');
    const w = resolveWindow({ start: new Date('2024-07-01T00:00:00Z'), now, granularityMs: 3_600_000 });
    expect(w.end.toISOString()).to.equal('2024-07-03T10:00:00.000Z');
    // A retried execution later in the same hour resolves to the same window.
    const retry = resolveWindow({ start: w.start, now: new Date('2024-07-03T10:59:59Z'), granularityMs: 3_600_000 });
    expect(retry.end.getTime()).to.equal(w.end.getTime());
    expect(truncate(now, 86_400_000).toISOString()).to.equal('2024-07-03T00:00:00.000Z');
  });

  it('keeps an explicit end and rejects empty or future windows', () => {
    const now = new Date('2024-07-03T10:00:00Z');
    const start = new Date('2024-07-01T00:00:00Z');
    expect(
      resolveWindow({ start, end: new Date('2024-07-02T00:00:00Z'), now, granularityMs: 1 }).end.toISOString(),
    ).to.equal('2024-07-02T00:00:00.000Z');
    expect(() => resolveWindow({ start, end: start, now, granularityMs: 1 })).to.throw(ConfigError, 'empty');
    expect(() => resolveWindow({ start: new Date('2024-07-04T00:00:00Z'), now, granularityMs: 3_600_000 })).to.throw(
      ConfigError,
      'earlier --start_date',
    );
    expect(() => resolveWindow({ start, end: new Date('2024-07-05T00:00:00Z'), now, granularityMs: 1 })).to.throw(
      ConfigError,
      'future',
    );
  });
});
