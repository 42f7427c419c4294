import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApi, type MockApiOptions } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli, type CliResult } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/incremental');
/** The fixtures' defaultStartDate. */
const DEFAULT_START = new Date('2024-07-01T00:00:00Z');
const MID = '2024-08-01T00:00:00Z';
const END = '2024-09-01T00:00:00Z';

interface Summary {
  runId: string;
  complete: boolean;
  window: { start: string; end: string };
  resumedLatest: boolean;
  deadLettered: number[];
}

describe('incremental runs without --start_date', function () {
  this.timeout(60_000);
  const apis: MockApi[] = [];
  let dir: string;
  let cleanup: () => void;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    cleanup();
    await Promise.all(apis.splice(0).map((api) => api.close()));
  });

  async function api(options: Partial<MockApiOptions> = {}): Promise<MockApi> {
    const started = await createMockApi(options);
    apis.push(started);
    return started;
  }

  function local(service: string, api: MockApi, extra: string[]): Promise<CliResult> {
    const args = [
      '--service',
      service,
      '--endpoint',
      'sales',
      '--config-dir',
      CONFIG_DIR,
      '--sink',
      dir,
      '--json',
      ...extra,
    ];
    return runCli(APPS.local, args, cleanEnv({ API_BASE_URL: api.url }), 30_000);
  }

  function summaryOf(result: CliResult, code = 0): Summary {
    expect(result.code, result.stderr.slice(-3000)).to.equal(code);
    return JSON.parse(result.stdout) as Summary;
  }

  function watermark(service: string): { end: string; runId: string } {
    return JSON.parse(readFileSync(join(dir, `_rdc/state/${service}/sales/watermark.json`), 'utf8')) as {
      end: string;
      runId: string;
    };
  }

  for (const service of ['inc_offset', 'inc_cursor']) {
    it(`${service}: two consecutive runs cover adjacent windows, with no gap and no overlap`, async () => {
      const retail = await api(service === 'inc_cursor' ? { pagination: 'starting-after' } : {});
      const first = summaryOf(await local(service, retail, ['--end_date', MID]));
      expect(first.window).to.deep.equal({ start: DEFAULT_START.toISOString(), end: '2024-08-01T00:00:00.000Z' });
      expect(watermark(service)).to.include({ end: '2024-08-01T00:00:00.000Z', runId: first.runId });

      const second = summaryOf(await local(service, retail, ['--end_date', END]));
      expect(second.window).to.deep.equal({ start: first.window.end, end: '2024-09-01T00:00:00.000Z' });
      expect(second.complete).to.equal(true);
      expect(watermark(service)).to.include({ end: '2024-09-01T00:00:00.000Z', runId: second.runId });

      const landed = idsInFolder(dir);
      expect(new Set(landed).size, 'no record in both runs').to.equal(landed.length);
      expect(landed).to.deep.equal(retail.idsInWindow('sales', DEFAULT_START, new Date(END)));
    });
  }

  it('an incomplete latest run blocks the planner (exit 1, how to resume) and the local runner resumes it', async () => {
    // Run 1 against an API that refuses offsets past 500: the deeper pages are dead-lettered.
    const capped = await api({ maxOffset: 500 });
    const first = summaryOf(await local('inc_offset', capped, ['--end_date', MID]), 1);
    expect(first.complete).to.equal(false);
    expect(first.deadLettered.length).to.be.greaterThan(0);
    expect(existsSync(join(dir, '_rdc/state/inc_offset/sales/watermark.json'))).to.equal(false);

    const retail = await api();
    const planner = await runCli(
      APPS.planner,
      [
        '--service',
        'inc_offset',
        '--endpoint',
        'sales',
        '--config-dir',
        CONFIG_DIR,
        '--sink',
        dir,
        '--end_date',
        END,
        '--dry-run',
      ],
      cleanEnv({ API_BASE_URL: retail.url }),
      30_000,
    );
    expect(planner.code, planner.stderr).to.equal(1);
    const message = planner.stderr.replace(/\\n/g, ' ');
    expect(message).to.include(`Run ${first.runId}`).and.include('is not complete');
    expect(message).to.include(`npm run status -- ${first.runId}`).and.include(`--resume ${first.runId}`);
    expect(
      filesIn(dir).filter((f) => f.endsWith('/manifest.json')),
      'nothing planned',
    ).to.have.length(1);

    const resumed = summaryOf(await local('inc_offset', retail, ['--end_date', END]));
    expect(resumed).to.include({ runId: first.runId, resumedLatest: true, complete: true });
    expect(watermark('inc_offset').end).to.equal('2024-08-01T00:00:00.000Z');

    const next = summaryOf(await local('inc_offset', retail, ['--end_date', END]));
    expect(next.window).to.deep.equal({ start: '2024-08-01T00:00:00.000Z', end: '2024-09-01T00:00:00.000Z' });
    expect(next.resumedLatest).to.equal(false);
    const landed = idsInFolder(dir);
    expect(new Set(landed).size).to.equal(landed.length);
    expect(landed).to.deep.equal(retail.idsInWindow('sales', DEFAULT_START, new Date(END)));
  });
});
