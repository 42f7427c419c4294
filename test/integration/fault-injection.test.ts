import { expect } from 'chai';
import { loadServices, silentLog, type Sink } from '@rdc/contracts';
import { finalizeRun, handleTask, planRun, type RunManifest } from '@rdc/core';
import { processDelivery } from '@rdc/core/delivery/outcome-policy.js';
import { createMockApi, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { MemoryQueue } from '@rdc/queues';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';
import { createHttpSource, type HttpSource } from '@rdc/source';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';

const BUCKET = 'rdc-test-bucket';
const START = new Date('2024-01-01T00:00:00Z');
// About 110 pages of 250 sales in the bundled API's default data.
const END = new Date('2025-09-01T00:00:00Z');

interface FaultRun {
  manifest: RunManifest;
  source: HttpSource;
  complete: boolean;
  deadLettered: number;
}

/**
 * The embedded pipeline (planner, in-process queue, page handler, outcome policy)
 * against a faulty API and a faulty bucket, with fast retry timings.
 */
async function runWithFaults(api: MockApi, sink: Sink, responseMs = 5_000): Promise<FaultRun> {
  const catalog = loadServices();
  const source = createHttpSource({
    service: catalog.services.get('retail')!,
    baseUrl: api.url,
    timeouts: { connectMs: 2_000, responseMs },
    retry: { maxRetries: 10, baseDelayMs: 10, maxDelayMs: 100, budgetMs: 60_000 },
  });
  const queue = new MemoryQueue({ concurrency: 8, maxDeliveryAttempts: 8, retryBackoff: { minMs: 10, maxMs: 100 } });
  let deadLettered = 0;
  try {
    const plan = await planRun(
      { service: 'retail', endpoint: 'sales', start: START, end: END, now: new Date(), endGranularityMs: 1 },
      { catalog, source, sink, publisher: queue, log: silentLog },
    );
    await queue.start(async (delivery) => {
      const out = await processDelivery(delivery, {
        handle: (task) => handleTask(task, { catalog, sourceFor: () => source, sink, log: silentLog }),
        sink,
        log: silentLog,
        maxDeliveryAttempts: 5,
      });
      if (out.decision === 'dead-letter') deadLettered++;
      return out.ack;
    });
    await queue.idle();
    const status = await finalizeRun(sink, plan.manifest);
    return { manifest: plan.manifest, source, complete: status.complete, deadLettered };
  } finally {
    await queue.stop();
    source.close();
  }
}

function idsInBucket(gcs: GcsTestServer): string[] {
  return [...gcs.objects.entries()]
    .filter(([name]) => /\/page-\d+\.ndjson$/.test(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([, object]) => object.data.toString('utf8').trimEnd().split('\n'))
    .map((line) => (JSON.parse(line) as { id: string }).id);
}

describe('fault injection: ≥ 100 pages through a faulty API and a faulty bucket', function () {
  this.timeout(120_000);
  let api: MockApi | undefined;
  let gcs: GcsTestServer;

  beforeEach(async () => {
    gcs = await startGcsTestServer({ buckets: [BUCKET] });
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    await gcs.close();
  });

  async function start(options: Partial<MockApiOptions>): Promise<MockApi> {
    api = await createMockApi({ faultSeed: 20241127, ...options });
    return api;
  }

  it('500/503, 429 with Retry-After, garbage JSON and resets: every record lands once, retries as expected', async () => {
    const faulty = await start({
      errorRate: 0.06,
      resetRate: 0.04,
      garbageRate: 0.04,
      rate429: 0.05,
      retryAfterSeconds: 1,
    });
    // Every 15th upload to the bucket gets a 503 first.
    let uploads = 0;
    let injected = 0;
    gcs.setHook(({ kind }) => {
      if (kind !== 'upload' || ++uploads % 15 !== 0) return undefined;
      injected++;
      return { status: 503 };
    });
    const sink = new GcsSink({
      bucket: BUCKET,
      prefix: 'raw',
      apiEndpoint: gcs.url,
      projectId: 'local-project',
      deadlineMs: 30_000,
    });

    const run = await runWithFaults(faulty, sink);

    expect(run.manifest.pages).to.be.at.least(100);
    expect(run.complete).to.equal(true);
    expect(run.deadLettered).to.equal(0);
    const expected = faulty.idsInWindow('sales', START, END);
    expect(idsInBucket(gcs)).to.deep.equal(expected);

    const { faults } = faulty.stats;
    for (const kind of ['error', 'reset', 'garbage', 'rate429'] as const)
      expect(faults[kind], kind).to.be.greaterThan(0);
    // Each injected fault costs exactly one retry; each 429 one wait (not a retry).
    expect(run.source.stats.retries).to.equal(faults.error + faults.reset + faults.garbage);
    expect(run.source.stats.rateLimitWaits).to.equal(faults.rate429);
    expect(run.source.stats.requests).to.equal(faulty.stats.requests);
    // Each injected 503 from the bucket was retried, and nothing was written twice.
    expect(injected).to.be.greaterThan(5);
    const failedUploads = gcs.requests.filter((r) => r.kind === 'upload' && r.status === 503).length;
    expect(failedUploads).to.equal(injected);
    const pageRecords = [...gcs.objects.keys()].filter((k) => /\/pages\/page-\d+\.json$/.test(k));
    expect(pageRecords).to.have.length(run.manifest.pages);
  });

  it('slow responses time out and are retried: every record lands once', async () => {
    const slow = await start({ slowRate: 0.05, slowMs: 3_000 });
    const sink = new GcsSink({ bucket: BUCKET, apiEndpoint: gcs.url, projectId: 'local-project', deadlineMs: 30_000 });

    const run = await runWithFaults(slow, sink, 400);

    expect(run.manifest.pages).to.be.at.least(100);
    expect(run.complete).to.equal(true);
    expect(idsInBucket(gcs)).to.deep.equal(slow.idsInWindow('sales', START, END));
    expect(slow.stats.faults.slow).to.be.greaterThan(0);
    expect(run.source.stats.retries).to.equal(slow.stats.faults.slow);
    expect(run.source.stats.transportErrors).to.equal(slow.stats.faults.slow);
  });

  it('a page that keeps failing is dead-lettered after max attempts; the rest lands and the run reports it', async () => {
    const broken = await start({});
    const sink = new GcsSink({ bucket: BUCKET, apiEndpoint: gcs.url, projectId: 'local-project', deadlineMs: 10_000 });
    // Page 7's object can never be written: a permanent 403 from the bucket.
    gcs.setHook(({ kind, query }) =>
      kind === 'upload' && /page-000007\.ndjson$/.test(query.get('name') ?? '') ? { status: 403 } : undefined,
    );

    const run = await runWithFaults(broken, sink);

    expect(run.complete).to.equal(false);
    expect(run.deadLettered).to.equal(1);
    const dead = [...gcs.objects.keys()].filter((k) => k.includes('/_rdc/deadletter/'));
    expect(dead).to.have.length(1);
    expect(dead[0]).to.match(/_rdc\/deadletter\/retail\/sales\/run=[^/]+\/page-000007\.m[0-9a-f]{16}-a\d+\.json$/);
    const record = JSON.parse(gcs.objects.get(dead[0]!)!.data.toString('utf8')) as { error: { message: string } };
    expect(record.error.message).to.include('gs://').and.include('page-000007');
    expect([...gcs.objects.keys()].some((k) => k.endsWith('/_SUCCESS'))).to.equal(false);
  });
});
