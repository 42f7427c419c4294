import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, idsInFolder, runCli, startCli, stopChild, windowArgs } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const START = '2024-07-01T00:00:00Z';
const END = '2025-01-01T00:00:00Z';

describe('crash and resume (SIGKILL the local runner, then --resume)', function () {
  this.timeout(120_000);
  let api: MockApi;
  let dir: string;
  let cleanup: () => void;

  beforeEach(async () => {
    // Slow pages, so the kill lands mid-run.
    api = await createMockApi({ latencyMs: 80, latencyJitterMs: 20 });
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await api.close();
    cleanup();
  });

  it('lands every record exactly once after a SIGKILL and a resume', async () => {
    const env = cleanEnv({ API_BASE_URL: api.url });
    const args = windowArgs('sales', START, END, dir, '--concurrency', '2');
    const { child } = startCli(APPS.local, args, env);
    const pages = () => filesIn(dir).filter((f) => /page-\d+\.ndjson$/.test(f)).length;
    const deadline = Date.now() + 60_000;
    while (pages() < 8 && Date.now() < deadline) await sleep(25);
    await stopChild(child, 'SIGKILL');
    const landedBeforeKill = pages();
    expect(landedBeforeKill).to.be.at.least(8);

    const runId = filesIn(dir)
      .map((f) => /run=([^/]+)\/manifest\.json$/.exec(f)?.[1])
      .find(Boolean)!;
    expect(runId).to.equal('retail.sales.20240701T000000Z-20250101T000000Z');

    const status = await runCli(APPS.local, ['status', runId, '--sink', dir, '--json'], env);
    expect(status.code).to.equal(1);
    const before = JSON.parse(status.stdout) as {
      expectedPages: number;
      landedPages: number;
      missingPages: number[];
      complete: boolean;
    };
    expect(before.complete).to.equal(false);
    expect(before.landedPages + before.missingPages.length).to.equal(before.expectedPages);
    expect(before.missingPages.length).to.be.greaterThan(0);

    api.resetStats();
    const resumed = await runCli(APPS.local, ['--resume', runId, '--sink', dir, '--json'], env);
    expect(resumed.code, resumed.stderr).to.equal(0);
    const summary = JSON.parse(resumed.stdout) as { complete: boolean; landed: number; pages: number };
    expect(summary.complete).to.equal(true);
    // Only the missing pages were fetched again (plus the pages in flight at the kill).
    expect(summary.landed).to.equal(before.missingPages.length);
    expect(api.stats.requests).to.equal(before.missingPages.length);

    const expected = api.idsInWindow('sales', new Date(START), new Date(END));
    const landed = idsInFolder(dir);
    expect(landed).to.have.length(expected.length);
    expect(landed).to.deep.equal(expected);
    expect(existsSync(`${dir}/_rdc/runs/retail/sales/run=${runId}/_SUCCESS`)).to.equal(true);

    const after = await runCli(APPS.local, ['status', 'retail/sales', 'latest', '--sink', dir], env);
    expect(after.code).to.equal(0);
    expect(after.stdout).to.include('complete').and.include(runId);
  });

  it('--resume of a run that was never planned exits 2 and says so', async () => {
    const result = await runCli(
      APPS.local,
      ['--resume', 'retail.sales.20240101T000000Z-20240102T000000Z', '--sink', dir],
      cleanEnv({ API_BASE_URL: api.url }),
    );
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('nothing to resume');
  });
});
