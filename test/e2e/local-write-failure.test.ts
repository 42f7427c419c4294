import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, runCli, windowArgs } from '../support/cli.js';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';

const BUCKET = 'rdc-local-write-failure';

describe('npm start: a write to the bucket that fails', function () {
  this.timeout(60_000);
  let api: MockApi;
  let gcs: GcsTestServer;

  before(async () => {
    api = await createMockApi({ sales: 600 });
    gcs = await startGcsTestServer({ buckets: [BUCKET] });
  });
  after(async () => {
    await gcs.close();
    await api.close();
  });

  it('exits 1 naming the write and the role to grant, saying nothing retries it and to run the same command again', async () => {
    gcs.setHook(({ kind }) => (kind === 'upload' ? { status: 403 } : undefined));

    const result = await runCli(
      APPS.local,
      windowArgs('sales', '2024-07-01', '2024-08-01', `gs://${BUCKET}/landing`),
      cleanEnv({ API_BASE_URL: api.url, STORAGE_EMULATOR_HOST: gcs.url }),
      50_000,
    );

    expect(result.code, result.stderr.slice(-3000)).to.equal(1);
    const failed = result.stderr.split('\n').filter((line) => line.startsWith('failed: '));
    expect(failed, result.stderr.slice(-3000)).to.have.length(1);
    expect(failed[0])
      .to.include(`gs://${BUCKET}/landing/`)
      .and.include('roles/storage.objectCreator')
      .and.include('npm start stopped and does not retry this')
      .and.include('run the same command again');
    expect(failed[0]).to.not.match(/will be retried|will retry/i);
  });
});
