import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { applyTopology, loadTopology, TOPOLOGY_DEFAULTS, type TopologyValues } from '@rdc/stack';
import { repoRoot } from '../support/cli.js';
import { describeWithEmulator, uniqueName } from '../support/pubsub-emulator.js';

/** docker/init-emulators.sh (docker compose) and `npm run stack` create the same subscriptions. */
describeWithEmulator('Pub/Sub topology: init-emulators.sh and the stack agree', (emulator) => {
  let gcs: Server;

  before(async () => {
    // Stands in for fake-gcs-server: the script only needs it to answer and accept the bucket.
    gcs = createServer((req, res) => req.resume().on('end', () => res.end('{}')));
    await new Promise<void>((resolve) => gcs.listen(0, '127.0.0.1', resolve));
  });
  after(() => new Promise<void>((resolve) => gcs.close(() => resolve())));

  function initScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('sh', [join(repoRoot, 'docker/init-emulators.sh')], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  const get = async (project: string, path: string): Promise<Record<string, unknown>> => {
    const res = await fetch(`http://${emulator.host}/v1/projects/${project}/${path}`);
    expect(res.status, path).to.equal(200);
    const body = (await res.json()) as Record<string, unknown>;
    return JSON.parse(JSON.stringify(body).replaceAll(`projects/${project}/`, 'projects/P/')) as Record<
      string,
      unknown
    >;
  };

  it('the same topics and subscriptions with the same policies, and a second run changes nothing', async function () {
    this.timeout(60_000);
    const names = {
      TOPIC: uniqueName('rdc-pages'),
      DEAD_LETTER_TOPIC: uniqueName('rdc-dead'),
      DEAD_LETTER_SUBSCRIPTION: uniqueName('rdc-dead-sub'),
      PUSH_SUBSCRIPTION: uniqueName('rdc-push'),
      PUSH_ENDPOINT: 'http://127.0.0.1:9/',
    };
    const [shellProject, stackProject] = [uniqueName('rdc-sh'), uniqueName('rdc-stack')];
    const env = {
      ...names,
      PUBSUB_URL: `http://${emulator.host}`,
      GCS_URL: `http://127.0.0.1:${(gcs.address() as AddressInfo).port}`,
      PROJECT_ID: shellProject,
      BUCKET: 'rdc-local',
    };
    const first = await initScript(env);
    expect(first.code, first.output).to.equal(0);
    const again = await initScript(env);
    expect(again.code, again.output).to.equal(0);
    expect(again.output).to.include(`subscriptions/${names.PUSH_SUBSCRIPTION} exists already`);

    const values: TopologyValues = { ...TOPOLOGY_DEFAULTS, ...names, PROJECT_ID: stackProject };
    await applyTopology(emulator.host, values, loadTopology('push', values), () => undefined);

    for (const path of [
      `topics/${names.TOPIC}`,
      `topics/${names.DEAD_LETTER_TOPIC}`,
      `subscriptions/${names.DEAD_LETTER_SUBSCRIPTION}`,
      `subscriptions/${names.PUSH_SUBSCRIPTION}`,
    ])
      expect(await get(stackProject, path), path).to.deep.equal(await get(shellProject, path));
    const push = await get(shellProject, `subscriptions/${names.PUSH_SUBSCRIPTION}`);
    expect(push).to.nested.include({
      'deadLetterPolicy.maxDeliveryAttempts': 5,
      'pushConfig.pushEndpoint': names.PUSH_ENDPOINT,
    });
  });
});
