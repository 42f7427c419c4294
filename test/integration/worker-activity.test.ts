import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { createLogger } from '@rdc/logging';
import { parseWorkerConfig, startWorker, type RunningWorker } from '@rdc/worker';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { envelopeFor, post, PushWorkerFixture } from '../support/push.js';

/** Bytes of the page files under a folder sink. */
function pageBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /(^|\/)page-[^/]+\.ndjson(\.gz)?$/.test(name))
    .reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

describe('push worker activity lines', function () {
  this.timeout(60_000);
  let fixture: PushWorkerFixture;
  let proxy: FaultProxy;
  let worker: RunningWorker | undefined;

  beforeEach(async () => {
    fixture = await PushWorkerFixture.create({ end: '2024-11-01T00:00:00Z' });
    // The second page is rate limited twice; the third is not found, for good.
    proxy = await startFaultProxy(fixture.api.url, (url, seen) => {
      const offset = url.searchParams.get('offset');
      if (offset === '250' && seen < 2) return { status: 429, headers: { 'retry-after': '1' } };
      if (offset === '500') return { status: 404, body: '{"message":"page gone"}' };
      return undefined;
    });
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await proxy.close();
    await fixture.close();
  });

  it('log, every interval and when the worker stops, tasks landed and failed apart, retries, 429 waits and bytes', async () => {
    const stream = new PassThrough();
    const lines: Record<string, unknown>[] = [];
    stream.on('data', (chunk: Buffer) =>
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      ),
    );
    const env = {
      API_BASE_URL: proxy.url,
      PORT: '0',
      HOST: '127.0.0.1',
      RDC_PUSH_AUTH: 'off',
      RDC_ACTIVITY_SECONDS: '1',
    };
    const command = parseWorkerConfig(['--mode', 'push', '--sink', `file://${fixture.dir}`], env);
    if (command.help) throw new Error('expected a config');
    const log = createLogger({ format: 'json', level: 'info', stream });
    worker = await startWorker(command.config, env, log);
    expect(fixture.tasks.length, 'the window spans more pages than the scripted ones').to.be.greaterThan(3);
    const answers = await Promise.all(fixture.tasks.map((task) => post(worker!.url!, envelopeFor(task))));
    expect(answers.map((a) => a.status)).to.deep.equal(fixture.tasks.map(() => 204));
    const activity = lines.filter((entry) => String(entry.message).startsWith('Worker activity'));
    expect(activity.length, 'a line while the 429s are waited out').to.be.at.least(1);
    await worker.stop();
    worker = undefined;
    await new Promise((resolve) => setImmediate(resolve));
    const closing = lines.filter((entry) => String(entry.message).startsWith('Worker stopping'));
    expect(closing).to.have.length(1);
    const records = fixture.api.idsInWindow(
      'customers',
      new Date('2024-07-01T00:00:00Z'),
      new Date('2024-11-01T00:00:00Z'),
    ).length;
    expect(closing[0]).to.include({
      severity: 'INFO',
      landed: fixture.tasks.length - 1,
      alreadyLanded: 0,
      failed: 1,
      records: records - 250,
      retries: 0,
      rateLimitWaits: 2,
      bytesWritten: pageBytes(fixture.dir),
    });
    expect(closing[0]!.rateLimitWaitSeconds, 'two waits of the 1 s the API asked for').to.equal(2);
    expect(closing[0]!.message)
      .to.include(`${fixture.tasks.length - 1} tasks landed`)
      .and.include('1 failed (dead-lettered)');
  });
});
