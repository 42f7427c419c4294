import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { createPubSub, ensureTopic } from '@rdc/queues';
import { APPS, cleanEnv, runCli, windowArgs } from '../support/cli.js';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';

const BUCKET = 'rdc-planner-write-failure';

describeWithEmulator('planner: a write to the bucket that keeps failing', (emulator) => {
  let api: MockApi;
  let gcs: GcsTestServer;
  let pubsub: PubSub;
  let topic: string | undefined;

  before(async () => {
    api = await createMockApi({ sales: 600 });
    gcs = await startGcsTestServer({ buckets: [BUCKET] });
    pubsub = createPubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host });
  });
  after(async () => {
    if (topic)
      await pubsub
        .topic(topic)
        .delete()
        .catch(() => undefined);
    await pubsub?.close();
    await gcs?.close();
    await api?.close();
  });

  it('exits 1 naming the failed write, saying the planner does not retry it and to run the same command again', async function () {
    this.timeout(120_000);
    topic = uniqueName('rdc-pages');
    await ensureTopic(pubsub, topic);
    // Cloud Storage answers every upload 503: the client retries within its deadline, then the planner stops.
    gcs.setHook(({ kind }) => (kind === 'upload' ? { status: 503 } : undefined));

    const result = await runCli(
      APPS.planner,
      windowArgs('sales', '2024-07-01', '2024-08-01', `gs://${BUCKET}/landing`, '--topic', topic),
      cleanEnv({
        API_BASE_URL: api.url,
        STORAGE_EMULATOR_HOST: gcs.url,
        GOOGLE_CLOUD_PROJECT: emulator.projectId,
        PUBSUB_EMULATOR_HOST: emulator.host,
      }),
      100_000,
    );

    expect(result.code, result.stderr.slice(-3000)).to.equal(1);
    const errors = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { severity?: string; message?: string })
      .filter((line) => line.severity === 'ERROR');
    expect(errors, result.stderr.slice(-3000)).to.have.length(1);
    const message = errors[0]?.message ?? '';
    expect(message)
      .to.include(`gs://${BUCKET}/landing/`)
      .and.include('HTTP 503')
      .and.include('The planner does not retry it')
      .and.include('run the same planner command again');
    expect(message).to.not.match(/will be retried|will retry/i);
    expect(gcs.requests.some((r) => r.kind === 'upload' && r.status === 200)).to.equal(false);
  });
});
