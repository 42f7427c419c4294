import { expect } from 'chai';
import { ConfigError, Pagination, PermanentError, TransientError, type Window } from '@rdc/contracts';
import { formatDuration, parseDuration, parseInstant } from '@rdc/core';
import { maxReachablePages, splitToFit, splitWindow, type Counted } from '@rdc/core/plan/slicing.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const w = (start: string, end: string): Window => ({
  start: parseInstant(start, 'start'),
  end: parseInstant(end, 'end'),
});
const iso = (slices: Window[]): [string, string][] => slices.map((s) => [s.start.toISOString(), s.end.toISOString()]);

/** The slices are contiguous, half-open and cover the window exactly. */
function expectTiling(window: Window, slices: Window[]): void {
  expect(slices[0]!.start.getTime()).to.equal(window.start.getTime());
  expect(slices.at(-1)!.end.getTime()).to.equal(window.end.getTime());
  for (const [i, s] of slices.entries()) {
    expect(s.start.getTime()).to.be.lessThan(s.end.getTime());
    if (i > 0) expect(s.start.getTime()).to.equal(slices[i - 1]!.end.getTime());
  }
}

describe('time slices: splitWindow', () => {
  it('cuts whole days on UTC midnight', () => {
    const window = w('2024-07-01', '2024-07-04');
    expect(iso(splitWindow(window, DAY))).to.deep.equal([
      ['2024-07-01T00:00:00.000Z', '2024-07-02T00:00:00.000Z'],
      ['2024-07-02T00:00:00.000Z', '2024-07-03T00:00:00.000Z'],
      ['2024-07-03T00:00:00.000Z', '2024-07-04T00:00:00.000Z'],
    ]);
  });

  it('clips the first and last slice to a window that is not aligned', () => {
    const window = w('2024-07-01T10:30:00Z', '2024-07-03T05:00:00Z');
    const slices = splitWindow(window, DAY);
    expect(iso(slices)).to.deep.equal([
      ['2024-07-01T10:30:00.000Z', '2024-07-02T00:00:00.000Z'],
      ['2024-07-02T00:00:00.000Z', '2024-07-03T00:00:00.000Z'],
      ['2024-07-03T00:00:00.000Z', '2024-07-03T05:00:00.000Z'],
    ]);
    expectTiling(window, slices);
  });

  it('aligns to UTC whatever offset the window was given in', () => {
    // 12:00+02:00 is 10:00Z; 2024-07-03T01:00+02:00 is 2024-07-02T23:00Z.
    const window = w('2024-07-01T12:00+02:00', '2024-07-03T01:00+02:00');
    expect(iso(splitWindow(window, DAY))).to.deep.equal([
      ['2024-07-01T10:00:00.000Z', '2024-07-02T00:00:00.000Z'],
      ['2024-07-02T00:00:00.000Z', '2024-07-02T23:00:00.000Z'],
    ]);
    const west = w('2024-07-01T00:00-05:00', '2024-07-01T12:00-05:00');
    expect(iso(splitWindow(west, 6 * HOUR))).to.deep.equal([
      ['2024-07-01T05:00:00.000Z', '2024-07-01T06:00:00.000Z'],
      ['2024-07-01T06:00:00.000Z', '2024-07-01T12:00:00.000Z'],
      ['2024-07-01T12:00:00.000Z', '2024-07-01T17:00:00.000Z'],
    ]);
  });

  it('gives one slice for a window inside one period, and one per period on exact boundaries', () => {
    const inside = w('2024-07-01T01:00:00Z', '2024-07-01T02:00:00Z');
    expect(iso(splitWindow(inside, DAY))).to.deep.equal([['2024-07-01T01:00:00.000Z', '2024-07-01T02:00:00.000Z']]);
    expect(splitWindow(w('2024-07-01', '2024-07-02'), DAY)).to.have.length(1);
    expect(splitWindow(w('2024-07-01T00:00:00Z', '2024-07-01T00:00:00.001Z'), DAY)).to.have.length(1);
    expect(splitWindow(w('2024-07-01T23:59:59.999Z', '2024-07-02T00:00:00.001Z'), DAY)).to.have.length(2);
  });

  it('tiles long windows with no gap and no overlap, in hours, days and odd sizes', () => {
    const window = w('2024-02-27T13:17:00Z', '2024-03-04T07:00:00Z'); // across a leap day
    for (const size of [HOUR, 6 * HOUR, DAY, 7 * DAY, 90 * 60_000, 1_234_567]) {
      const slices = splitWindow(window, size);
      expectTiling(window, slices);
      for (const s of slices.slice(1)) expect(s.start.getTime() % size).to.equal(0);
    }
    expect(splitWindow(window, 7 * DAY)).to.have.length(2); // epoch weeks start on Thursday 00:00Z
  });

  it('refuses a bad size, an empty window, and a slice count past the limit', () => {
    const window = w('2024-07-01', '2024-07-02');
    expect(() => splitWindow(window, 0)).to.throw(RangeError, '`0`');
    expect(() => splitWindow(window, 1.5)).to.throw(RangeError);
    expect(() => splitWindow({ start: window.end, end: window.end }, DAY)).to.throw(RangeError, 'start < end');
    expect(() => splitWindow(w('2020-01-01', '2024-01-01'), 1_000)).to.throw(ConfigError, '--slice');
  });

  it('reads and prints slice sizes', () => {
    expect(parseDuration('1d', '--slice')).to.equal(DAY);
    expect(formatDuration(DAY)).to.equal('1d');
    expect(formatDuration(90 * 60_000)).to.equal('90m');
    expect(formatDuration(1_500)).to.equal('1500ms');
  });
});

