import { gunzipSync } from 'node:zlib';
import { expect } from 'chai';
import { loadServices, PermanentError, silentLog, type PageTask, type PutResult } from '@rdc/contracts';
import { finalizeRun, planRun, runStatus } from '@rdc/core';
import { readPageRecord } from '@rdc/core/state/page-records.js';
import { handlePageTask } from '@rdc/core/task/handle-page.js';
import { splitByDate } from '@rdc/core/task/land-page.js';
import { FakeSource, makeRecords, MemorySink, RecordingPublisher } from '../support/fakes.js';
import { fixtureConfigDir } from './core-handler.test.js';

const catalog = loadServices(fixtureConfigDir);
// 30 records every 10 minutes from 20:00 on 1 July: page 3 (of 10) holds 23:20 to 00:50, across midnight.
const records = () => makeRecords(30, Date.UTC(2024, 6, 1, 20), 600_000);

async function setup() {
  const source = new FakeSource(records());
  const sink = new MemorySink();
  const publisher = new RecordingPublisher();
  const plan = await planRun(
    {
      service: 'shop',
      endpoint: 'orders',
      start: new Date('2024-07-01T00:00:00Z'),
      end: new Date('2024-07-03T00:00:00Z'),
      now: new Date('2024-07-04T00:00:00Z'),
      endGranularityMs: 3_600_000,
    },
    { catalog, source, sink, publisher, log: silentLog },
  );
  const tasks = publisher.tasks as PageTask[];
  const deps = (gzip = false) => ({ catalog, sourceFor: () => source, sink, log: silentLog, gzip });
  return { source, sink, tasks, deps, manifest: plan.manifest };
}

const dataKeys = (sink: MemorySink): string[] => [...sink.objects.keys()].filter((k) => /\.ndjson(\.gz)?$/.test(k));

