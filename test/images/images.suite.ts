import { chownSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import { freePort } from '@rdc/contracts';
import { createMockApi } from '@rdc/mock-server';
import { applyTopology, loadTopology, TOPOLOGY_DEFAULTS, type TopologyValues } from '@rdc/stack';
import { filesIn, idsInFolder, repoRoot } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { httpOk, waitFor } from '../support/net.js';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';
import { exec, fromImage, inspectImage, missingTools, runIn, sh, startIn, type Container } from './buildah.js';

/**
 * The real images, built from Dockerfile.planner and Dockerfile.worker as they are and
 * run end to end: planner container → Pub/Sub emulator → worker container → a mounted
 * folder. `npm run test:images`; needs root, buildah, podman and debootstrap.
 */

/** Largest image size accepted: node:24-slim is about 250 MB of it. */
const MAX_IMAGE_BYTES = 400 * 1000 * 1000;
const START = '2024-07-01';
const END = '2024-09-01'; // about 11 pages of sales in the bundled API's default data
const RUN_ID = 'retail.sales.20240701T000000Z-20240901T000000Z';
const SUCCESS = `_rdc/runs/retail/sales/run=${RUN_ID}/_SUCCESS`;

interface Built {
  service: string;
  image: string;
  dockerfile: string;
  target?: string;
  app: 'planner' | 'worker' | 'mock-api';
}

/** The images docker-compose.yml names, with the Dockerfile and target each is built from. */
function composeImages(): Built[] {
  type Service = { image?: string; build?: { dockerfile?: string; target?: string } };
  const { services } = parse(readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
  };
  return Object.entries(services)
    .filter(([, s]) => s.build && s.image)
    .map(([service, s]) => ({
      service,
      image: s.image!,
      dockerfile: s.build!.dockerfile ?? 'Dockerfile',
      ...(s.build!.target ? { target: s.build!.target } : {}),
      app: service as Built['app'],
    }));
}

describeWithEmulator('images: built with buildah from the Dockerfiles, run without a Docker engine', (emulator) => {
  const images = composeImages();
  const containers = new Map<string, Container>();
  const container = (app: Built['app']): Container => {
    const c = containers.get(app);
    if (!c) throw new Error(`No container of the ${app} image: its build failed above.`);
    return c;
  };
  let apiUrl: string;
  let stopApi: (() => Promise<number | null>) | undefined;
  let expected: string[];

  before(async function () {
    this.timeout(300_000);
    const missing = missingTools();
    if (missing) throw new Error(`The image test cannot run: ${missing}`);
    // The stand-in for node:24-slim, built once and reused (.ci/run rebuilds it each run).
    await exec('bash', [join(repoRoot, 'test/images/build-base.sh'), '--reuse']);
    const api = await createMockApi();
    expected = api.idsInWindow('sales', new Date(`${START}T00:00:00Z`), new Date(`${END}T00:00:00Z`));
    await api.close();
  });

  after(async function () {
    this.timeout(120_000);
    await stopApi?.();
    for (const c of containers.values()) sh('buildah', ['rm', c.name]);
    for (const b of images) sh('buildah', ['rmi', '--force', b.image]);
  });

  it('docker-compose.yml names the planner, worker and mock-api images this test builds', () => {
    expect(images.map((b) => b.app).sort()).to.deep.equal(['mock-api', 'planner', 'worker']);
  });

  for (const b of ['planner', 'worker', 'mock-api'] as const) {
    it(`builds ${b} from its Dockerfile as it is, and it runs as uid 1000 under ${MAX_IMAGE_BYTES / 1e6} MB`, async function () {
      this.timeout(600_000);
      const built = images.find((i) => i.app === b)!;
      const target = built.target ? ['--target', built.target] : [];
      await exec('buildah', [
        'bud',
        '--isolation',
        'chroot',
        '--pull-never',
        '--network',
        'host',
        '--quiet',
        '-f',
        built.dockerfile,
        ...target,
        '-t',
        built.image,
        repoRoot,
      ]);
      const info = inspectImage(built.image);
      expect(info.user, `${built.image}: USER`).to.equal('node');
      expect(info.size, `${built.image}: size in bytes`).to.be.below(MAX_IMAGE_BYTES);
      const c = await fromImage(built.image);
      containers.set(b, c);
      const id = runIn(c, ['id', '-u']);
      expect(id.stdout.trim(), id.stderr).to.equal('1000');
    });
  }

  it("runs --help through each image's own entry point", function () {
    this.timeout(60_000);
    const usage: Record<Built['app'], string> = {
      planner: 'Usage: planner',
      worker: 'Usage: worker',
      'mock-api': 'mock',
    };
    for (const b of images) {
      const { entrypoint, cmd } = inspectImage(b.image);
      const command = entrypoint.length > 0 ? [...entrypoint, '--help'] : [...cmd, '--help'];
      const r = runIn(container(b.app), command);
      expect(r.code, `${b.image} ${command.join(' ')}: ${r.stderr}`).to.equal(0);
      expect(r.stdout, b.image).to.include(usage[b.app]);
    }
  });

  async function startMockApi(): Promise<void> {
    if (stopApi) return;
    const port = await freePort();
    const api = startIn(container('mock-api'), ['node', 'apps/mock-api/dist/main.js'], {
      env: { PORT: String(port), HOST: '127.0.0.1' },
    });
    stopApi = api.stop;
    apiUrl = `http://127.0.0.1:${port}`;
    await waitFor(`the mock-api container on :${port}\n${api.output()}`, () => httpOk(`${apiUrl}/healthz`), 30_000);
  }

  /** A mounted folder the containers' node user (uid 1000) can write. */
  function dataDir(): { dir: string; cleanup: () => void } {
    const t = tempDir('rdc-images-');
    chownSync(t.dir, 1000, 1000);
    return t;
  }

  async function topology(mode: 'pull' | 'push', pushEndpoint = ''): Promise<TopologyValues> {
    const values: TopologyValues = {
      ...TOPOLOGY_DEFAULTS,
      PROJECT_ID: emulator.projectId,
      TOPIC: uniqueName('rdc-pages'),
      DEAD_LETTER_TOPIC: uniqueName('rdc-dead'),
      DEAD_LETTER_SUBSCRIPTION: uniqueName('rdc-dead-sub'),
      PUSH_SUBSCRIPTION: uniqueName('rdc-push'),
      PULL_SUBSCRIPTION: uniqueName('rdc-pull'),
      PUSH_ENDPOINT: pushEndpoint,
      ACK_DEADLINE_SECONDS: '30',
      MIN_RETRY_DELAY: '1s',
      MAX_RETRY_DELAY: '10s',
    };
    await applyTopology(emulator.host, values, loadTopology(mode, values), () => undefined);
    return values;
  }

  const common = (): Record<string, string> => ({
    PUBSUB_EMULATOR_HOST: emulator.host,
    GOOGLE_CLOUD_PROJECT: emulator.projectId,
    API_BASE_URL: apiUrl,
    RDC_SINK: 'file:///data',
    LOG_FORMAT: 'json',
  });

  function plan(dir: string, topic: string): void {
    const r = runIn(
      container('planner'),
      [
        'node',
        'apps/planner/dist/main.js',
        '--service',
        'retail',
        '--endpoint',
        'sales',
        '--start_date',
        START,
        '--end_date',
        END,
        '--queue',
        'pubsub',
        '--topic',
        topic,
        '--json',
      ],
      { env: common(), data: dir },
    );
    expect(r.code, r.stderr.slice(-3000)).to.equal(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { runId: string; published: number };
    expect(summary.runId).to.equal(RUN_ID);
    expect(summary.published).to.be.at.least(8);
  }

  function expectEveryRecordOnce(dir: string): void {
    expect(existsSync(join(dir, SUCCESS)), SUCCESS).to.equal(true);
    const landed = idsInFolder(dir);
    expect(landed).to.have.length(expected.length);
    expect(landed).to.deep.equal(expected);
    expect(filesIn(dir).filter((f) => f.startsWith('_rdc/deadletter/'))).to.deep.equal([]);
  }

  const success = (dir: string) => () => existsSync(join(dir, SUCCESS));

  for (const mode of ['pull', 'push'] as const) {
    it(`${mode}: planner container → emulator → worker container → mounted folder, every record once`, async function () {
      this.timeout(180_000);
      await startMockApi();
      const { dir, cleanup } = dataDir();
      const port = await freePort();
      const values = await topology(mode, `http://127.0.0.1:${port}/`);
      const env =
        mode === 'pull'
          ? { ...common(), RDC_SUBSCRIPTION: values.PULL_SUBSCRIPTION }
          : { ...common(), PORT: String(port), HOST: '127.0.0.1', RDC_PUSH_AUTH: 'off' };
      const worker = startIn(container('worker'), ['node', 'apps/worker/dist/main.js', '--mode', mode], {
        env,
        data: dir,
      });
      try {
        if (mode === 'push')
          await waitFor(
            `the worker container on :${port}\n${worker.output()}`,
            () => httpOk(`http://127.0.0.1:${port}/healthz`),
            30_000,
          );
        plan(dir, values.TOPIC);
        await waitFor(
          `_SUCCESS from the ${mode} worker container\n${worker.output().slice(-3000)}`,
          success(dir),
          120_000,
        );
        expectEveryRecordOnce(dir);
      } finally {
        await worker.stop();
        cleanup();
      }
    });
  }
});
