import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices, silentLog, type PageTask } from '@rdc/contracts';
import { createTaskProcessor, planRun } from '@rdc/core';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry, type SourceRegistry } from '@rdc/source';
import { createPushServer, type PushServer } from '@rdc/worker';
import { filesIn, idsInFolder, repoRoot } from '../support/cli.js';
import { RecordingPublisher } from '../support/fakes.js';
import { tempDir } from '../support/hooks.js';
import { createKeysApi, type KeysApi } from '../support/keys-api.js';
import { envelopeFor, post } from '../support/push.js';

/** Whatever a page could have added to every object in this process. */
const pollution = () => Object.getOwnPropertyNames(Object.prototype).filter((n) => ['records', 'polluted'].includes(n));

describe('push worker after a record with a __proto__ key', function () {
  this.timeout(30_000);
  const catalog = loadServices(join(repoRoot, 'test/fixtures/hostile-keys'));
  let api: KeysApi;
  let sources: SourceRegistry;
  let tmp: { dir: string; cleanup: () => void };
  let server: PushServer | undefined;

  beforeEach(async () => {
    api = await createKeysApi();
    sources = createSourceRegistry(catalog, { env: { API_BASE_URL: api.url } });
    tmp = tempDir('rdc-push-keys-');
  });
  afterEach(async () => {
    await server?.shutdown(1000);
    server = undefined;
    sources.close();
    await api.close();
    tmp.cleanup();
    // Undo what a failing run did, so later tests in this process see a clean Object.prototype.
    for (const name of pollution()) delete (Object.prototype as Record<string, unknown>)[name];
  });

  it('keeps answering 204 and landing every later valid task; Object.prototype stays untouched', async () => {
    const sink = new FileSink(tmp.dir);
    const publisher = new RecordingPublisher();
    await planRun(
      {
        service: 'keys',
        endpoint: 'sales',
        start: new Date('2024-01-01T00:00:00Z'),
        end: new Date('2024-01-02T00:00:00Z'),
        now: new Date('2025-01-01T00:00:00Z'),
        endGranularityMs: 3_600_000,
      },
      { catalog, source: sources.sourceFor('keys'), sink, publisher, log: silentLog },
    );
    const tasks = publisher.tasks as PageTask[];
    expect(tasks).to.have.length(3);
    const process = createTaskProcessor({
      catalog,
      sourceFor: (s) => sources.sourceFor(s),
      sink,
      log: silentLog,
      gzip: false,
      maxDeliveryAttempts: 5,
    });
    server = createPushServer({
      process,
      authorize: () => Promise.resolve(undefined),
      log: silentLog,
      maxBodyBytes: 65536,
      requestTimeoutMs: 30_000,
      health: () => ({}),
    });
    await new Promise<void>((resolve) => server?.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}/`;

    // Page 1 carries records with "__proto__" keys, top-level and nested; then the valid rest, twice over.
    for (const task of [...tasks, ...tasks]) expect((await post(url, envelopeFor(task))).status).to.equal(204);

    expect(pollution()).to.deep.equal([]);
    const files = filesIn(tmp.dir);
    expect(files.filter((f) => f.includes('_malformed'))).to.deep.equal([]);
    expect(files.filter((f) => f.includes('deadletter'))).to.deep.equal([]);
    expect(files.filter((f) => f.endsWith('/_SUCCESS'))).to.have.length(1);
    const ids = idsInFolder(join(tmp.dir, 'keys'));
    expect(ids.sort()).to.deep.equal(api.idsInWindow(new Date('2024-01-01'), new Date('2024-01-02')));
  });
});
