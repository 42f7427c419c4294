import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices, silentLog, type PageTask, type ServiceCatalog } from '@rdc/contracts';
import { finalizeRun, planBackfill } from '@rdc/core';
import { TooManyPagesError } from '@rdc/core/plan/counting.js';
import { type PlanRequest } from '@rdc/core/plan/plan-run.js';
import { readWatermark } from '@rdc/core/state/watermark.js';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';

const HOUR = 3_600_000;

/** The shop fixture with `limits.maxPagesPerRun` lowered to `maxPages`. */
function shopCatalog(maxPages: number): { catalog: ServiceCatalog; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rdc-backfill-'));
  const config = {
    service: 'shop',
    baseUrl: 'http://127.0.0.1:1',
    limits: { maxPagesPerRun: maxPages },
    endpoints: {
      orders: {
        path: '/orders',
        timestampField: 'created_at',
        pagination: { style: 'offset', pageSize: 10 },
        response: { records: 'data', total: { from: 'body', path: 'total' } },
        schema: { id: 'string', created_at: 'datetime', amount: 'number' },
      },
    },
  };
  writeFileSync(join(dir, 'shop.json'), JSON.stringify(config));
  return { catalog: loadServices(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('backfills over limits.maxPagesPerRun', () => {
  // One record a minute for two days: 2,880 records, 288 pages of 10.
  const source = new FakeSource(makeRecords(2 * 24 * 60, Date.UTC(2024, 6, 1), 60_000));
  const now = new Date('2024-07-05T00:00:00Z');
  const request: PlanRequest = {
    service: 'shop',
    endpoint: 'orders',
    start: new Date('2024-07-01T00:00:00Z'),
    end: new Date('2024-07-03T00:00:00Z'),
    now,
    endGranularityMs: HOUR,
  };
  let fixture: ReturnType<typeof shopCatalog>;
  afterEach(() => fixture.cleanup());

  it('plans a window of ten times the limit as consecutive runs that each fit, in window order', async () => {
    fixture = shopCatalog(29); // 288 pages: about ten runs
    const sink = new MemorySink();
    const publisher = new RecordingPublisher();
    const order: string[] = [];
    const runs = await planBackfill(
      request,
      { catalog: fixture.catalog, source, sink, publisher, log: silentLog },
      { onRun: (r) => void order.push(r.manifest.runId) },
    );
    expect(runs.length).to.be.within(10, 14);
    expect(order).to.deep.equal(runs.map((r) => r.manifest.runId));
    expect(runs[0]!.manifest.window.start).to.equal('2024-07-01T00:00:00.000Z');
    expect(runs.at(-1)!.manifest.window.end).to.equal('2024-07-03T00:00:00.000Z');
    for (const [i, run] of runs.entries()) {
      expect(run.manifest.pages, run.manifest.runId).to.be.at.most(29);
      if (i > 0) expect(run.manifest.window.start).to.equal(runs[i - 1]!.manifest.window.end);
    }
    // Published in order: every task of a run before any task of the next.
    const runOrder = publisher.tasks.map((t) => t.runId).filter((id, i, all) => all[i - 1] !== id);
    expect(runOrder).to.deep.equal(runs.map((r) => r.manifest.runId));
    expect(runs.reduce((sum, r) => sum + r.manifest.total, 0)).to.equal(2880);
  });

  it('lands every record once across the runs; the watermark ends at the window end whatever seals last', async () => {
    fixture = shopCatalog(29);
    const sink = new MemorySink();
    const publisher = new RecordingPublisher();
    const deps = { catalog: fixture.catalog, source, sink, publisher, log: silentLog };
    const runs = await planBackfill(request, deps);
    for (const t of publisher.tasks) {
      await handlePageTask(t as PageTask, { catalog: fixture.catalog, sourceFor: () => source, sink, log: silentLog });
    }
    // Seal in reverse: the watermark waits for the first run, then moves over all of them.
    for (const run of [...runs].reverse()) expect((await finalizeRun(sink, run.manifest)).complete).to.equal(true);
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-03T00:00:00.000Z');
    const ids = [...sink.objects.entries()]
      .filter(([k]) => k.endsWith('.ndjson'))
      .flatMap(([, o]) =>
        o.body
          .toString('utf8')
          .trim()
          .split('\n')
          .map((l) => (JSON.parse(l) as { id: string }).id),
      );
    expect(ids).to.have.length(2880);
    expect(new Set(ids).size).to.equal(2880);
  });

  it('a retried backfill maps to the same runs and publishes nothing already landed', async () => {
    fixture = shopCatalog(29);
    const sink = new MemorySink();
    const first = new RecordingPublisher();
    const runs = await planBackfill(request, {
      catalog: fixture.catalog,
      source,
      sink,
      publisher: first,
      log: silentLog,
    });
    for (const t of first.tasks.slice(0, 40)) {
      await handlePageTask(t as PageTask, { catalog: fixture.catalog, sourceFor: () => source, sink, log: silentLog });
    }
    const again = new RecordingPublisher();
    const retried = await planBackfill(request, {
      catalog: fixture.catalog,
      source,
      sink,
      publisher: again,
      log: silentLog,
    });
    expect(retried.map((r) => r.manifest.runId)).to.deep.equal(runs.map((r) => r.manifest.runId));
    expect(retried.every((r) => r.origin === 'existing')).to.equal(true);
    expect(again.tasks).to.have.length(first.tasks.length - 40);
  });

  it('a window that fits is one run, as before; one that cannot be cut says what to raise', async () => {
    fixture = shopCatalog(1000);
    const sink = new MemorySink();
    const runs = await planBackfill(request, {
      catalog: fixture.catalog,
      source,
      sink,
      publisher: new RecordingPublisher(),
      log: silentLog,
    });
    expect(runs).to.have.length(1);
    fixture.cleanup();
    // Thirty records at one instant make three pages, more than one run may plan however it is cut.
    fixture = shopCatalog(1);
    const dense = new FakeSource(makeRecords(30, Date.UTC(2024, 6, 1), 0));
    const error = await planBackfill(request, {
      catalog: fixture.catalog,
      source: dense,
      sink: new MemorySink(),
      publisher: new RecordingPublisher(),
      log: silentLog,
    }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TooManyPagesError);
    expect((error as Error).message).to.include('limits.maxPagesPerRun');
  });
});
