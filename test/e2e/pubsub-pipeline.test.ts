import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { loadServices, silentLog, type Task, type TaskPublisher } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { createMockApi, type MockApi } from '@rdc/mock-api';
import { createPubSub, ensureSubscription, ensureTopic, PubSubPublisher } from '@rdc/queues';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { APPS, cleanEnv, filesIn, idsInFolder, runCli, startCli, stopChild } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { freePort, httpOk, waitFor } from '../support/net.js';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';

const START = '2024-07-01T00:00:00Z';
// About 50 pages of 250 sales in the bundled API's default data.
const END = '2025-04-01T00:00:00Z';
const RUN_ID = 'retail.sales.20240701T000000Z-20250401T000000Z';

describeWithEmulator('Pub/Sub pipeline: planner → emulator → worker → folder', (emulator) => {
  let api: MockApi;
  let pubsub: PubSub;
  let dir: string;
  let cleanup: () => void;
  const children: ChildProcess[] = [];

  before(async function () {
    this.timeout(30_000);
    api = await createMockApi({ latencyMs: 20 });
    pubsub = createPubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host });
  });
  after(async () => {
    await pubsub?.close();
    await api?.close();
  });
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
    cleanup();
  });

  const expectedIds = () => api.idsInWindow('sales', new Date(START), new Date(END));
  const successPath = () => `${dir}/retail/sales/dt=2024-07-01/run=${RUN_ID}/_SUCCESS`;

  function workerEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
    return cleanEnv({
      API_BASE_URL: api.url,
      RDC_SINK: `file://${dir}`,
      GOOGLE_CLOUD_PROJECT: emulator.projectId,
      PUBSUB_EMULATOR_HOST: emulator.host,
      RDC_PUSH_AUTH: 'off',
      HOST: '127.0.0.1',
      ...extra,
    });
  }

  async function startPushWorker(port: number, extra: Record<string, string> = {}): Promise<ChildProcess> {
    const worker = startCli(APPS.worker, ['--mode', 'push'], workerEnv({ PORT: String(port), ...extra }));
    children.push(worker.child);
    await waitFor(`the worker on :${port}\n${worker.output()}`, () => httpOk(`http://127.0.0.1:${port}/healthz`), 20_000);
    return worker.child;
  }

  async function pushTopology(port: number): Promise<string> {
    const topic = uniqueName('rdc-pages');
    const dead = uniqueName('rdc-dead');
    await ensureTopic(pubsub, topic);
    await ensureTopic(pubsub, dead);
    await ensureSubscription(pubsub, {
      topic,
      name: uniqueName('rdc-push'),
      pushEndpoint: `http://127.0.0.1:${port}/`,
      ackDeadlineSeconds: 30,
      deadLetter: { topic: dead, maxDeliveryAttempts: 5 },
      retryPolicy: { minimumBackoff: 0.1, maximumBackoff: 1 },
    });
    return topic;
  }

  function planner(topic: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runCli(
      APPS.planner,
      ['--service', 'retail', '--endpoint', 'sales', '--start_date', START, '--end_date', END, '--topic', topic, '--sink', dir, '--json'],
      workerEnv({}),
    );
  }

  function assertExactlyOnce(): void {
    const expected = expectedIds();
    const landed = idsInFolder(dir);
    expect(landed).to.have.length(expected.length);
    expect(landed).to.deep.equal(expected);
    expect(filesIn(dir).filter((f) => f.startsWith('_deadletter/'))).to.deep.equal([]);
  }

  it('push: every page of a 50-page run lands exactly once', async function () {
    this.timeout(120_000);
    const port = await freePort();
    await startPushWorker(port);
    const topic = await pushTopology(port);
    const plan = await planner(topic);
    expect(plan.code, plan.stderr).to.equal(0);
    const summary = JSON.parse(plan.stdout) as { pages: number; published: number; runId: string };
    expect(summary.runId).to.equal(RUN_ID);
    expect(summary.pages).to.be.at.least(40);
    expect(summary.published).to.equal(summary.pages);
    await waitFor('_SUCCESS', () => existsSync(successPath()), 90_000);
    assertExactlyOnce();
  });

  it('pull: every page lands exactly once through streaming pull', async function () {
    this.timeout(120_000);
    const topic = uniqueName('rdc-pages');
    const subscription = uniqueName('rdc-pull');
    await ensureTopic(pubsub, topic);
    await ensureSubscription(pubsub, { topic, name: subscription, ackDeadlineSeconds: 30 });
    const worker = startCli(APPS.worker, ['--mode', 'pull', '--concurrency', '8'], workerEnv({ RDC_SUBSCRIPTION: subscription }));
    children.push(worker.child);
    const plan = await planner(topic);
    expect(plan.code, plan.stderr).to.equal(0);
    await waitFor(`_SUCCESS\n${worker.output()}`, () => existsSync(successPath()), 90_000);
    assertExactlyOnce();
    expect(await stopChild(worker.child, 'SIGTERM')).to.equal(0);
  });

  it('a planner that crashes halfway through publishing, then re-runs, still lands every page once', async function () {
    this.timeout(120_000);
    const port = await freePort();
    await startPushWorker(port);
    const topic = await pushTopology(port);
    // The first execution dies after publishing 20 tasks.
    const real = new PubSubPublisher({ projectId: emulator.projectId, topic, apiEndpoint: emulator.host });
    let published = 0;
    const crashing: TaskPublisher = {
      publish: async (task: Task) => {
        if (published++ >= 20) throw new Error('planner container killed');
        await real.publish(task);
      },
      flush: () => real.flush(),
      close: () => real.close(),
    };
    const catalog = loadServices();
    const sources = createSourceRegistry(catalog, { env: { API_BASE_URL: api.url } });
    const crash = await planRun(
      { service: 'retail', endpoint: 'sales', start: new Date(START), end: new Date(END), now: new Date(), endGranularityMs: 3_600_000 },
      { catalog, source: sources.sourceFor('retail'), sink: new FileSink(dir), publisher: crashing, log: silentLog },
    ).catch((e: unknown) => e);
    await real.flush();
    await real.close();
    sources.close();
    expect(crash).to.be.instanceOf(Error);
    // The job retries: the real planner CLI finds the manifest and publishes what has not landed.
    const retry = await planner(topic);
    expect(retry.code, retry.stderr).to.equal(0);
    const summary = JSON.parse(retry.stdout) as { origin: string; published: number; pages: number };
    expect(summary.origin).to.equal('existing');
    expect(summary.published).to.be.at.least(summary.pages - 20);
    await waitFor('_SUCCESS', () => existsSync(successPath()), 90_000);
    assertExactlyOnce();
  });

  it('SIGTERM during in-flight pages loses nothing: the worker exits 0 and unacked pages are redelivered', async function () {
    this.timeout(150_000);
    const slow = await createMockApi({ latencyMs: 600 });
    try {
      const port = await freePort();
      const first = await startPushWorker(port, { API_BASE_URL: slow.url, RDC_CONCURRENCY: '4' });
      const topic = await pushTopology(port);
      const plan = await planner(topic);
      expect(plan.code, plan.stderr).to.equal(0);
      await waitFor('a few pages to land', () => filesIn(dir).filter((f) => f.endsWith('.ndjson')).length >= 3, 60_000);
      const started = Date.now();
      const code = await stopChild(first, 'SIGTERM', 12_000);
      expect(code).to.equal(0);
      expect(Date.now() - started).to.be.below(10_000);
      // The run was cut short: the rest must come from redelivery.
      expect(existsSync(successPath())).to.equal(false);
      // A new instance takes over the same endpoint; Pub/Sub redelivers what was not acked.
      await startPushWorker(port);
      await waitFor('_SUCCESS after the restart', () => existsSync(successPath()), 120_000);
      assertExactlyOnce();
    } finally {
      await slow.close();
    }
  });
});
