import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { ConfigError, loadServices, silentLog } from '@rdc/contracts';
import { planRun, roundSliceMs, slicesFor } from '@rdc/core';
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
});
