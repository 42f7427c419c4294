import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, runCli, windowArgs } from '../support/cli.js';
import { TableReader } from '../support/duckdb.js';
import { startGcsTestServer, type GcsTestServer } from '../support/gcs-test-server.js';
import { tempDir } from '../support/hooks.js';

const BUCKET = 'rdc-lost-replies';
const START = '2024-07-01';
const END = '2024-09-01T00:00:00Z';

describe('npm start into Cloud Storage whose replies to writes get lost', function () {
  this.timeout(180_000);
  let api: MockApi;
  let gcs: GcsTestServer;

  beforeEach(async () => {
    api = await createMockApi({});
    gcs = await startGcsTestServer({ buckets: [BUCKET] });
  });
  afterEach(async () => {
    await api.close();
    await gcs.close();
  });

  it('counts every record once in the summary when each first upload lands but its reply is lost', async () => {
    // Every object's first upload is stored, then answered 503: the client retries and gets 412.
    const written = new Set<string>();
    let lost = 0;
    gcs.setHook(({ kind, query }) => {
      const name = query.get('name') ?? '';
      if (kind !== 'upload' || written.has(name)) return undefined;
      written.add(name);
      lost += 1;
      return { status: 503, afterApply: true };
    });

    const result = await runCli(
      APPS.local,
      windowArgs('sales', START, END, `gs://${BUCKET}/landing`, '--json'),
      cleanEnv({ API_BASE_URL: api.url, STORAGE_EMULATOR_HOST: gcs.url }),
    );

    expect(result.code, result.stderr.slice(-3000)).to.equal(0);
    const summary = JSON.parse(result.stdout) as {
      complete: boolean;
      pages: number;
      landed: number;
      alreadyLanded: number;
      records: number;
    };
    const expected = api.idsInWindow('sales', new Date(`${START}T00:00:00Z`), new Date(END));
    expect(lost).to.be.greaterThan(summary.pages);
    expect(summary).to.include({
      complete: true,
      landed: summary.pages,
      alreadyLanded: 0,
      records: expected.length,
    });

    // What a reader of the bucket gets: every record once.
    const { dir, cleanup } = tempDir();
    try {
      for (const object of gcs.objects.values()) {
        if (!object.name.startsWith('landing/')) continue;
        const path = join(dir, ...object.name.split('/'));
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, object.data);
      }
      const reader = await TableReader.open(join(dir, 'landing', 'retail', 'sales'));
      try {
        expect(await reader.ids()).to.deep.equal([...expected].sort());
      } finally {
        reader.close();
      }
    } finally {
      cleanup();
    }
  });
});
