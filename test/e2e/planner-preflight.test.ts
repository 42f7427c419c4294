import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, runCli, windowArgs } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';

describeWithEmulator('planner: topic and sink checked before anything is written', (emulator) => {
  let api: MockApi;
  before(async () => {
    api = await createMockApi({ sales: 2000 });
  });
  after(() => api.close());

  it('a missing topic exits 2 naming it, with no manifest, state or claim written', async function () {
    this.timeout(30_000);
    const { dir, cleanup } = tempDir();
    try {
      const topic = uniqueName('rdc-missing');
      const env = cleanEnv({
        API_BASE_URL: api.url,
        GOOGLE_CLOUD_PROJECT: emulator.projectId,
        PUBSUB_EMULATOR_HOST: emulator.host,
      });
      api.resetStats();
      const result = await runCli(
        APPS.planner,
        windowArgs('sales', '2024-07-01', '2024-08-01', dir, '--topic', topic),
        env,
        20_000,
      );
      expect(result.code, result.stderr.slice(-2000)).to.equal(2);
      expect(result.stderr).to.include(topic).and.include('does not exist').and.include('--topic');
      expect(filesIn(dir), 'nothing written').to.deep.equal([]);
      expect(api.stats.requests, 'nothing asked of the API either').to.equal(0);
    } finally {
      cleanup();
    }
  });
});
