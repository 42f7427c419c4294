import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, filesIn, idsInFolder, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

const KEY = 'sk_live_7f3a9c1e5b2d4f6a8c0e';

describe('the API key never reaches logs, errors or files', function () {
  this.timeout(60_000);
  let api: MockApi;
  let dir: string;
  let cleanup: () => void;

  before(async () => {
    api = await createMockApi({ apiKey: KEY, errorRate: 0.1, faultSeed: 3 });
  });
  after(() => api.close());
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  const args = (sink: string) => [
    '--service',
    'retail',
    '--endpoint',
    'customers',
    '--start_date',
    '2024-07-01',
    '--end_date',
    '2024-10-01',
    '--sink',
    sink,
  ];

  function everything(result: { stdout: string; stderr: string }): string {
    const files = filesIn(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
    return [result.stdout, result.stderr, ...files].join('\n');
  }

  it('from env: the run lands, and no output or file holds the key', async () => {
    const result = await runCli(
      APPS.local,
      args(dir),
      cleanEnv({ API_BASE_URL: api.url, RETAIL_API_KEY: KEY, LOG_LEVEL: 'debug' }),
    );
    expect(result.code, result.stderr).to.equal(0);
    expect(idsInFolder(dir)).to.have.length(
      api.countInWindow('customers', new Date('2024-07-01'), new Date('2024-10-01')),
    );
    expect(everything(result)).to.not.include(KEY);
  });

  it('from a mounted secret file (RETAIL_API_KEY_FILE)', async () => {
    const secret = tempDir();
    try {
      const file = join(secret.dir, 'retail-api-key');
      (await import('node:fs')).writeFileSync(file, `${KEY}\n`);
      const result = await runCli(
        APPS.local,
        args(dir),
        cleanEnv({ API_BASE_URL: api.url, RETAIL_API_KEY_FILE: file }),
      );
      expect(result.code, result.stderr).to.equal(0);
      expect(everything(result)).to.not.include(KEY);
    } finally {
      secret.cleanup();
    }
  });

  it('a wrong key fails with a hint naming the variable, never the key', async () => {
    const wrong = `${KEY}_wrong`;
    const result = await runCli(APPS.local, args(dir), cleanEnv({ API_BASE_URL: api.url, RETAIL_API_KEY: wrong }));
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('401').and.include('RETAIL_API_KEY');
    expect(everything(result)).to.not.include(KEY);
  });
});
