import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices, silentLog, type ServiceCatalog, type TaskPublisher } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { BLOCK_FANOUT } from '@rdc/core/state/block-plan.js';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';
import { FakeSource, makeRecords } from './fakes.js';
import type { GcsTestServer } from './gcs-test-server.js';
import { repoRoot } from './cli.js';

/**
 * A large backfill against the GCS test double, shared by the tests that check a run
 * seals itself as its last page lands whatever carries its tasks.
 */

/** Pages in the run: the acceptance's 5,000. */
export const SCALE_PAGES = 5_000;

const PAGE_RECORD = /\/pages\/page-\d+\.json$/;

export interface ScaleRun {
  catalog: ServiceCatalog;
  /** Two records a page: SCALE_PAGES pages. */
  source: FakeSource;
  sink: GcsSink;
}

/** A storage client of its own (one per worker) into `bucket` on the double. */
export function scaleSink(gcs: GcsTestServer, bucket: string): GcsSink {
  return new GcsSink({ bucket, prefix: 'raw', apiEndpoint: gcs.url, projectId: 'local-project', deadlineMs: 30_000 });
}

/** The shop fixture with two records a page, a FakeSource of 2 × pages records, and a GcsSink into `bucket`. */
export function scaleRun(opts: { gcs: GcsTestServer; bucket: string; configDir: string; pages: number }): ScaleRun {
  const shop = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/services/shop.json'), 'utf8')) as {
    endpoints: { orders: { pagination: { pageSize: number } } };
  };
  shop.endpoints.orders.pagination.pageSize = 2;
  mkdirSync(opts.configDir, { recursive: true });
  writeFileSync(join(opts.configDir, 'shop.json'), JSON.stringify(shop));
  return {
    catalog: loadServices(opts.configDir),
    source: new FakeSource(makeRecords(2 * opts.pages)),
    sink: scaleSink(opts.gcs, opts.bucket),
  };
}

/** Plans a week of shop orders (every page a task) onto `publisher`. */
export async function planScaleRun(run: ScaleRun, publisher: TaskPublisher): Promise<void> {
  const start = new Date('2024-07-01T00:00:00Z');
  await planRun(
    {
      service: 'shop',
      endpoint: 'orders',
      start,
      end: new Date(start.getTime() + 7 * 86_400_000),
      now: new Date('2025-01-01T00:00:00Z'),
      endGranularityMs: 1,
    },
    { ...run, publisher, log: silentLog },
  );
}

export interface SealWatch {
  /**
   * Checks what the run left in `bucket` once every page was handled by `workers`
   * workers (pages in flight at once); returns what it measured.
   */
  assertSealed(opts: { pages: number; workers: number }): { gapMs: number; listsPerPage: number };
}

/**
 * Watches the double from now on: every read of a page record or data object that is
 * there (not a look for a page before it lands) and when it was asked for, and the list calls.
 */
export function watchSeal(gcs: GcsTestServer, bucket: string): SealWatch {
  const reads: { at: number; path: string }[] = [];
  gcs.setHook(({ kind, path }) => {
    const name = path.slice(path.indexOf('/o/') + 3);
    if (kind === 'download' && /\/pages\/page-\d+\.json$|\.ndjson$/.test(name) && gcs.object(bucket, name))
      reads.push({ at: Date.now(), path: name });
    return undefined;
  });
  const listsBefore = gcs.stats.list;
  return {
    assertSealed({ pages, workers }) {
      const objects = [...gcs.objects.values()];
      const pageRecords = objects.filter((o) => PAGE_RECORD.test(o.name));
      expect(pageRecords).to.have.length(pages);
      const success = objects.find((o) => o.name.endsWith('/_SUCCESS'));
      expect(success, '_SUCCESS written by the workers').to.not.equal(undefined);
      const lastPage = Math.max(...pageRecords.map((o) => Date.parse(o.timeCreated)));
      const gap = Date.parse(success!.timeCreated) - lastPage;
      expect(gap, `${gap} ms from the last page to _SUCCESS`).to.be.at.most(5_000);
      // Sealing starts as the last page lands and reads block markers, not pages: after the
      // last page, each worker reads at most the page records of one block (for its marker,
      // written once), and no data object at all.
      const sealReads = reads.filter((r) => r.at >= lastPage);
      const pageRecordReads = (rs: typeof reads) => rs.filter((r) => r.path.endsWith('.json')).length;
      expect(pageRecordReads(sealReads), 'page records read after the last page landed').to.be.at.most(
        workers * BLOCK_FANOUT,
      );
      expect(sealReads.length - pageRecordReads(sealReads), 'data objects read after the last page landed').to.equal(0);
      const lists = gcs.stats.list - listsBefore;
      // One list of a block of at most 100 page records per page, a marker list per block
      // of 100, and sealing's lists of the whole run and its partitions (pages of 1,000 names).
      expect(lists / pages, `${lists} list calls for ${pages} pages`).to.be.below(1.1);
      return { gapMs: gap, listsPerPage: lists / pages };
    },
  };
}
