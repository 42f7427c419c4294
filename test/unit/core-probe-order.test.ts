import { expect } from 'chai';
import { EndpointConfig, silentLog, type CursorPage, type Source, type Window } from '@rdc/contracts';
import { probeSliceSize } from '@rdc/core/plan/adaptive-slices.js';

/** A cursor API over records every 10 seconds, listed oldest or newest first, timestamps in the given form. */
function source(order: 'oldest' | 'newest', stamp: (ms: number) => unknown): Source {
  return {
    count: () => Promise.reject(new Error('not counted')),
    fetchPage: () => Promise.reject(new Error('not counted')),
    async *walkCursor(_endpoint: string, window: Window, pageSize: number): AsyncGenerator<CursorPage> {
      const all: Record<string, unknown>[] = [];
      for (let t = window.start.getTime(); t < window.end.getTime(); t += 10_000) all.push({ id: t, ts: stamp(t) });
      if (order === 'newest') all.reverse();
      const next = all.length > pageSize ? String(pageSize) : undefined;
      yield await Promise.resolve({
        page: 1,
        records: all.slice(0, pageSize),
        total: undefined,
        requestId: undefined,
        next,
      });
    },
  };
}

const endpoint = (type: string) =>
  EndpointConfig.parse({
    path: '/charges',
    timestampField: 'ts',
    pagination: { style: 'starting-after', pageSize: 100 },
    schema: { id: 'integer', ts: type },
  });

describe('slice sizes of a cursor window, newest first as well as oldest first', () => {
  const day: Window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
  const forms: [string, (ms: number) => unknown][] = [
    ['datetime', (ms) => new Date(ms).toISOString()],
    ['epoch-seconds', (ms) => ms / 1000],
    ['epoch-millis', (ms) => String(ms)],
    ['datetime-local', (ms) => new Date(ms).toISOString().slice(0, 19)],
  ];
  for (const [type, stamp] of forms) {
    it(`${type}: a newest-first page gives the same density estimate as an oldest-first one`, async () => {
      const ep = endpoint(type);
      const oldest = await probeSliceSize(source('oldest', stamp), 'charges', ep, day, 4, 86_400_000, silentLog);
      const newest = await probeSliceSize(source('newest', stamp), 'charges', ep, day, 4, 86_400_000, silentLog);
      // 8640 records a day, 100 a page: about 86.4 pages either way, so the day is cut into slices.
      expect(oldest.estimatedPages).to.be.closeTo(86.4, 1);
      expect(newest.estimatedPages).to.be.closeTo(86.4, 1);
      expect(newest.sliceMs).to.equal(oldest.sliceMs).and.to.be.below(86_400_000);
    });
  }

  it('a date-only API gets slices of whole days, which it can be asked for exactly', async () => {
    const ep = EndpointConfig.parse({
      path: '/orders',
      timestampField: 'ts',
      params: { start: 'from', end: 'to', format: 'date', endBound: 'inclusive' },
      pagination: { style: 'starting-after', pageSize: 100 },
      schema: { id: 'integer', ts: 'epoch-seconds' },
    });
    const month: Window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-31T00:00:00Z') };
    const choice = await probeSliceSize(
      source('newest', (ms) => ms / 1000),
      'orders',
      ep,
      month,
      4,
      86_400_000,
      silentLog,
    );
    expect(choice.estimatedPages).to.be.greaterThan(100);
    expect(choice.sliceMs % 86_400_000).to.equal(0);
    expect(choice.sliceMs).to.be.below(month.end.getTime() - month.start.getTime());
  });
});
