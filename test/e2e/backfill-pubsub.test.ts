import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import type { PubSub } from '@google-cloud/pubsub';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { createPubSub, ensureSubscription, ensureTopic } from '@rdc/queues';
import { APPS, cleanEnv, idsInFolder, repoRoot, runCli, startCli, stopChild } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { waitFor } from '../support/net.js';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';

const START = '2024-07-01T00:00:00.000Z';
const END = '2024-08-01T00:00:00.000Z';
const RECORDS = 12_500; // 50 pages of 250
const MAX_PAGES = 5;

/**
 * The distributed path of a backfill over limits.maxPagesPerRun: the planner
 * publishes consecutive runs, pull workers land them in any order, each run
 * seals on its own and the watermark ends at the window's end.
 */
describeWithEmulator('backfill over maxPagesPerRun: planner → emulator → workers', (emulator) => {
  let api: MockApi;
  let pubsub: PubSub;
  let sink: ReturnType<typeof tempDir>;
  let configs: ReturnType<typeof tempDir>;
  const children: ChildProcess[] = [];
  const names: { topic?: string; subscription?: string } = {};

  before(async () => {
    api = await createMockApi({ sales: RECORDS, dataStart: new Date(START), dataEnd: new Date(END) });
    pubsub = createPubSub({ projectId: emulator.projectId, apiEndpoint: emulator.host });
  });
  after(async () => {
    await pubsub?.close();
    await api?.close();
  });
  beforeEach(() => {
    sink = tempDir('rdc-backfill-ps-');
    configs = tempDir('rdc-backfill-ps-config-');
    const retail = JSON.parse(readFileSync(join(repoRoot, 'config/services/retail.json'), 'utf8')) as {
      limits: Record<string, unknown>;
    };
    retail.limits = { ...retail.limits, maxPagesPerRun: MAX_PAGES };
    writeFileSync(join(configs.dir, 'retail.json'), JSON.stringify(retail));
  });
  afterEach(async () => {
    if (names.subscription)
      await pubsub
        .subscription(names.subscription)
        .delete()
        .catch(() => undefined);
    if (names.topic)
      await pubsub
        .topic(names.topic)
        .delete()
        .catch(() => undefined);
    await Promise.all(children.splice(0).map((c) => stopChild(c, 'SIGKILL')));
    sink.cleanup();
    configs.cleanup();
  });

  it('every record lands once across the runs, each sealed, the watermark at the end', async function () {
    this.timeout(180_000);
    names.topic = uniqueName('rdc-pages');
    names.subscription = uniqueName('rdc-pull');
    await ensureTopic(pubsub, names.topic);
    await ensureSubscription(pubsub, { topic: names.topic, name: names.subscription, ackDeadlineSeconds: 30 });
    const env = cleanEnv({
      RETAIL_API_BASE_URL: api.url,
      RDC_SINK: `file://${sink.dir}`,
      RDC_CONFIG_DIR: configs.dir,
      GOOGLE_CLOUD_PROJECT: emulator.projectId,
      PUBSUB_EMULATOR_HOST: emulator.host,
    });
    // Two workers, so runs seal in whatever order their last pages land.
    const workers = [1, 2].map(() =>
      startCli(APPS.worker, ['--mode', 'pull', '--concurrency', '4'], { ...env, RDC_SUBSCRIPTION: names.subscription }),
    );
    children.push(...workers.map((w) => w.child));
    const plan = await runCli(
      APPS.planner,
      ['--service', 'retail', '--endpoint', 'sales', '--start-date', START, '--end-date', END, '--json'],
      { ...env, RDC_TOPIC: names.topic },
    );
    expect(plan.code, plan.stderr.slice(-3000)).to.equal(0);
    const runs = plan.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { runId: string; window: { start: string; end: string }; pages: number });
    expect(runs.length).to.be.within(MAX_PAGES * 2, MAX_PAGES * 4);
    expect(runs[0]!.window.start).to.equal(START);
    expect(runs.at(-1)!.window.end).to.equal(END);
    runs.forEach((r, i) => {
      expect(r.pages).to.be.at.most(MAX_PAGES);
      if (i > 0) expect(r.window.start).to.equal(runs[i - 1]!.window.end);
    });
    const watermark = join(sink.dir, '_rdc/state/retail/sales/watermark.json');
    const watermarkEnd = () =>
      existsSync(watermark) ? (JSON.parse(readFileSync(watermark, 'utf8')) as { end: string }).end : undefined;
    await waitFor(
      `the watermark at ${END}\n${workers.map((w) => w.output().slice(-2000)).join('\n---\n')}`,
      () => Promise.resolve(watermarkEnd() === END),
      150_000,
    );
    for (const run of runs) {
      expect(existsSync(join(sink.dir, '_rdc/runs/retail/sales', `run=${run.runId}`, '_SUCCESS')), run.runId).to.equal(
        true,
      );
    }
    const ids = idsInFolder(join(sink.dir, 'retail/sales'));
    expect(ids).to.have.length(RECORDS);
    expect(new Set(ids).size).to.equal(RECORDS);
    for (const w of workers) expect(await stopChild(w.child, 'SIGTERM')).to.equal(0);
  });
});
