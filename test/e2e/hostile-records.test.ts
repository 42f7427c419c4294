import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';

const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
const START = '2024-01-01T00:00:00.000Z';
const END = '2024-01-03T00:00:00.000Z';
const RUN = (endpoint: string) => `hostile.${endpoint}.20240101T000000Z-20240103T000000Z`;

describe('records land exactly as the API sent them', function () {
  this.timeout(120_000);
  let api: HostileApi | undefined;
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(async () => {
    await api?.close();
    api = undefined;
    cleanup();
  });

  const local = (args: string[]) =>
    runCli(
      APPS.local,
      [...args, '--config-dir', CONFIG_DIR, '--sink', dir],
      cleanEnv({ API_BASE_URL: api?.url, LOG_LEVEL: 'warn' }),
      90_000,
    );
  const window = (endpoint: string) => [
    '--service',
    'hostile',
    '--endpoint',
    endpoint,
    '--start-date',
    START,
    '--end-date',
    END,
  ];
  const sealed = () => filesIn(dir).filter((f) => f.endsWith('_SUCCESS'));
  const pageFiles = () => filesIn(dir).filter((f) => /\/page-[^/]+\.ndjson$/.test(f));

  for (const endpoint of ['snowflake', 'snowflake_sales']) {
    it(`${endpoint}: 64-bit ids and amounts past 2^53 land digit for digit, each id once, sealed`, async () => {
      api = await createHostileApi({ records: 500, stepMs: 300_000, snowflake: true });
      const run = await local(window(endpoint));
      expect(run.code, run.stderr.slice(-2000)).to.equal(0);
      const expected = api.idsInWindow(new Date(START), new Date(END));
      expect(expected[0]).to.equal('1800000000000000001');
      // Compared as the API's text: JSON.parse would make these 500 ids 500 rounded numbers.
      expect(idsInFolder(join(dir, 'hostile', endpoint))).to.deep.equal(expected);
      const lines = pageFiles()
        .sort()
        .flatMap((f) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n'));
      const sent = api.records().map((r) => `{"id":${r.id},"created_at":"${r.created_at}","amount":${r.amount}}`);
      expect(lines).to.deep.equal(sent);
      expect(sealed()).to.have.length(1);
      const status = await local(['status', RUN(endpoint)]);
      expect(status.code).to.equal(0);
    });
  }

  it('invalid UTF-8 in a page: exit 1 naming the page and the byte, no replacement character lands, nothing sealed; --resume once healthy lands every record once', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'invalid-utf8' });
    const run = await local([...window('sales'), '--max-attempts', '2']);
    expect(run.code, run.stderr.slice(-2000)).to.equal(1);
    expect(run.stderr)
      .to.include('not valid UTF-8')
      .and.match(/offset \d+/)
      .and.include('page 2');
    expect(sealed()).to.deep.equal([]);
    for (const file of pageFiles()) expect(readFileSync(join(dir, file), 'utf8'), file).not.to.include('\uFFFD');

    api.mode = 'healthy';
    const resumed = await local(['--resume', RUN('sales')]);
    expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(0);
    expect(idsInFolder(join(dir, 'hostile', 'sales'))).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)));
    expect(sealed()).to.have.length(1);
  });
});
