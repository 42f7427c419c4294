/**
 * S3 and S4, the planner at scale: the real planRun with the real PubSubPublisher,
 * against a source whose count answers `records` (S3: 25M records, 100,000 pages;
 * S4: a year at 6,000 records an hour, ~210,000 pages). Times planRun from its call
 * until every task is confirmed.
 *
 * argv[2]: JSON { projectId, emulatorHost, topic, sink, records, start, end }. Prints one JSON line.
 */
import { loadServices, silentLog, type ServiceCatalog, type Source } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { PubSubPublisher } from '@rdc/queues';
import { FileSink } from '@rdc/sinks';
import { PAGE_SIZE } from '../config.js';

interface Args {
  projectId: string;
  emulatorHost: string;
  topic: string;
  sink: string;
  records: number;
  start: string;
  end: string;
}

/** Answers the count; the planner never fetches a page. */
function countingSource(records: number): Source {
  return {
    count: (_endpoint, _window, pageSize) => Promise.resolve({ total: records, pages: Math.ceil(records / pageSize) }),
    fetchPage: () => Promise.reject(new Error('the S3 source only counts')),
    walkCursor: () => {
      throw new Error('the S3 source only counts');
    },
  };
}

/**
 * The shipped catalog, with the retail service's `limits.maxPagesPerRun` raised to
 * this run's pages when the run is bigger (S4's year is 210,240 pages), as a
 * deployment that plans such a backfill would set it in its config.
 */
function catalogFor(pages: number): ServiceCatalog {
  const catalog = loadServices();
  const retail = catalog.services.get('retail');
  if (!retail || retail.limits.maxPagesPerRun >= pages) return catalog;
  const services = new Map(catalog.services);
  services.set('retail', { ...retail, limits: { ...retail.limits, maxPagesPerRun: pages } });
  return { ...catalog, services };
}

async function run(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const catalog = catalogFor(Math.ceil(args.records / PAGE_SIZE));
  const publisher = new PubSubPublisher({
    projectId: args.projectId,
    topic: args.topic,
    apiEndpoint: args.emulatorHost,
  });
  try {
    const started = performance.now();
    const result = await planRun(
      {
        service: 'retail',
        endpoint: 'sales',
        start: new Date(args.start),
        end: new Date(args.end),
        now: new Date(),
        endGranularityMs: 3_600_000,
      },
      {
        catalog,
        source: countingSource(args.records),
        sink: new FileSink(args.sink),
        publisher,
        log: silentLog,
      },
    );
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`${JSON.stringify({ published: result.published, pages: result.manifest.pages, seconds })}\n`);
  } finally {
    await publisher.close();
  }
}

run().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
