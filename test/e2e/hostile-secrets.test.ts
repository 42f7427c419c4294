import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, idsInFolder, repoRoot, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';
import { createHostileApi, type HostileApi } from '../support/hostile-api.js';

const START = '2024-01-01T00:00:00Z';
const END = '2024-01-03T00:00:00Z';
const RUN = 'hostile.sales.20240101T000000Z-20240103T000000Z';
/** A key with every character an escaping touches: quotes, backslashes, `<&>`, `+/=%`. */
const KEY = `sk_live\\"7f3a<&>'+/=%9c1E\\e5b2`;
/** Fragments of the key in the forms the API echoes it: its distinctive tail, raw or escaped. */
const FRAGMENTS = [
  KEY,
  '9c1E',
  'e5b2',
  '9%63%31%45', // percent-encoded, every byte
  '\\u0039\\u0063', // \u escapes
  '\\x39\\x63', // \x escapes
  '&#39;+/=', // HTML entities
  Buffer.from(KEY).toString('base64').slice(8, 28), // base64
  Buffer.from(`user:${KEY}`).toString('base64').slice(8, 28), // basic auth
];

describe('an API that echoes the key back in an error body, in any escaping', function () {
  this.timeout(120_000);
  let api: HostileApi | undefined;
  let dir: string;
  let cleanup: () => void;
  let configs: { dir: string; cleanup: () => void };
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
    configs = tempDir('rdc-config-');
    // The hostile service, behind an API key from HOSTILE_API_KEY.
    cpSync(join(repoRoot, 'test/fixtures/hostile'), configs.dir, { recursive: true });
    const file = join(configs.dir, 'hostile.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      file,
      JSON.stringify({ ...config, auth: { type: 'header', name: 'X-API-Key', env: 'HOSTILE_API_KEY' } }),
    );
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    cleanup();
    configs.cleanup();
  });

  const local = (args: string[]) =>
    runCli(
      APPS.local,
      [...args, '--config-dir', configs.dir, '--sink', dir],
      cleanEnv({ API_BASE_URL: api?.url, HOSTILE_API_KEY: KEY, LOG_LEVEL: 'debug' }),
      90_000,
    );
  /** Every line printed and every byte written to the sink, as one text. */
  const everything = (run: { stdout: string; stderr: string }) =>
    [run.stdout, run.stderr, ...filesIn(dir).map((f) => readFileSync(join(dir, f), 'utf8'))].join('\n');

  it('401s echoing the key: exit 1 naming the variable, no form of the key printed or written, nothing sealed; --resume lands every record once', async () => {
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode: 'echo-key' });
    const run = await local([
      '--service',
      'hostile',
      '--endpoint',
      'sales',
      '--start-date',
      START,
      '--end-date',
      END,
      '--max-attempts',
      '1',
    ]);
    expect(run.code, run.stderr.slice(-2000)).to.equal(1);
    expect(run.stderr).to.include('401').and.include('HOSTILE_API_KEY');
    const failed = everything(run);
    for (const fragment of FRAGMENTS) expect(failed, fragment).not.to.include(fragment);
    expect(failed, 'the echo, scrubbed').to.include('[REDACTED]');
    expect(filesIn(dir).filter((f) => f.endsWith('_SUCCESS'))).to.deep.equal([]);

    api.mode = 'healthy';
    const resumed = await local(['--resume', RUN]);
    expect(resumed.code, resumed.stderr.slice(-2000)).to.equal(0);
    expect(idsInFolder(join(dir, 'hostile', 'sales'))).to.deep.equal(api.idsInWindow(new Date(START), new Date(END)));
    expect(filesIn(dir).filter((f) => f.endsWith('_SUCCESS'))).to.have.length(1);
    for (const fragment of FRAGMENTS) expect(everything(resumed), fragment).not.to.include(fragment);
  });
});
