import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices, type PutOptions, type PutResult, silentLog, type Sink, type SliceTask } from '@rdc/contracts';
import { finalizeRun, handleTask, planRun } from '@rdc/core';
import { FileSink } from '@rdc/sinks';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';
import { createHttpSource, type HttpSource } from '@rdc/source';
import { repoRoot } from '../support/cli.js';
import { TableReader } from '../support/duckdb.js';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { RecordingPublisher } from '../support/fakes.js';
import { tempDir } from '../support/hooks.js';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';

const START = new Date('2024-01-01T00:00:00Z');
const END = new Date('2024-01-03T00:00:00Z');
const DAY_MS = 86_400_000;
const BUCKET = 'rdc-checkpoint-test';

/** The process dies here: nothing the sink is asked after this lands. */
class Killed extends Error {}

/** A folder sink whose process is killed right after page `page` of slice 1 landed, before its checkpoint. */
class KilledAfterPage implements Sink {
  private pageLanded = false;
  dead = false;
  constructor(
    private readonly inner: Sink,
    private readonly page: string,
  ) {}
  get url(): string {
    return this.inner.url;
  }
  private alive(): void {
    if (this.dead) throw new Killed('killed');
  }
  async putIfAbsent(key: string, body: Uint8Array, _options?: PutOptions): Promise<PutResult> {
    this.alive();
    const result = await this.inner.putIfAbsent(key, body);
    if (key.endsWith(`/pages/${this.page}.json`)) this.pageLanded = true;
    return result;
  }
  async put(key: string, body: Uint8Array, _options?: PutOptions): Promise<void> {
    this.alive();
    if (this.pageLanded && key.includes('/walks/')) {
      this.dead = true;
      throw new Killed('killed between the page and its checkpoint');
    }
    return this.inner.put(key, body);
  }
  get(key: string) {
    this.alive();
    return this.inner.get(key);
  }
  exists(key: string) {
    this.alive();
    return this.inner.exists(key);
  }
  list(prefix: string) {
    this.alive();
    return this.inner.list(prefix);
  }
  delete(key: string) {
    this.alive();
    return this.inner.delete(key);
  }
}

