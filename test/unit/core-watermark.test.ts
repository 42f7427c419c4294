import { expect } from 'chai';
import { loadServices, silentLog, type PageTask } from '@rdc/contracts';
import { finalizeRun, planRun, UpToDate } from '@rdc/core';
import { type PlanRequest } from '@rdc/core/plan/plan-run.js';
import { latestRunKey } from '@rdc/core/state/incremental-start.js';
import { readPageRecord } from '@rdc/core/state/page-records.js';
import { readWatermark } from '@rdc/core/state/watermark.js';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const HOUR = 3_600_000;
const catalog = loadServices(fixtureConfigDir);
const base = { service: 'shop', endpoint: 'orders', endGranularityMs: HOUR } as const;

/** Plans [start, end) and lands every page, then seals the run. */
async function completeRun(sink: MemorySink, source: FakeSource, req: Partial<PlanRequest> & { now: Date }) {
  const publisher = new RecordingPublisher();
  const plan = await planRun({ ...base, ...req }, { catalog, source, sink, publisher, log: silentLog });
  for (const t of publisher.tasks) {
    await handlePageTask(t as PageTask, { catalog, sourceFor: () => source, sink, log: silentLog });
  }
  await finalizeRun(sink, plan.manifest);
  return plan.manifest;
}

/** Plans [start, end) and lands every page without sealing; returns the manifest. */
async function landRun(sink: MemorySink, source: FakeSource, start: string, end: string) {
  const publisher = new RecordingPublisher();
  const now = new Date('2024-07-05T00:00:00Z');
  const plan = await planRun(
    { ...base, start: new Date(start), end: new Date(end), now },
    { catalog, source, sink, publisher, log: silentLog },
  );
  for (const t of publisher.tasks) {
    await handlePageTask(t as PageTask, { catalog, sourceFor: () => source, sink, log: silentLog });
  }
  return plan.manifest;
}

