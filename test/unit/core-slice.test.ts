import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import {
  encodeTask,
  loadServices,
  PermanentError,
  silentLog,
  TransientError,
  type CursorPage,
  type PageTask,
  type SliceTask,
  type Task,
  type Window,
} from '@rdc/contracts';
import { finalizeRun, handleTask, planRun, runStatus } from '@rdc/core';
import { processDelivery } from '@rdc/core/delivery/outcome-policy.js';
import { type PlanRequest } from '@rdc/core/plan/plan-run.js';
import { readWatermark } from '@rdc/core/state/watermark.js';
import { handleSliceTask } from '@rdc/core/task/handle-slice.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher, type FakeRecord } from '../support/fakes.js';

const configDir = join(fileURLToPath(new URL('.', import.meta.url)), '../../fixtures/core-slices');
const DAY = { start: new Date('2024-07-01T00:00:00Z'), end: new Date('2024-07-02T00:00:00Z') };
const now = new Date('2024-07-03T00:00:00Z');

/**
 * A cursor API over an array: pages of `pageSize` in the window, in order; `mutate` bends a page.
 * `emptyBefore` lists pages preceded by an empty page that still offers a next cursor;
 * `endless` keeps offering a next cursor, with empty pages, after the last one.
 */
class FakeCursorSource extends FakeSource {
  walks: Window[] = [];
  responses = 0;
  mutate: (records: FakeRecord[], page: number, window: Window) => FakeRecord[] = (r) => r;
  emptyBefore = new Set<number>();
  endless = false;

  override async *walkCursor(_endpoint = '', window: Window = DAY, pageSize = 10): AsyncIterable<CursorPage> {
    this.walks.push(window);
    const inWindow = this.records.filter((r) => {
      const t = Date.parse(r.created_at);
      return t >= window.start.getTime() && t < window.end.getTime();
    });
    const last = Math.ceil(inWindow.length / pageSize);
    let n = 0;
    const response = (records: FakeRecord[], more: boolean): CursorPage => {
      this.responses++;
      n++;
      return { page: n, records, total: undefined, requestId: `req-${n}`, next: more ? `c${n}` : undefined };
    };
    for (let page = 1; page <= last; page++) {
      if (this.emptyBefore.has(page)) yield await Promise.resolve(response([], true));
      const records = this.mutate(inWindow.slice((page - 1) * pageSize, page * pageSize), page, window);
      yield await Promise.resolve(response(records, page < last || this.endless));
    }
    if (last === 0) yield response([], this.endless);
    while (this.endless) yield await Promise.resolve(response([], true));
  }
}

function setup(records: FakeRecord[] = makeRecords(100, DAY.start.getTime(), 15 * 60_000)) {
  const catalog = loadServices(configDir);
  const source = new FakeCursorSource(records);
  const sink = new MemorySink();
  const publisher = new RecordingPublisher();
  const handlerDeps = { catalog, sourceFor: () => source, sink, log: silentLog };
  const plan = (req: Partial<PlanRequest> = {}) =>
    planRun(
      {
        service: 'shop',
        endpoint: 'orders_cursor',
        start: DAY.start,
        end: DAY.end,
        now,
        endGranularityMs: 3_600_000,
        ...req,
      },
      { catalog, source, sink, publisher, log: silentLog },
    );
  return { catalog, source, sink, publisher, handlerDeps, plan };
}

const keys = (sink: MemorySink, pattern: RegExp): string[] => [...sink.objects.keys()].filter((k) => pattern.test(k));
const idsIn = (sink: MemorySink): string[] =>
  [...sink.objects.keys()]
    .filter((k) => /\/page-[^/]+\.ndjson$/.test(k))
    .sort()
    .flatMap((k) => sink.objects.get(k)!.body.toString('utf8').trimEnd().split('\n').filter(Boolean))
    .map((line) => (JSON.parse(line) as { id: string }).id);
const inDay = (records: FakeRecord[]) =>
  records.filter((r) => Date.parse(r.created_at) < DAY.end.getTime()).map((r) => r.id);

