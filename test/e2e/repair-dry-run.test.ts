import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';
import { APPS, cleanEnv, filesIn, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
const START = '2024-01-01T00:00:00.000Z';
const END = '2024-01-03T00:00:00.000Z';
const RUN = 'hostile.sales.20240101T000000Z-20240103T000000Z';

/** Every file of a folder sink with the sha256 of its bytes, by path. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    filesIn(dir).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex'),
    ]),
  );
}

describe('--repair <runId> --dry-run leaves the sink untouched', function () {
  this.timeout(120_000);
  let api: HostileApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('for npm start and for the planner: every file and its bytes are the same before and after', async () => {
    // An API that ignores the offset: the run lands every page, but its records repeat, so it is not sealed.
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'ignore-offset' });
    const env = cleanEnv({ API_BASE_URL: api.url, LOG_LEVEL: 'info' });
    const { dir, cleanup } = tempDir();
    try {
      const common = ['--config-dir', CONFIG_DIR, '--sink', dir];
      const window = ['--service', 'hostile', '--endpoint', 'sales', '--start_date', START, '--end_date', END];
      const run = await runCli(APPS.local, [...window, '--max_attempts', '2', ...common], env, 60_000);
      expect(run.code, run.stderr.slice(-2000)).to.equal(1);
      const before = snapshot(dir);
      expect(Object.keys(before).some((f) => f.includes(`/runs/`) && f.endsWith('manifest.json'))).to.equal(true);

      for (const app of [APPS.local, APPS.planner]) {
        const dry = await runCli(app, ['--repair', RUN, '--dry-run', ...common], env, 60_000);
        expect(dry.code, `${app}: ${dry.stderr.slice(-2000)}`).to.equal(0);
        expect(snapshot(dir), `${app} --repair --dry-run changed the sink`).to.deep.equal(before);
        expect(dry.stderr, app).not.to.include('Retired run');
      }

      // The same repair without --dry-run does move the run: the check above could see it.
      api.mode = 'healthy';
      const repaired = await runCli(APPS.local, ['--repair', RUN, ...common], env, 60_000);
      expect(repaired.code, repaired.stderr.slice(-2000)).to.equal(0);
      expect(Object.keys(snapshot(dir)).some((f) => f.startsWith('_rdc/retired/'))).to.equal(true);
    } finally {
      cleanup();
    }
  });
});
