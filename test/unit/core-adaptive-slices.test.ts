import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ConfigError, loadServices, silentLog, type CursorPage, type Window } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { probeSliceSize, roundSliceMs, slicesFor } from '@rdc/core/plan/adaptive-slices.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';

const configDir = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/core-slices');
const HOUR = 3_600_000;

describe('adaptive time slices of cursor windows', () => {
  it('cuts about one slice per 10 pages, and at least one per worker while slices keep 8 pages', () => {
    expect(slicesFor(0, 8)).to.equal(1);
    expect(slicesFor(3, 8)).to.equal(1);
    expect(slicesFor(20, 8)).to.equal(2);
    expect(slicesFor(50, 8)).to.equal(6);
    expect(slicesFor(500, 8)).to.equal(50);
    expect(slicesFor(500, 64)).to.equal(62);
    // Every slice adds at most one request over the ideal: the slice count is the overhead.
    for (const pages of [10, 37, 50, 120, 500, 5000]) expect(slicesFor(pages, 8)).to.be.at.most(0.125 * pages + 1);
  });

  it('rounds slice sizes up to whole hours, minutes or seconds', () => {
    expect(roundSliceMs(61 * 86_400_000 + 1)).to.equal(61 * 86_400_000 + HOUR);
    expect(roundSliceMs(90_500)).to.equal(120_000);
    expect(roundSliceMs(1)).to.equal(1000);
  });

  it('a planned run keeps its slices: resuming with another --slice is refused, the same one works', async () => {
    const catalog = loadServices(configDir);
    const source = new (class extends FakeSource {
      override walkCursor(): AsyncIterable<never> {
        throw new Error('a fixed slice size needs no probe');
      }
    })(makeRecords(10));
    const sink = new MemorySink();
    const req = {
      service: 'shop',
      endpoint: 'orders_cursor',
      start: new Date('2024-07-01T00:00:00Z'),
      end: new Date('2024-07-02T00:00:00Z'),
      now: new Date('2024-07-03T00:00:00Z'),
      endGranularityMs: HOUR,
    };
    const deps = { catalog, source, sink, log: silentLog };
    const first = await planRun({ ...req, sliceMs: 6 * HOUR }, { ...deps, publisher: new RecordingPublisher() });
    expect(first.manifest.sliceMs).to.equal(6 * HOUR);
    const objects = sink.objects.size;
    const error = await planRun({ ...req, sliceMs: HOUR }, { ...deps, publisher: new RecordingPublisher() }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ConfigError);
    expect((error as Error).message)
      .to.include('6h')
      .and.include('--slice 1h');
    expect(sink.objects.size, 'nothing written').to.equal(objects);
    const again = await planRun({ ...req, sliceMs: 6 * HOUR }, { ...deps, publisher: new RecordingPublisher() });
    expect(again.origin).to.equal('existing');
  });

  describe('the density probe', () => {
    const day: Window = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
    const endpoint = () => loadServices(configDir).services.get('shop')!.endpoints.orders_cursor!;
    /** A cursor API over `records` in pages of 10 (empty pages first when asked); counts its requests. */
    const cursorApi = (records: ReturnType<typeof makeRecords>, emptyFirst = 0) => {
      const api = new (class extends FakeSource {
        requests = 0;
        override async *walkCursor(): AsyncIterable<CursorPage> {
          const pages = [...Array.from({ length: emptyFirst }, () => []), ...chunks(records, 10)];
          for (const [i, page] of pages.entries()) {
            this.requests++;
            const next = i + 1 < pages.length ? `c${i + 1}` : undefined;
            yield await Promise.resolve({ page: i + 1, records: page, total: undefined, requestId: undefined, next });
          }
        }
      })(records);
      return api;
    };
    const chunks = <T>(items: T[], size: number): T[][] =>
      Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
    const probe = (api: FakeSource) => probeSliceSize(api, 'orders_cursor', endpoint(), day, 8, HOUR, silentLog);

    it('records of one instant (a bulk import): one slice of the whole window, not one per second, in at most 2 requests', async () => {
      const api = cursorApi(makeRecords(3000, day.start.getTime(), 0));
      const choice = await probe(api);
      expect(choice).to.deep.equal({ sliceMs: 24 * HOUR, estimatedPages: undefined });
      expect(api.requests).to.equal(2);
    });

    it('a bulk import on the first page, spread records on the second: measured over both pages', async () => {
      const bulk = makeRecords(10, day.start.getTime(), 0);
      const spread = makeRecords(2000, day.start.getTime() + 60_000, 60_000).map((r, i) => ({ ...r, id: `s${i}` }));
      const api = cursorApi([...bulk, ...spread]);
      const choice = await probe(api);
      // 20 records cover 10 minutes: about 288 pages a day, so 29 slices, rounded up to 50 minutes.
      expect(choice.estimatedPages).to.be.closeTo(288, 1);
      expect(choice.sliceMs).to.equal(50 * 60_000);
      expect(api.requests).to.equal(2);
    });

    it('dense records are cut no finer than a minute', async () => {
      // 10 records in 2.7 s: about 32,000 pages a day, 3,200 slices of 27 s before the floor.
      const api = cursorApi(makeRecords(200, day.start.getTime(), 300));
      const choice = await probe(api);
      expect(choice.sliceMs).to.equal(60_000);
    });

    it('an empty first page is followed; a walk that ends within the probe is one slice of the pages it read', async () => {
      const api = cursorApi(makeRecords(5, day.start.getTime(), 1000), 1);
      expect(await probe(api)).to.deep.equal({ sliceMs: 24 * HOUR, estimatedPages: 1 });
    });
  });
});
