import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

/**
 * A backfill ten times `limits.maxPagesPerRun` in one command: consecutive runs
 * that each fit, every record landed once, each run sealed, the watermark at the end.
 */
const START = '2024-07-01T00:00:00.000Z';
const END = '2024-08-01T00:00:00.000Z';
const RECORDS = 25_000; // 100 pages of 250
const MAX_PAGES = 10;

interface RunSummary {
  runId: string;
  window: { start: string; end: string };
  pages: number;
  complete?: boolean;
}

describe('backfills over limits.maxPagesPerRun, end to end', function () {
  this.timeout(120_000);
  let api: MockApi;
  let sink: ReturnType<typeof tempDir>;
  let configs: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    api = await createMockApi({ sales: RECORDS, dataStart: new Date(START), dataEnd: new Date(END) });
    sink = tempDir('rdc-backfill-sink-');
    configs = tempDir('rdc-backfill-config-');
    // The bundled retail config with maxPagesPerRun lowered: the window holds ten times as many pages.
    const retail = JSON.parse(readFileSync(join(repoRoot, 'config/services/retail.json'), 'utf8')) as {
      limits: Record<string, unknown>;
    };
    retail.limits = { ...retail.limits, maxPagesPerRun: MAX_PAGES };
    writeFileSync(join(configs.dir, 'retail.json'), JSON.stringify(retail));
  });
  afterEach(async () => {
    sink.cleanup();
    configs.cleanup();
    await api.close();
  });

  const args = (...more: string[]) => [
    '--service',
    'retail',
    '--endpoint',
    'sales',
    '--start-date',
    START,
    '--end-date',
    END,
    '--config-dir',
    configs.dir,
    '--sink',
    sink.dir,
    '--json',
    ...more,
  ];
  const summaries = (stdout: string): RunSummary[] =>
    stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as RunSummary);

  function expectConsecutive(runs: RunSummary[]): void {
    expect(runs.length, 'consecutive runs').to.be.within(MAX_PAGES, 2 * MAX_PAGES);
    expect(runs[0]!.window.start).to.equal(START);
    expect(runs.at(-1)!.window.end).to.equal(END);
    runs.forEach((run, i) => {
      expect(run.pages, run.runId).to.be.within(1, MAX_PAGES);
      if (i > 0) expect(run.window.start, run.runId).to.equal(runs[i - 1]!.window.end);
    });
  }

  it('the planner plans the window as consecutive runs that each fit (dry run: nothing written)', async () => {
    const result = await runCli(APPS.planner, args('--dry-run'), cleanEnv({ RETAIL_API_BASE_URL: api.url }));
    expect(result.code, result.stderr.slice(-3000)).to.equal(0);
    expectConsecutive(summaries(result.stdout));
    expect(existsSync(join(sink.dir, '_rdc')), 'a dry run writes nothing').to.equal(false);
  });

  it('npm start lands every record once across the runs, each sealed, the watermark at the end', async () => {
    const result = await runCli(APPS.local, args(), cleanEnv({ RETAIL_API_BASE_URL: api.url }));
    expect(result.code, result.stderr.slice(-3000)).to.equal(0);
    const runs = summaries(result.stdout);
    expectConsecutive(runs);
    for (const run of runs) {
      expect(run.complete, run.runId).to.equal(true);
      const success = join(sink.dir, '_rdc/runs/retail/sales', `run=${run.runId}`, '_SUCCESS');
      expect(existsSync(success), `${run.runId} sealed`).to.equal(true);
    }
    const ids = idsInFolder(join(sink.dir, 'retail/sales'));
    expect(ids).to.have.length(RECORDS);
    expect(new Set(ids).size, 'every record once').to.equal(RECORDS);
    const watermark = JSON.parse(readFileSync(join(sink.dir, '_rdc/state/retail/sales/watermark.json'), 'utf8')) as {
      end: string;
    };
    expect(watermark.end).to.equal(END);

    // The same command again continues the same runs: nothing new is planned or landed twice.
    const again = await runCli(APPS.local, args(), cleanEnv({ RETAIL_API_BASE_URL: api.url }));
    expect(again.code, again.stderr.slice(-3000)).to.equal(0);
    expect(summaries(again.stdout).map((r) => r.runId)).to.deep.equal(runs.map((r) => r.runId));
    expect(idsInFolder(join(sink.dir, 'retail/sales'))).to.have.length(RECORDS);
  });
});