/** Every (dt folder, record) pair in the data objects. */
function landedRows(sink: MemorySink): { dt: string; id: string; created_at: string }[] {
  return dataKeys(sink).flatMap((key) => {
    const body = sink.objects.get(key)!.body;
    const text = (key.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
    const dt = /\/dt=([^/]+)\//.exec(key)![1]!;
    return text
      .trimEnd()
      .split('\n')
      .map((line) => ({ dt, ...(JSON.parse(line) as { id: string; created_at: string }) }));
  });
}

function expectEveryRecordOnceUnderItsDate(sink: MemorySink): void {
  const rows = landedRows(sink);
  expect(rows.map((r) => r.id).sort()).to.deep.equal(records().map((r) => r.id));
  for (const row of rows) expect(row.created_at.slice(0, 10), row.id).to.equal(row.dt);
}

/** Makes the sink fail the first write of keys matching `pattern` (a crash between parts). */
function failOnce(sink: MemorySink, pattern: RegExp): void {
  const put = sink.putIfAbsent.bind(sink);
  let failed = false;
  sink.putIfAbsent = (key, body, options): Promise<PutResult> => {
    if (!failed && pattern.test(key)) {
      failed = true;
      return Promise.reject(new Error('connection reset'));
    }
    return put(key, body, options);
  };
}

describe('partitioning by the records’ UTC date', () => {
  it('splits records by the UTC date of their timestamp, offsets included', () => {
    const parts = splitByDate(
      [
        { created_at: '2024-07-01T23:59:59.999Z' },
        { created_at: '2024-07-02T01:30:00+02:00' }, // 2024-07-01T23:30Z
        { created_at: '2024-07-02T00:00:00.000Z' },
      ],
      'created_at',
    );
    expect(parts.map((p) => [p.dt, p.records.length])).to.deep.equal([
      ['2024-07-01', 2],
      ['2024-07-02', 1],
    ]);
  });

  it('writes a page that spans midnight as one part per date under its own name, and no extra API call', async () => {
    const { sink, tasks, deps, source, manifest } = await setup();
    for (const task of tasks) await handlePageTask(task, deps());
    expect(source.calls).to.have.length(tasks.length);
    const page3 = dataKeys(sink).filter((k) => k.endsWith('/page-000003.ndjson'));
    expect(page3.map((k) => /dt=([^/]+)/.exec(k)![1])).to.deep.equal(['2024-07-01', '2024-07-02']);
    expectEveryRecordOnceUnderItsDate(sink);
    const record = (await readPageRecord(sink, `_rdc/runs/shop/orders/run=${manifest.runId}/pages/page-000003.json`))!;
    expect(record.parts.map((p) => [p.dt, p.records])).to.deep.equal([
      ['2024-07-01', 4],
      ['2024-07-02', 6],
    ]);
    expect(record.metadata).to.include({ records: '10', page: '3' });
    expect((await finalizeRun(sink, manifest)).succeeded).to.equal(true);
  });

  it('a crash between parts leaves the page missing; its redelivery completes it without a duplicate', async () => {
    const { sink, tasks, deps, manifest } = await setup();
    failOnce(sink, /dt=2024-07-02\/.*page-000003/);
    for (const task of tasks) await handlePageTask(task, deps()).catch(() => undefined);
    expect(dataKeys(sink).filter((k) => k.includes('page-000003'))).to.have.length(1);
    const before = await runStatus(sink, manifest);
    expect(before.missingPages).to.deep.equal([3]);
    expect(before.complete).to.equal(false);

    const again = await handlePageTask(tasks[2]!, deps());
    expect(again.outcome).to.equal('landed');
    expect((await runStatus(sink, manifest)).complete).to.equal(true);
    expectEveryRecordOnceUnderItsDate(sink);
  });

  it('a redelivery with the other gzip setting keeps the part that landed and writes only the missing one, in the run’s encoding', async () => {
    const { sink, tasks, deps, manifest } = await setup();
    failOnce(sink, /dt=2024-07-02\/.*page-000003/);
    await handlePageTask(tasks[2]!, deps(true)).catch(() => undefined);
    expect(dataKeys(sink)).to.have.length(1);
    expect(dataKeys(sink)[0]).to.match(/dt=2024-07-01\/.*page-000003\.ndjson\.gz$/);
    for (const task of tasks) await handlePageTask(task, deps(false));
    const page3 = dataKeys(sink).filter((k) => k.includes('page-000003'));
    expect(page3.map((k) => k.replace(/.*dt=([^/]+)\/.*\/(page-.*)$/, '$1 $2'))).to.deep.equal([
      '2024-07-01 page-000003.ndjson.gz',
      '2024-07-02 page-000003.ndjson.gz',
    ]);
    expectEveryRecordOnceUnderItsDate(sink);
    expect((await runStatus(sink, manifest)).complete).to.equal(true);
  });

  it('two deliveries of a split page at once land it once', async () => {
    const { sink, tasks, deps } = await setup();
    const results = await Promise.all([handlePageTask(tasks[2]!, deps()), handlePageTask(tasks[2]!, deps())]);
    expect(results.map((r) => r.outcome).sort()).to.deep.equal(['already-landed', 'landed']);
    expect(dataKeys(sink)).to.have.length(2);
  });

  it('refuses to complete a page whose landed part no longer matches what the API serves', async () => {
    const { sink, tasks, deps, source, manifest } = await setup();
    failOnce(sink, /dt=2024-07-02\/.*page-000003/);
    await handlePageTask(tasks[2]!, deps()).catch(() => undefined);
    // Between attempts the API swaps a record of 1 July for another of the same date.
    source.transform = (recs) => recs.map((r) => (r.id === 'rec_000021' ? { ...r, id: 'rec_new' } : r));
    const error = await handlePageTask(tasks[2]!, deps()).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PermanentError);
    expect((error as Error).message)
      .to.include('2024-07-01 part')
      .and.include('page-000003.ndjson')
      .and.include('resume');
    expect((await runStatus(sink, manifest)).missingPages).to.include(3);
  });
});