describe('watermark and incremental edge cases', () => {
  const source = new FakeSource(makeRecords(3 * 24 * 60, Date.UTC(2024, 6, 1), 60_000));

  it('an incremental run with nothing new says it is up to date instead of failing', async () => {
    const sink = new MemorySink();
    const now = new Date('2024-07-02T00:30:00Z');
    await completeRun(sink, source, { start: new Date('2024-07-01T00:00:00Z'), now });
    const error = await planRun(
      { ...base, now: new Date('2024-07-02T00:50:00Z') },
      { catalog, source, sink, publisher: new RecordingPublisher(), log: silentLog },
    ).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UpToDate);
    expect((error as Error).message)
      .to.include('up to date')
      .and.include('2024-07-02T00:00:00.000Z');
  });

  it('a completed window that leaves a gap after the watermark does not move it', async () => {
    const sink = new MemorySink();
    const now = new Date('2024-07-03T12:00:00Z');
    await completeRun(sink, source, {
      start: new Date('2024-07-01T00:00:00Z'),
      end: new Date('2024-07-01T06:00:00Z'),
      now,
    });
    await completeRun(sink, source, {
      start: new Date('2024-07-02T00:00:00Z'),
      end: new Date('2024-07-02T06:00:00Z'),
      now,
    });
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-01T06:00:00.000Z');
    // A contiguous one does (it overlaps the second run on purpose, so it is forced).
    await completeRun(sink, source, {
      start: new Date('2024-07-01T06:00:00Z'),
      end: new Date('2024-07-02T06:00:00Z'),
      now,
      allowOverlap: true,
    });
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-02T06:00:00.000Z');
  });

  it('a backfill behind the watermark does not become the latest run', async () => {
    const sink = new MemorySink();
    const now = new Date('2024-07-03T12:00:00Z');
    const recent = await completeRun(sink, source, {
      start: new Date('2024-07-02T00:00:00Z'),
      end: new Date('2024-07-03T00:00:00Z'),
      now,
    });
    await planRun(
      { ...base, start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-01T12:00:00Z'), now },
      { catalog, source, sink, publisher: new RecordingPublisher(), log: silentLog },
    );
    const latest = JSON.parse((await sink.get(latestRunKey('shop', 'orders')))!.toString('utf8')) as { runId: string };
    expect(latest.runId).to.equal(recent.runId);
  });

  it('a concurrent writer that puts an older watermark over ours does not move it back', async () => {
    const sink = new MemorySink();
    const now = new Date('2024-07-03T12:00:00Z');
    await completeRun(sink, source, {
      start: new Date('2024-07-01T00:00:00Z'),
      end: new Date('2024-07-01T06:00:00Z'),
      now,
    });
    const older = sink.objects.get('_rdc/state/shop/orders/watermark.json')!.body;
    // The next run seals while a slower sealer of the earlier run writes its (older) end right after us.
    const put = sink.put.bind(sink);
    let raced = false;
    sink.put = async (key, body, options) => {
      await put(key, body, options);
      if (key.endsWith('watermark.json') && !raced) {
        raced = true;
        await put(key, older, options);
      }
    };
    await completeRun(sink, source, {
      start: new Date('2024-07-01T06:00:00Z'),
      end: new Date('2024-07-02T00:00:00Z'),
      now,
    });
    expect(raced).to.equal(true);
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-02T00:00:00.000Z');
  });

  it('a corrupt watermark or latest-run pointer is named, with what to do', async () => {
    const sink = new MemorySink();
    await sink.put('_rdc/state/shop/orders/watermark.json', Buffer.from('{"end": '));
    const error = await planRun(
      { ...base, now: new Date('2024-07-02T00:00:00Z') },
      { catalog, source, sink, publisher: new RecordingPublisher(), log: silentLog },
    ).catch((e: unknown) => e);
    expect((error as Error).message)
      .to.include('mem://test/_rdc/state/shop/orders/watermark.json is not JSON')
      .and.include('--start_date');
    await sink.put('_rdc/state/shop/orders/watermark.json', Buffer.from('{"v":1}'));
    await sink.put(latestRunKey('shop', 'orders'), Buffer.from('{"run":1}'));
    const pointer = await planRun(
      { ...base, now: new Date('2024-07-02T00:00:00Z') },
      { catalog, source, sink, publisher: new RecordingPublisher(), log: silentLog },
    ).catch((e: unknown) => e);
    expect((pointer as Error).message)
      .to.include('latest.json')
      .and.include('runId')
      .and.include('delete it');
  });

  it('a page landed under the other gzip setting counts as landed', async () => {
    const sink = new MemorySink();
    const publisher = new RecordingPublisher();
    await planRun(
      {
        ...base,
        start: new Date('2024-07-01T00:00:00Z'),
        end: new Date('2024-07-01T01:00:00Z'),
        now: new Date('2024-07-02T00:00:00Z'),
      },
      { catalog, source, sink, publisher, log: silentLog },
    );
    const task = publisher.tasks[0] as PageTask;
    const gz = await handlePageTask(task, { catalog, sourceFor: () => source, sink, log: silentLog, gzip: true });
    expect((await readPageRecord(sink, gz.key))!.parts[0]!.key).to.match(/\.ndjson\.gz$/);
    const plain = await handlePageTask(task, { catalog, sourceFor: () => source, sink, log: silentLog, gzip: false });
    expect(plain).to.include({ outcome: 'already-landed', key: gz.key });
    expect([...sink.objects.keys()].filter((k) => /page-000001\.ndjson/.test(k))).to.have.length(1);
  });

  it('consecutive runs sealed out of order: the watermark waits for the first, then moves over all of them', async () => {
    const sink = new MemorySink();
    const [a, b, c] = [
      await landRun(sink, source, '2024-07-01T00:00:00Z', '2024-07-01T08:00:00Z'),
      await landRun(sink, source, '2024-07-01T08:00:00Z', '2024-07-01T16:00:00Z'),
      await landRun(sink, source, '2024-07-01T16:00:00Z', '2024-07-02T00:00:00Z'),
    ];
    // No watermark yet: a later run sealed first must not set it past the unsealed earlier ones.
    expect((await finalizeRun(sink, c)).succeeded).to.equal(true);
    expect(await readWatermark(sink, 'shop', 'orders')).to.equal(undefined);
    await finalizeRun(sink, b);
    expect(await readWatermark(sink, 'shop', 'orders')).to.equal(undefined);
    await finalizeRun(sink, a);
    const watermark = await readWatermark(sink, 'shop', 'orders');
    expect(watermark?.end).to.equal('2024-07-02T00:00:00.000Z');
    expect(watermark?.runId).to.equal(c.runId);
  });

  it('with a watermark, a gap closed late carries it over the runs sealed after the gap', async () => {
    const sink = new MemorySink();
    await completeRun(sink, source, {
      start: new Date('2024-07-01T00:00:00Z'),
      end: new Date('2024-07-01T06:00:00Z'),
      now: new Date('2024-07-05T00:00:00Z'),
    });
    const first = await landRun(sink, source, '2024-07-01T06:00:00Z', '2024-07-01T12:00:00Z');
    const second = await landRun(sink, source, '2024-07-01T12:00:00Z', '2024-07-01T18:00:00Z');
    const third = await landRun(sink, source, '2024-07-01T18:00:00Z', '2024-07-02T00:00:00Z');
    await finalizeRun(sink, third);
    await finalizeRun(sink, second);
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-01T06:00:00.000Z');
    await finalizeRun(sink, first);
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-02T00:00:00.000Z');
  });

  it('stops at an unsealed run: the watermark never passes a hole', async () => {
    const sink = new MemorySink();
    const a = await landRun(sink, source, '2024-07-01T00:00:00Z', '2024-07-01T08:00:00Z');
    await landRun(sink, source, '2024-07-01T08:00:00Z', '2024-07-01T16:00:00Z'); // never sealed
    const c = await landRun(sink, source, '2024-07-01T16:00:00Z', '2024-07-02T00:00:00Z');
    await finalizeRun(sink, c);
    await finalizeRun(sink, a);
    expect((await readWatermark(sink, 'shop', 'orders'))?.end).to.equal('2024-07-01T08:00:00.000Z');
  });
});