describe('cursor walk checkpoints: a resumed slice continues where it was, exactly once', function () {
  this.timeout(60_000);
  let dir: string;
  let configDir: string;
  const cleanups: (() => void | Promise<void>)[] = [];
  beforeEach(() => {
    const data = tempDir();
    const configs = tempDir('rdc-config-');
    ({ dir } = data);
    configDir = configs.dir;
    cleanups.push(data.cleanup, configs.cleanup);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** The hostile config with the cursor endpoint's page size and limits replaced. */
  const catalogWith = (pageSize: number, limits: Record<string, number> = {}) => {
    cpSync(join(repoRoot, 'test/fixtures/hostile'), configDir, { recursive: true });
    const file = join(configDir, 'hostile.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as {
      endpoints: { cursor: { pagination: Record<string, unknown> } };
    };
    config.endpoints.cursor.pagination.pageSize = pageSize;
    writeFileSync(file, JSON.stringify({ ...config, limits }));
    return loadServices(configDir);
  };
  const sourceFor = (catalog: ReturnType<typeof loadServices>, baseUrl: string): HttpSource => {
    const source = createHttpSource({ service: catalog.services.get('hostile')!, baseUrl });
    cleanups.push(() => source.close());
    return source;
  };
  const plan = async (catalog: ReturnType<typeof loadServices>, source: HttpSource, sink: Sink) => {
    const publisher = new RecordingPublisher();
    const planned = await planRun(
      {
        service: 'hostile',
        endpoint: 'cursor',
        start: START,
        end: END,
        now: END,
        endGranularityMs: 1,
        sliceMs: DAY_MS,
      },
      { catalog, source, sink, publisher, log: silentLog },
    );
    return { manifest: planned.manifest, tasks: publisher.tasks as SliceTask[] };
  };

  /** Ids of the run's data objects in a bucket of the GCS test server, as a reader of the bucket sees them. */
  const idsInBucket = (gcs: GcsTestServer): string[] =>
    [...gcs.objects.entries()]
      .filter(([name]) => /\/hostile\/cursor\/dt=[^/]+\/run=[^/]+\/page-[^/]+\.ndjson$/.test(name))
      .flatMap(([, object]) => object.data.toString('utf8').split('\n').filter(Boolean))
      .map((line) => (JSON.parse(line) as { id: string }).id);

  for (const kind of ['folder', 'gcs'] as const) {
    it(`${kind}: a kill between a page and its checkpoint asks for that page once more and lands every record once`, async () => {
      const api: HostileApi = await createHostileApi({ records: 500, stepMs: 300_000 });
      cleanups.push(() => api.close());
      let gcs: GcsTestServer | undefined;
      if (kind === 'gcs') {
        gcs = await startGcsTestServer({ buckets: [BUCKET] });
        const server = gcs;
        cleanups.push(() => server.close());
      }
      const sink: Sink = gcs
        ? new GcsSink({ bucket: BUCKET, prefix: 'raw', apiEndpoint: gcs.url, projectId: 'local-project' })
        : new FileSink(dir);
      const catalog = catalogWith(20);
      const { manifest, tasks } = await plan(catalog, sourceFor(catalog, api.url), sink);
      expect(tasks.map((t) => t.sliceIndex)).to.deep.equal([1, 2]);
      const [first] = tasks;

      const dying = new KilledAfterPage(sink, 'page-s000001-000003');
      const killed = await handleTask(first!, {
        catalog,
        sourceFor: () => sourceFor(catalog, api.url),
        sink: dying,
        log: silentLog,
      }).catch((e: unknown) => e);
      expect(killed).to.be.instanceOf(Killed);
      const runFolder = `_rdc/runs/hostile/cursor/run=${manifest.runId}/`;
      expect(await sink.exists(`${runFolder}pages/page-s000001-000003.json`), 'page 3 landed').to.equal(true);
      const checkpoint = JSON.parse((await sink.get(`${runFolder}walks/slice-000001.json`))!.toString('utf8')) as {
        at: { page: number };
        pages: number;
      };
      expect(checkpoint, 'the checkpoint is still after page 2').to.deep.include({ pages: 2 });
      expect(checkpoint.at.page).to.equal(2);

      const before = api.requests;
      const deps = { catalog, sourceFor: () => sourceFor(catalog, api.url), sink, log: silentLog };
      for (const task of tasks) await handleTask(task, deps);
      const day1 = api.idsInWindow(START, new Date(START.getTime() + DAY_MS)).length;
      const day2 = api.idsInWindow(new Date(START.getTime() + DAY_MS), END).length;
      // Slice 1 from page 3 on (page 3 asked for again), and slice 2 whole.
      expect(api.requests - before, 'requests after the kill').to.equal(
        Math.ceil(day1 / 20) - 2 + Math.ceil(day2 / 20),
      );

      const status = await finalizeRun(sink, manifest);
      expect(status.complete).to.equal(true);
      expect(await sink.exists(`${runFolder}_SUCCESS`)).to.equal(true);
      const expected = api.idsInWindow(START, END).sort();
      if (gcs) {
        expect(idsInBucket(gcs).sort(), 'ids in the bucket, each once').to.deep.equal(expected);
        return;
      }
      const reader = await TableReader.open(join(dir, 'hostile', 'cursor'));
      try {
        const twice = await reader.rows('SELECT id FROM {table} GROUP BY id HAVING count(*) > 1');
        expect(twice, 'ids twice').to.deep.equal([]);
        expect(await reader.ids()).to.deep.equal(expected);
      } finally {
        reader.close();
      }
    });
  }

  it('a cursor that comes back after a resume to one reached before it is a loop, not another bound', async () => {
    // Cursors a → b → c → a …, every page one record inside the window.
    let requests = 0;
    let served = 0;
    const server: Server = createServer((req, res) => {
      requests++;
      served++;
      const cursor = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('cursor');
      const next = cursor === null ? 'a' : cursor === 'a' ? 'b' : cursor === 'b' ? 'c' : 'a';
      const record = { id: `r${served}`, created_at: '2024-01-01T01:00:00.000Z', amount: 1 };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: [record], next_cursor: next }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const catalog = catalogWith(1, { maxPagesPerSlice: 2 });
    const sink = new FileSink(dir);
    const { tasks } = await plan(catalog, sourceFor(catalog, url), sink);
    const deps = { catalog, sourceFor: () => sourceFor(catalog, url), sink, log: silentLog };

    requests = 0;
    const stopped = await handleTask(tasks[0]!, deps).catch((e: unknown) => e);
    expect((stopped as Error).message)
      .to.include('limits.maxPagesPerSlice')
      .and.include('last cursor "b"');
    expect(requests, 'first walk: the first page and a').to.equal(2);

    requests = 0;
    const resumed = await handleTask(tasks[0]!, deps).catch((e: unknown) => e);
    expect((resumed as Error).message, (resumed as Error).message)
      .to.include('already sent')
      .and.not.include('limits.maxPagesPerSlice');
    expect(requests, 'resumed walk: b and c, whose next cursor a came before the resume').to.equal(2);
  });
});
