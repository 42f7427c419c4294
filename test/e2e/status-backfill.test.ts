import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices, silentLog } from '@rdc/contracts';
import { planBackfill } from '@rdc/core';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';
import { APPS, cleanEnv, repoRoot, runCli, startCli, stopChild } from '../support/cli.js';
import { RecordingPublisher } from '../support/fakes.js';
import { tempDir } from '../support/hooks.js';

/**
 * `status … --wait` on a backfill, as on Cloud Run: the planner published every
 * run of the window and ended; status follows all the runs until each is sealed
 * or one failed. 500 records 5 minutes apart, 100 a page, at most 2 pages a run:
 * [Jan 1, Jan 3) is planned as 3 or more runs.
 */
const JAN1 = '2024-01-01T00:00:00.000Z';
const JAN3 = '2024-01-03T00:00:00.000Z';
const BACKFILL = 'hostile.sales.20240101T000000Z-20240103T000000Z';

interface BackfillJson {
  kind: string;
  runId: string;
  state: string;
  reason: string | null;
  unplanned: unknown;
  runs: { runId: string; state: string; window: { start: string; end: string } }[];
  timedOut: boolean;
}

describe('status --wait follows a backfill: every run sealed, or one failed', function () {
  this.timeout(90_000);
  let api: HostileApi;
  let sink: ReturnType<typeof tempDir>;
  let configs: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000 });
    sink = tempDir('rdc-status-backfill-');
    configs = tempDir('rdc-status-backfill-config-');
    const hostile = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/hostile/hostile.json'), 'utf8')) as {
      limits?: Record<string, unknown>;
    };
    hostile.limits = { ...hostile.limits, maxPagesPerRun: 2 };
    writeFileSync(join(configs.dir, 'hostile.json'), JSON.stringify(hostile));
    // The planner's part: every run of the window planned and published, then it ends.
    const catalog = loadServices(configs.dir);
    const sources = createSourceRegistry(catalog, { env: { API_BASE_URL: api.url } });
    try {
      const request = {
        service: 'hostile',
        endpoint: 'sales',
        start: new Date(JAN1),
        end: new Date(JAN3),
        now: new Date(),
        endGranularityMs: 3_600_000,
      };
      const deps = {
        catalog,
        source: sources.sourceFor('hostile'),
        sink: new FileSink(sink.dir),
        publisher: new RecordingPublisher(),
        log: silentLog,
      };
      expect((await planBackfill(request, deps)).length).to.be.at.least(3);
    } finally {
      sources.close();
    }
  });
  afterEach(async () => {
    await api.close();
    sink.cleanup();
    configs.cleanup();
  });

  const common = () => ['--config-dir', configs.dir, '--sink', sink.dir];
  const env = () => cleanEnv({ API_BASE_URL: api.url, LOG_LEVEL: 'error' });
  /** The workers' part: the same window again lands the runs already planned. */
  const work = (...more: string[]) =>
    runCli(
      APPS.local,
      ['--service', 'hostile', '--endpoint', 'sales', '--start_date', JAN1, '--end_date', JAN3, ...more, ...common()],
      env(),
      60_000,
    );

  async function waitWhileWorking(target: string[], ...more: string[]) {
    const waiting = startCli(
      APPS.local,
      ['status', ...target, '--wait', '--timeout', '60s', '--json', ...common()],
      env(),
    );
    // Listened for at once: the wait may end before the run that seals it has exited.
    const exited = new Promise<number | null>((resolve) => waiting.child.once('exit', resolve));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(waiting.child.exitCode, 'still waiting for the runs').to.equal(null);
      await work(...more);
      const code = await exited;
      const json = waiting
        .output()
        .split('\n')
        .find((line) => line.startsWith('{'));
      return { code, doc: JSON.parse(json ?? '{}') as BackfillJson, output: waiting.output() };
    } finally {
      await stopChild(waiting.child);
    }
  }

  it('latest --wait: the last planned run is part of a backfill, so it waits for all of its runs (exit 0)', async () => {
    const { code, doc, output } = await waitWhileWorking(['hostile/sales', 'latest']);
    expect(code, output).to.equal(0);
    expect(doc).to.include({ kind: 'backfill', runId: BACKFILL, state: 'sealed', timedOut: false, unplanned: null });
    expect(doc.runs.length).to.be.at.least(3);
    expect(doc.runs.every((r) => r.state === 'sealed')).to.equal(true);
    expect(doc.runs[0]!.window.start).to.equal(JAN1);
    expect(doc.runs.at(-1)!.window.end).to.equal(JAN3);
  });

  it('<backfill id> --wait: one run dead-lettered with nothing in flight ends the wait with exit 1, naming it', async () => {
    api.mode = 'invalid-utf8';
    const { code, doc, output } = await waitWhileWorking(['hostile/sales', BACKFILL], '--max-attempts', '1');
    expect(code, output).to.equal(1);
    expect(doc).to.include({ kind: 'backfill', state: 'dead-lettered', timedOut: false });
    expect(doc.reason).to.match(/^run hostile\.sales\.\S+ is dead-lettered: \d+ pages? dead-lettered/);
  });
});