describe('time slices: offset depth cap', () => {
  it('turns maxOffset and maxPage into the pages a window can reach', () => {
    const offset = Pagination.parse({ style: 'offset', pageSize: 100, maxOffset: 1000 });
    expect(maxReachablePages(offset, 100)).to.equal(11); // offsets 0, 100, …, 1000
    expect(maxReachablePages(Pagination.parse({ style: 'offset', pageSize: 100, maxOffset: 999 }), 100)).to.equal(10);
    expect(maxReachablePages(Pagination.parse({ style: 'offset', pageSize: 100 }), 100)).to.equal(undefined);
    expect(maxReachablePages(Pagination.parse({ style: 'page', pageSize: 50, maxPage: 20 }), 50)).to.equal(20);
    expect(
      maxReachablePages(Pagination.parse({ style: 'page', pageSize: 50, maxPage: 20, firstPage: 0 }), 50),
    ).to.equal(21);
    expect(maxReachablePages(Pagination.parse({ style: 'link-header', pageSize: 50 }), 50)).to.equal(undefined);
  });

  /** A fake API: one record per timestamp in `stamps`, counted in pages of 10. */
  function counter(stamps: number[]) {
    let calls = 0;
    const count = (window: Window): Promise<Counted> => {
      calls++;
      const total = stamps.filter((t) => t >= window.start.getTime() && t < window.end.getTime()).length;
      return Promise.resolve({ total, pages: Math.ceil(total / 10) });
    };
    return { count, calls: () => calls };
  }

  it('keeps a window that fits, and halves one that does not until every slice fits', async () => {
    const window = w('2024-07-01', '2024-07-02');
    const stamps = Array.from({ length: 95 }, (_, i) => window.start.getTime() + i * 15 * 60_000);
    const { count } = counter(stamps);
    const whole = await count(window);
    expect(await splitToFit(window, whole, 10, count)).to.have.length(1);

    const slices = await splitToFit(window, whole, 3, count);
    expectTiling(window, slices);
    expect(slices.every((s) => s.pages <= 3)).to.equal(true);
    expect(slices.reduce((sum, s) => sum + (s.total ?? 0), 0)).to.equal(95);
    expect(slices.every((s) => s.start.getUTCMilliseconds() === 0)).to.equal(true);
  });

  it('copes with skewed data: only the dense part is split finely', async () => {
    const window = w('2024-07-01', '2024-07-31');
    const dense = Array.from({ length: 200 }, (_, i) => Date.parse('2024-07-10T12:00:00Z') + i * 1_000);
    const sparse = [Date.parse('2024-07-02T00:00:00Z'), Date.parse('2024-07-25T00:00:00Z')];
    const { count } = counter([...sparse, ...dense]);
    const slices = await splitToFit(window, await count(window), 5, count);
    expectTiling(window, slices);
    expect(slices.every((s) => s.pages <= 5)).to.equal(true);
    expect(slices.length).to.be.lessThan(30);
  });

  it('fails when one instant holds more than the cap, naming it', async () => {
    const at = Date.parse('2024-07-01T06:00:00Z');
    const { count } = counter(Array.from({ length: 50 }, () => at));
    const window = w('2024-07-01', '2024-07-02');
    const error = await splitToFit(window, await count(window), 2, count).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include('2024-07-01T06:00:00.000Z')
      .and.include('maxOffset');
  });

  it('fails when the halves do not add up to the whole (an inclusive end, or moving data)', async () => {
    const window = w('2024-07-01', '2024-07-02');
    const inclusive = (x: Window): Promise<Counted> => {
      // Counts the record on the end boundary too: the midpoint record is counted twice.
      const stamps = [window.start.getTime(), Date.parse('2024-07-01T12:00:00Z'), Date.parse('2024-07-01T18:00:00Z')];
      const total = stamps.filter((t) => t >= x.start.getTime() && t <= x.end.getTime()).length;
      return Promise.resolve({ total, pages: total });
    };
    const error = await splitToFit(window, await inclusive(window), 1, inclusive).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message)
      .to.include('3 records')
      .and.include('2 + 2')
      .and.include('exclusive');
  });
});