describe('slice plans (cursor pagination)', () => {
  it('cuts the window into the configured slices, records the plan, and counts nothing', async () => {
    const { plan, publisher, source } = setup();
    const result = await plan();
    expect(result.manifest).to.include({ plan: 'slices', sliceMs: 6 * 3_600_000, sliceCount: 4, pages: 4, total: 0 });
    expect(source.counts).to.equal(0);
    const tasks = publisher.tasks as SliceTask[];
    expect(tasks.map((t) => [t.kind, t.sliceIndex, t.slices])).to.deep.equal([1, 2, 3, 4].map((n) => ['slice', n, 4]));
    expect(tasks.map((t) => t.slice.start)).to.deep.equal(
      ['00', '06', '12', '18'].map((h) => `2024-07-01T${h}:00:00.000Z`),
    );
    expect(tasks.at(-1)!.slice.end).to.equal('2024-07-02T00:00:00.000Z');
    expect(result.published).to.equal(4);
  });

  it('--slice overrides the config', async () => {
    const { plan, publisher } = setup();
    const result = await plan({ sliceMs: 8 * 3_600_000 });
    expect(result.manifest).to.include({ sliceMs: 8 * 3_600_000, sliceCount: 3 });
    expect(publisher.tasks).to.have.length(3);
  });

  it('lands every record of the window once, page by page, with a marker per slice', async () => {
    const { plan, publisher, handlerDeps, sink, source } = setup();
    const { manifest } = await plan();
    for (const task of publisher.tasks) await handleTask(task, handlerDeps);
    expect(keys(sink, /\/page-s000001-00000[1-3]\.ndjson$/)).to.have.length(3);
    expect(keys(sink, /\/slices\/slice-00000[1-4]\.json$/)).to.have.length(4);
    expect(idsIn(sink)).to.deep.equal(inDay(source.records));
    const marker = JSON.parse(
      sink.objects.get(keys(sink, /slices\/slice-000002\.json$/)[0]!)!.body.toString('utf8'),
    ) as {
      pages: number;
      records: number;
    };
    expect(marker).to.include({ pages: 3, records: 24 });

    const status = await finalizeRun(sink, manifest, now);
    expect(status).to.include({ unit: 'slice', expectedPages: 4, landedPages: 4, pageFiles: 12, complete: true });
    const success = JSON.parse(sink.objects.get(keys(sink, /\/_SUCCESS$/)[0]!)!.body.toString('utf8')) as Record<
      string,
      unknown
    >;
    expect(success).to.include({ plan: 'slices', slices: 4, pages: 12, records: 96 });
    expect((await readWatermark(sink, 'shop', 'orders_cursor'))?.end).to.equal('2024-07-02T00:00:00.000Z');
  });

  it('answers a redelivered slice from its marker, without walking again', async () => {
    const { plan, publisher, handlerDeps, source, sink } = setup();
    await plan();
    const task = publisher.tasks[0] as SliceTask;
    expect(await handleSliceTask(task, handlerDeps)).to.include({ outcome: 'landed', records: 24 });
    const writes = sink.writes;
    expect(await handleSliceTask(task, handlerDeps)).to.include({ outcome: 'already-landed', records: 0 });
    expect(source.walks).to.have.length(1);
    expect(sink.writes).to.equal(writes);
  });

  it('a slice retried after failing mid-walk skips the pages that landed and finishes', async () => {
    const { plan, publisher, handlerDeps, source, sink } = setup();
    await plan();
    const task = publisher.tasks[1] as SliceTask;
    source.mutate = (records, page) =>
      page === 3 ? records.map((r) => ({ ...r, created_at: '2024-07-05T00:00:00.000Z' })) : records;
    const error = await handleSliceTask(task, handlerDeps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message)
      .to.include('slice 2/4')
      .and.include('page 3')
      .and.include('outside the window');
    expect(keys(sink, /\/page-s000002-[^/]*\.ndjson$/)).to.have.length(2);
    expect(keys(sink, /\/pages\/page-s000002-/)).to.have.length(2);
    expect(keys(sink, /slices\/slice-/)).to.deep.equal([]);

    source.mutate = (r) => r;
    const writes = sink.writes;
    // The retry landed page 3 only: its records are what this call counts; the marker holds all 24.
    expect(await handleSliceTask(task, handlerDeps)).to.include({ outcome: 'landed', records: 4 });
    expect(sink.writes - writes, 'page 3, its page record and the marker').to.equal(3);
    expect(idsIn(sink)).to.deep.equal(inDay(source.records).slice(24, 48));
  });

  it('refuses to mark a slice whose landed pages no longer match what the API serves', async () => {
    const { plan, publisher, handlerDeps, source, sink } = setup();
    await plan();
    const task = publisher.tasks[0] as SliceTask;
    source.mutate = (records, page) => {
      if (page === 2) throw new TransientError('503 on page 2');
      return records;
    };
    await handleSliceTask(task, handlerDeps).catch(() => undefined);
    // A record vanished from the slice meanwhile: page 1 would now start one record later.
    source.records = source.records.filter((r) => r.id !== 'rec_000002');
    source.mutate = (r) => r;
    const error = await handleSliceTask(task, handlerDeps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include('page 1 landed earlier')
      .and.include('page-s000001-');
    expect(keys(sink, /slices\/slice-/)).to.deep.equal([]);
  });

  describe('two deliveries of one slice walking at once', () => {
    const PAGE_RECORD = /\/pages\/page-s000001-000001\.json$/;

    /**
     * Walker A lands page 1 just before walker B writes page 1's page record; A read the page
     * when its records fell on the day before, so its part and page record sit under dt=2024-06-30.
     */
    async function race(bend: (records: FakeRecord[]) => FakeRecord[]) {
      const { plan, publisher, handlerDeps, sink, source } = setup();
      await plan();
      const task = publisher.tasks[0] as SliceTask;
      const other = new MemorySink();
      for (const [key, value] of sink.objects) other.objects.set(key, value);
      await handleSliceTask(task, { ...handlerDeps, sink: other });
      const first = [...other.objects.keys()].filter((k) => /page-s000001-000001\./.test(k));
      const put = sink.putIfAbsent.bind(sink);
      sink.putIfAbsent = async (key, body, options) => {
        if (PAGE_RECORD.test(key)) {
          for (const k of first) {
            const { body: stored, options: opts } = other.objects.get(k)!;
            const moved = Buffer.from(
              stored
                .toString('utf8')
                .replaceAll('dt=2024-07-01', 'dt=2024-06-30')
                .replaceAll('"dt":"2024-07-01"', '"dt":"2024-06-30"'),
            );
            sink.objects.set(k.replace('dt=2024-07-01', 'dt=2024-06-30'), { body: moved, options: opts });
          }
        }
        return put(key, body, options);
      };
      source.mutate = (records, page) => (page === 1 ? bend(records) : records);
      const error = await handleSliceTask(task, handlerDeps).catch((e: unknown) => e);
      return { error, sink };
    }

    it('fails when the page the other delivery landed holds other ids', async () => {
      const { error, sink } = await race((records) => records.slice(1));
      expect(error).to.be.instanceOf(PermanentError);
      expect((error as Error).message)
        .to.include('page 1 landed earlier with 10 records')
        .and.include('serves 9');
      expect(keys(sink, /slices\/slice-/)).to.deep.equal([]);
    });

    it('fails naming the part it wrote into a dt= folder the landed page record does not name', async () => {
      const { error, sink } = await race((records) => records);
      expect(error).to.be.instanceOf(PermanentError);
      const stray = keys(sink, /dt=2024-07-01\/.*page-s000001-000001\.ndjson$/);
      expect(stray).to.have.length(1);
      expect((error as Error).message)
        .to.include(stray[0])
        .and.include('counted twice');
      expect(keys(sink, /slices\/slice-/)).to.deep.equal([]);
    });
  });

  it('refuses a walk that repeats an id across pages', async () => {
    const { plan, publisher, handlerDeps, sink, source } = setup();
    const { manifest } = await plan();
    source.mutate = (records, page) =>
      page === 2 ? records.map((r, i) => (i === 0 ? { ...r, id: 'rec_000001' } : r)) : records;
    const error = await handleSliceTask(publisher.tasks[0] as SliceTask, handlerDeps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message)
      .to.include(manifest.runId)
      .and.include('repeats record id rec_000001');
    expect(keys(sink, /slices\/slice-/)).to.deep.equal([]);
  });

  it('marks an empty slice with zero pages', async () => {
    const { plan, publisher, handlerDeps, sink } = setup(makeRecords(10, DAY.start.getTime(), 60_000));
    await plan();
    expect(await handleSliceTask(publisher.tasks[3] as SliceTask, handlerDeps)).to.include({
      outcome: 'landed',
      records: 0,
    });
    const marker = JSON.parse(
      sink.objects.get(keys(sink, /slices\/slice-000004\.json$/)[0]!)!.body.toString('utf8'),
    ) as {
      pages: number;
    };
    expect(marker.pages).to.equal(0);
  });

  it('follows empty pages that offer a next cursor, and lands every record after them', async () => {
    const { plan, publisher, handlerDeps, sink, source } = setup();
    await plan();
    source.emptyBefore = new Set([1, 2, 3]);
    expect(await handleSliceTask(publisher.tasks[0] as SliceTask, handlerDeps)).to.include({ records: 24 });
    expect(idsIn(sink)).to.deep.equal(inDay(source.records).slice(0, 24));
    const marker = JSON.parse(
      sink.objects.get(keys(sink, /slices\/slice-000001\.json$/)[0]!)!.body.toString('utf8'),
    ) as { pages: number; records: number };
    expect(marker, 'pages with records, numbered without gaps').to.include({ pages: 3, records: 24 });
    expect(keys(sink, /\/page-s000001-00000[1-3]\.ndjson$/)).to.have.length(3);
  });

  it('fails a walk past limits.maxPagesPerSlice naming the slice, the last cursor and the setting; raised, it finishes', async () => {
    const { plan, publisher, handlerDeps, sink, source, catalog } = setup();
    await plan();
    const limits = catalog.services.get('shop')!.limits;
    limits.maxPagesPerSlice = 2;
    const task = publisher.tasks[0] as SliceTask;
    const error = await handleSliceTask(task, handlerDeps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include('slice 1/4')
      .and.include('last cursor "c2"')
      .and.include('limits.maxPagesPerSlice')
      .and.include(`--resume ${task.runId}`);
    expect(keys(sink, /slices\/slice-/)).to.deep.equal([]);
    limits.maxPagesPerSlice = 3;
    expect(await handleSliceTask(task, handlerDeps)).to.include({ outcome: 'landed' });
    expect(idsIn(sink)).to.deep.equal(inDay(source.records).slice(0, 24));
  });

  it('bounds an endless cursor by the probed density: fails after the derived number of pages', async () => {
    const { plan, publisher, handlerDeps, source, sink } = setup();
    // No fixed slice: the probe measures the window (100 records over 25 h: about 10 pages of 10 in the day).
    const catalog = handlerDeps.catalog;
    const endpoint = catalog.services.get('shop')!.endpoints.orders_cursor!;
    delete endpoint.slice;
    const { manifest } = await plan();
    expect(manifest.estimatedPages).to.be.a('number');
    source.endless = true;
    source.responses = 0;
    const task = publisher.tasks[0] as SliceTask;
    const error = await handleSliceTask(task, handlerDeps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include('the API still offers a next page')
      .and.include('probe');
    // Ten times the pages the probe expects in the slice, at least 100.
    const expected = Math.ceil(manifest.estimatedPages! / manifest.sliceCount!);
    expect(source.responses).to.equal(Math.max(100, 10 * expected));
    expect(keys(sink, /slices\/slice-/)).to.deep.equal([]);
  });

  it('fails a walk past limits.maxSliceSeconds, naming the setting', async () => {
    const { plan, publisher, handlerDeps, catalog } = setup();
    await plan();
    catalog.services.get('shop')!.limits.maxSliceSeconds = 5;
    let clock = 0;
    const deps = { ...handlerDeps, now: () => (clock += 3_000) };
    const error = await handleSliceTask(publisher.tasks[0] as SliceTask, deps).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include('limits.maxSliceSeconds')
      .and.include('6 s');
  });

  it('refuses a slice task the plan does not hold, before calling the API', async () => {
    const { plan, publisher, handlerDeps, source, sink } = setup();
    await plan();
    const task = publisher.tasks[1] as SliceTask;
    const forged: SliceTask[] = [
      { ...task, sliceIndex: 3 },
      { ...task, slice: { start: '2024-07-01T05:00:00.000Z', end: '2024-07-01T12:00:00.000Z' } },
      { ...task, slices: 5 },
    ];
    for (const t of forged) {
      const error = await handleSliceTask(t, handlerDeps).catch((e: unknown) => e);
      expect(error, JSON.stringify(t.slice)).to.be.instanceOf(PermanentError);
      expect((error as Error).message).to.include('does not plan');
    }
    const outside = await handleSliceTask(
      { ...task, slice: { start: '2024-06-30T18:00:00.000Z', end: '2024-07-01T00:00:00.000Z' } },
      handlerDeps,
    ).catch((e: unknown) => e);
    expect((outside as Error).message).to.include('not inside its run');
    expect(source.walks).to.have.length(0);
    expect(keys(sink, /\.ndjson$/)).to.deep.equal([]);
  });

  it('dead-letters a failing slice as slice-NNNNNN.json; status lists it and a re-plan publishes it again', async () => {
    const { plan, publisher, handlerDeps, sink, source } = setup();
    const { manifest } = await plan();
    source.mutate = (records, _page, window) => {
      if (window.start.getUTCHours() === 12) throw new PermanentError('HTTP 400 from the API');
      return records;
    };
    for (const task of publisher.tasks) {
      await processDelivery(
        { id: `m-${(task as SliceTask).sliceIndex}`, data: encodeTask(task), attributes: {}, deliveryAttempt: 1 },
        { handle: (t) => handleTask(t, handlerDeps), sink, log: silentLog, maxDeliveryAttempts: 5 },
      );
    }
    const deadSlices = keys(sink, /^_rdc\/deadletter\//);
    expect(deadSlices).to.have.length(1);
    expect(deadSlices[0]).to.match(
      /^_rdc\/deadletter\/shop\/orders_cursor\/run=[^/]+\/slice-000003\.m[0-9a-f]{16}-a1\.json$/,
    );
    expect(deadSlices[0]).to.include(`run=${manifest.runId}/`);
    const status = await runStatus(sink, manifest);
    expect(status).to.include({ unit: 'slice', expectedPages: 4, landedPages: 3, complete: false });
    expect(status.deadLetteredPages).to.deep.equal([3]);
    expect(status.missingPages).to.deep.equal([]);

    const again = new RecordingPublisher();
    const { catalog } = setup();
    const replanned = await planRun(
      { service: 'shop', endpoint: 'orders_cursor', start: DAY.start, end: DAY.end, now, endGranularityMs: 3_600_000 },
      { catalog, source, sink, publisher: again, log: silentLog },
    );
    expect(replanned.origin).to.equal('existing');
    expect(again.tasks.map((t) => (t as SliceTask).sliceIndex)).to.deep.equal([3]);
  });
});

describe('page plans split under an offset cap', () => {
  // 95 records a minute apart: 10 pages of 10, but maxOffset 20 reaches 3 pages per window.
  function capped() {
    const records = makeRecords(95, DAY.start.getTime(), 60_000);
    const ctx = setup(records);
    return { ...ctx, plan: (req: Partial<PlanRequest> = {}) => ctx.plan({ endpoint: 'orders_capped', ...req }) };
  }

  it('splits the window until each slice fits, and lists the slices in the manifest', async () => {
    const { plan, publisher } = capped();
    const { manifest } = await plan();
    const slices = manifest.slices!;
    expect(manifest).to.include({ plan: 'pages', total: 95, sliceCount: slices.length });
    expect(slices.length).to.be.greaterThan(3);
    expect(slices.every((s) => s.pages <= 3)).to.equal(true);
    expect(slices.reduce((n, s) => n + s.total, 0)).to.equal(95);
    expect(slices[0]!.start).to.equal(manifest.window.start);
    expect(slices.at(-1)!.end).to.equal(manifest.window.end);
    slices.slice(1).forEach((s, i) => expect(s.start).to.equal(slices[i]!.end));
    expect(manifest.pages).to.equal(slices.reduce((n, s) => n + s.pages, 0));

    const tasks = publisher.tasks as PageTask[];
    expect(tasks).to.have.length(manifest.pages);
    for (const t of tasks) {
      const slice = slices.find((s) => s.start === t.slice!.start)!;
      expect(t).to.include({ pages: slice.pages, total: slice.total });
      expect(t.page).to.be.within(1, slice.pages);
    }
  });

  it('lands every page under its slice number, in record order, and completes', async () => {
    const { plan, publisher, handlerDeps, sink, source } = capped();
    const { manifest } = await plan();
    for (const task of [...publisher.tasks].reverse()) await handleTask(task, handlerDeps);
    expect(keys(sink, /\/page-s\d{6}-\d{6}\.ndjson$/)).to.have.length(manifest.pages);
    expect(keys(sink, /\/page-\d{6}\.ndjson$/)).to.deep.equal([]);
    expect(idsIn(sink)).to.deep.equal(source.records.map((r) => r.id));
    for (const call of source.calls)
      expect(call.window.end.getTime() - call.window.start.getTime()).to.be.lessThan(86_400_000);
    expect(await finalizeRun(sink, manifest, now)).to.include({
      unit: 'page',
      landedPages: manifest.pages,
      complete: true,
    });
  });

  it('checks each page against its slice counts and dead-letters it as page-sNNNNNN-NNNNNN.json', async () => {
    const { plan, publisher, handlerDeps, sink, source } = capped();
    const { manifest } = await plan();
    const task = (publisher.tasks as PageTask[]).find((t) => t.page === 1 && t.slice!.start !== manifest.window.start)!;
    const sliceNumber = manifest.slices!.findIndex((s) => s.start === task.slice!.start) + 1;
    source.transform = (records) => records.slice(1);
    const processed = await processDelivery(
      { id: 'm-1', data: encodeTask(task), attributes: {}, deliveryAttempt: 5 },
      { handle: (t: Task) => handleTask(t, handlerDeps), sink, log: silentLog, maxDeliveryAttempts: 5 },
    );
    expect(processed.decision).to.equal('dead-letter');
    expect((processed.error as Error).message)
      .to.include(`page 1/${task.pages} of slice [${task.slice!.start}`)
      .and.include('expects');
    const dead = `_rdc/deadletter/shop/orders_capped/run=${manifest.runId}/page-s${String(sliceNumber).padStart(6, '0')}-000001.m`;
    const deadPages = keys(sink, /^_rdc\/deadletter\//);
    expect(deadPages).to.have.length(1);
    expect(deadPages[0]).to.satisfy((k: string) => k.startsWith(dead) && k.endsWith('.json'));

    const offset = manifest.slices!.slice(0, sliceNumber - 1).reduce((n, s) => n + s.pages, 0);
    const status = await runStatus(sink, manifest);
    expect(status.deadLetteredPages).to.deep.equal([offset + 1]);
    expect(status.missingPages).to.have.length(manifest.pages - 1);
  });

  it('refuses a sliced page whose slice or counts the manifest does not hold', async () => {
    const { plan, publisher, handlerDeps, source } = capped();
    await plan();
    const task = publisher.tasks[0] as PageTask;
    for (const forged of [
      { ...task, total: task.total + 1 },
      { ...task, slice: { ...task.slice!, end: '2024-07-01T23:00:00.000Z' } },
    ]) {
      const error = await handleTask(forged, handlerDeps).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(PermanentError);
      expect((error as Error).message).to.include('does not plan');
    }
    expect(source.calls).to.have.length(0);
  });

  it('needs no split when the window fits under the cap', async () => {
    const { plan } = capped();
    const { manifest } = await plan({ end: new Date('2024-07-01T00:25:00Z') });
    expect(manifest.slices).to.equal(undefined);
    expect(manifest.pages).to.equal(3);
  });
});
