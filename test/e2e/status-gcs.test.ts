import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices, silentLog } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { GcsSink } from '@rdc/sinks/gcs-sink.js';
import { createSourceRegistry } from '@rdc/source';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';
import { APPS, cleanEnv, repoRoot, runCli } from '../support/cli.js';
import { RecordingPublisher } from '../support/fakes.js';

/**
 * `status` against a gs:// sink (the Cloud Storage test server, which follows
 * the JSON API): the same states and dead-letter reasons as in a folder, and a
 * `--wait` that lists a bounded number of times per poll, however many pages.
 */
const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
const BUCKET = 'rdc-status-bucket';
const JAN1 = '2024-01-01T00:00:00.000Z';
const JAN2 = '2024-01-02T00:00:00.000Z';
const JAN3 = '2024-01-03T00:00:00.000Z';
const RUN = 'hostile.sales.20240101T000000Z-20240103T000000Z';

interface ListJson {
  kind: string;
  watermark: { end: string } | null;
  runs: { runId: string; state: string; deadLetterReasons: { error: string; count: number }[] }[];
}

describe('status on a gs:// sink', function () {
  this.timeout(90_000);
  let gcs: GcsTestServer;
  let api: HostileApi;
  let prefix = 0;
  let sinkUrl: string;

  beforeEach(async () => {
    gcs = await startGcsTestServer({ buckets: [BUCKET] });
    api = await createHostileApi({ records: 500, stepMs: 300_000 });
    sinkUrl = `gs://${BUCKET}/status-${process.pid}-${++prefix}`;
  });
  afterEach(async () => {
    await api.close();
    await gcs.close();
  });

  const env = () => cleanEnv({ API_BASE_URL: api.url, STORAGE_EMULATOR_HOST: gcs.url, LOG_LEVEL: 'error' });
  const cli = (args: string[]) => runCli(APPS.local, [...args, '--config-dir', CONFIG_DIR, '--sink', sinkUrl], env());
  const land = (start: string, end: string, ...more: string[]) =>
    cli(['--service', 'hostile', '--endpoint', 'sales', '--start_date', start, '--end_date', end, ...more]);

  it('lists the runs, the last planned first, with their states, dead-letter reasons and the watermark', async () => {
    expect((await land(JAN2, JAN3)).code).to.equal(0);
    api.mode = 'invalid-utf8';
    expect((await land(JAN1, JAN2, '--max-attempts', '1')).code).to.equal(1);
    const result = await cli(['status', 'hostile/sales', '--json']);
    expect(result.code, result.stderr).to.equal(1);
    const doc = JSON.parse(result.stdout) as ListJson;
    expect(doc.kind).to.equal('endpoint');
    expect(doc.watermark?.end).to.equal(JAN3);
    expect(doc.runs.map((r) => [r.runId, r.state])).to.deep.equal([
      ['hostile.sales.20240101T000000Z-20240102T000000Z', 'dead-lettered'],
      ['hostile.sales.20240102T000000Z-20240103T000000Z', 'sealed'],
    ]);
    expect(doc.runs[0]!.deadLetterReasons).to.have.length(1);
    expect(doc.runs[0]!.deadLetterReasons[0]).to.include({ error: 'PermanentError', count: 2 });

    // latest reads the run the planner recorded as planned last: one manifest, not every run's.
    const before = gcs.requests.length;
    const latest = await cli(['status', 'hostile/sales', 'latest']);
    expect(latest.stdout).to.include('Run          hostile.sales.20240101T000000Z-20240102T000000Z');
    const manifests = gcs.requests
      .slice(before)
      .filter((r) => r.kind === 'download' && r.path.endsWith('manifest.json'));
    expect(manifests.map((r) => r.path)).to.have.length(1);
  });

  it('--wait lists a bounded number of times per poll, then times out with exit 1', async () => {
    const catalog = loadServices(CONFIG_DIR);
    const sources = createSourceRegistry(catalog, { env: { API_BASE_URL: api.url } });
    const [bucket, folder] = [BUCKET, sinkUrl.slice(`gs://${BUCKET}/`.length)];
    try {
      await planRun(
        {
          service: 'hostile',
          endpoint: 'sales',
          start: new Date(JAN1),
          end: new Date(JAN3),
          now: new Date(),
          endGranularityMs: 3_600_000,
        },
        {
          catalog,
          source: sources.sourceFor('hostile'),
          sink: new GcsSink({ bucket, prefix: folder, apiEndpoint: gcs.url, deadlineMs: 10_000 }),
          publisher: new RecordingPublisher(),
          log: silentLog,
        },
      );
    } finally {
      sources.close();
    }
    const before = gcs.requests.length;
    const result = await cli(['status', 'hostile/sales', 'latest', '--wait', '--timeout', '5s']);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(
      /Timed out after 5 s: run \S+: 0\/5 pages landed, 0 dead-lettered, 5 missing \(1-5\)/,
    );
    const lists = gcs.requests
      .slice(before)
      .filter((r) => r.kind === 'list')
      .map((r) => r.query.prefix ?? '');
    // Each poll lists the run's folder and its dead letters; nothing per page (drift, records) until the end.
    const polls = lists.filter((p) => p.endsWith(`_rdc/runs/hostile/sales/run=${RUN}/`)).length - 1;
    expect(polls, lists.join('\n')).to.be.within(1, 4);
    expect(
      lists.filter((p) => p.endsWith('/pages/')),
      'page records are listed for the final report only',
    ).to.have.length(2);
    expect(lists.length, lists.join('\n')).to.be.at.most(2 * polls + 8);
  });
});
