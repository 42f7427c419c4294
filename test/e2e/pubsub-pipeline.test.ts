import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { freePort, loadServices, silentLog, type Task, type TaskPublisher } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { createPubSub, ensureSubscription, ensureTopic, PubSubPublisher } from '@rdc/queues';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { APPS, cleanEnv, filesIn, idsInFolder, runCli, startCli, stopChild, windowArgs } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { startFrontProxy } from '../support/front-proxy.js';
import { httpOk, waitFor } from '../support/net.js';
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
  const created: Array<{ kind: 'topic' | 'subscription'; name: string }> = [];
  afterEach(async () => {
    outputs.length = 0;
    // Delete subscriptions first, so the emulator stops pushing to workers about to stop.
    for (const { kind, name } of created
      .splice(0)
      .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === 'subscription' ? -1 : 1))) {
      await (kind === 'topic' ? pubsub.topic(name).delete() : pubsub.subscription(name).delete()).catch(
        () => undefined,
      );
    }
    await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
    cleanup();
  });

  const expectedIds = () => api.idsInWindow('sales', new Date(START), new Date(END));
  const successPath = () => `${dir}/_rdc/runs/retail/sales/run=${RUN_ID}/_SUCCESS`;

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

  const outputs: Array<() => string> = [];
  async function startPushWorker(port: number, extra: Record<string, string> = {}): Promise<ChildProcess> {
    const worker = startCli(APPS.worker, ['--mode', 'push'], workerEnv({ PORT: String(port), ...extra }));
    children.push(worker.child);
    outputs.push(worker.output);
    await waitFor(
      `the worker on :${port}\n${worker.output()}`,
      () => httpOk(`http://127.0.0.1:${port}/healthz`),
      20_000,
    );
    return worker.child;
  }
  const landed = () => filesIn(dir).filter((f) => f.endsWith('.ndjson')).length;
  const diagnose = () =>
    `${landed()} page files landed; worker output:\n${outputs.map((o) => o().slice(-3000)).join('\n---\n')}`;

  async function pushTopology(
    port: number,
    maxDeliveryAttempts = 5,
    endpoint = `http://127.0.0.1:${port}/`,
  ): Promise<string> {
    const topic = uniqueName('rdc-pages');
    const dead = uniqueName('rdc-dead');
    const name = uniqueName('rdc-push');
    await ensureTopic(pubsub, topic);
    await ensureTopic(pubsub, dead);
    created.push({ kind: 'topic', name: topic }, { kind: 'topic', name: dead }, { kind: 'subscription', name });
    await ensureSubscription(pubsub, {
      topic,
      name,
      pushEndpoint: endpoint,
      ackDeadlineSeconds: 30,
      deadLetter: { topic: dead, maxDeliveryAttempts },
      retryPolicy: { minimumBackoff: 0.1, maximumBackoff: 1 },
    });
    return topic;
  }

  function planner(topic: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return runCli(APPS.planner, windowArgs('sales', START, END, dir, '--topic', topic, '--json'), workerEnv({}));
  }

  function assertExactlyOnce(): void {
    const expected = expectedIds();
    const landed = idsInFolder(dir);
    expect(landed).to.have.length(expected.length);
    expect(landed).to.deep.equal(expected);
    expect(filesIn(dir).filter((f) => f.startsWith('_rdc/deadletter/'))).to.deep.equal([]);
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
    created.push({ kind: 'topic', name: topic }, { kind: 'subscription', name: subscription });
    await ensureSubscription(pubsub, { topic, name: subscription, ackDeadlineSeconds: 30 });
    const worker = startCli(
      APPS.worker,
      ['--mode', 'pull', '--concurrency', '8'],
      workerEnv({ RDC_SUBSCRIPTION: subscription }),
    );
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
      {
        service: 'retail',
        endpoint: 'sales',
        start: new Date(START),
        end: new Date(END),
        now: new Date(),
        endGranularityMs: 3_600_000,
      },
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

  async function inFlight(port: number): Promise<number> {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      return ((await res.json()) as { inFlight: number }).inFlight;
    } catch {
      return 0;
    }
  }

  /**
   * Cloud Run stops routing to an instance, then sends it SIGTERM; another
   * instance takes the traffic. `latencyMs` decides whether the pages in flight
   * at SIGTERM can finish within the grace period.
   */
  async function sigtermScenario(
    latencyMs: number,
  ): Promise<{ code: number | null; ms: number; inFlightAtStop: number }> {
    const slow = await createMockApi({ latencyMs });
    const front = await startFrontProxy();
    try {
      const firstPort = await freePort();
      const first = await startPushWorker(firstPort, { API_BASE_URL: slow.url });
      front.target = firstPort;
      const topic = await pushTopology(firstPort, 100, front.url);
      const plan = await planner(topic);
      expect(plan.code, plan.stderr).to.equal(0);
      await waitFor('pages in flight on the first instance', async () => (await inFlight(firstPort)) >= 2, 60_000);
      const secondPort = await freePort();
      await startPushWorker(secondPort);
      front.target = secondPort;
      const inFlightAtStop = await inFlight(firstPort);
      const started = Date.now();
      const code = await stopChild(first, 'SIGTERM', 15_000);
      const ms = Date.now() - started;
      await waitFor('_SUCCESS', () => existsSync(successPath()), 120_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${diagnose()}\nfront end: ${front.log.join(', ')}`);
      });
      assertExactlyOnce();
      return { code, ms, inFlightAtStop };
    } finally {
      await front.close();
      await slow.close();
    }
  }

  it('SIGTERM: pages in flight finish within the grace period and the worker exits 0', async function () {
    this.timeout(150_000);
    const { code, ms, inFlightAtStop } = await sigtermScenario(1_500);
    expect(inFlightAtStop).to.be.at.least(1);
    expect(code).to.equal(0);
    expect(ms).to.be.below(10_000);
  });

  it('SIGTERM: pages that cannot finish in time are abandoned unwritten, redelivered, and land once', async function () {
    this.timeout(150_000);
    const { code, ms, inFlightAtStop } = await sigtermScenario(20_000);
    expect(inFlightAtStop).to.be.at.least(1);
    expect(code).to.equal(0);
    expect(ms).to.be.below(10_000);
  });
});
