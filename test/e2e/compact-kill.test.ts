import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, repoRoot, runCli, startCli, stopChild } from '../support/cli.js';
import { TableReader } from '../support/duckdb.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/analytics');
const START = '2024-07-01';
const END = '2024-09-29';

/** Resolves once `check` holds, polling every few ms; rejects after `timeoutMs`. */
async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('compaction killed (SIGKILL) mid-run, then run again', function () {
  this.timeout(180_000);

  it('npm start --resume <runId> --parquet after the kill: every record once, one marker per partition, one run marker', async () => {
    const api = await createMockApi({ seed: 21 });
    const { dir, cleanup } = tempDir();
    let reader: TableReader | undefined;
    try {
      const env = cleanEnv({ API_BASE_URL: api.url });
      const common = ['--config-dir', CONFIG_DIR, '--sink', dir, '--json'];
      const window = ['--service', 'an_pages', '--endpoint', 'sales', '--start_date', START, '--end_date', END];
      const landed = await runCli(APPS.local, [...window, ...common], env, 120_000);
      expect(landed.code, landed.stderr.slice(-2000)).to.equal(0);
      const { runId } = JSON.parse(landed.stdout) as { runId: string };
      const runFolder = join(dir, '_rdc/runs/an_pages/sales', `run=${runId}`);
      const markers = join(runFolder, 'compacted');
      // Marker files only: a killed writer may leave a hidden temporary file beside them.
      const marked = (): string[] =>
        existsSync(markers) ? readdirSync(markers).filter((n) => /^dt=.*\.json$/.test(n)) : [];
      const table = join(dir, 'an_pages/sales.parquet');

      // Killed as soon as the first partition is marked: some Parquet written, the run not compacted.
      const first = startCli(APPS.local, ['--resume', runId, '--parquet', ...common], env);
      await until(() => marked().length > 0, 60_000);
      await stopChild(first.child, 'SIGKILL');
      const before = marked().length;
      expect(before).to.be.within(1, 89);
      expect(existsSync(join(runFolder, '_COMPACTED'))).to.equal(false);

      const again = await runCli(APPS.local, ['--resume', runId, '--parquet', ...common], env, 120_000);
      expect(again.code, again.stderr.slice(-2000)).to.equal(0);
      const expected = api.idsInWindow('sales', new Date(`${START}T00:00:00Z`), new Date(`${END}T00:00:00Z`));
      expect(marked()).to.have.length(90);
      expect(existsSync(join(runFolder, '_COMPACTED'))).to.equal(true);
      expect(filesIn(table).filter((f) => f.endsWith('.parquet')).length).to.be.at.most(90);

      reader = await TableReader.open(table, 'parquet');
      const [counts] = await reader.rows('SELECT count(*) AS n, count(DISTINCT id) AS d FROM {table}');
      expect(Number(counts!.n), 'rows').to.equal(expected.length);
      expect(Number(counts!.d), 'distinct ids').to.equal(expected.length);
    } finally {
      reader?.close();
      cleanup();
      await api.close();
    }
  });
});
