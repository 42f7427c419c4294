import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { APPS, cleanEnv, idsInFolder, runCli, windowArgs } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { tempDir } from '../support/hooks.js';

const START = '2024-07-01';
const END = '2024-08-01T00:00:00Z';

/** The page files of a folder sink and their sizes on disk. */
function pageFileBytes(dir: string): { files: number; bytes: number } {
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => join(dir, name))
    .filter((path) => /\/page-[^/]+\.ndjson(\.gz)?$/.test(path) && statSync(path).isFile());
  return { files: files.length, bytes: files.reduce((sum, path) => sum + statSync(path).size, 0) };
}

describe('progress and summary of npm start, not on a terminal', function () {
  this.timeout(120_000);
  let api: MockApi;
  let proxy: FaultProxy;

  before(async () => {
    api = await createMockApi({});
    // The second page is rate limited twice, the third fails once, the fourth is not found for good.
    proxy = await startFaultProxy(api.url, (url, seen) => {
      const offset = url.searchParams.get('offset');
      if (offset === '250' && seen < 2) return { status: 429, headers: { 'retry-after': '1' } };
      if (offset === '500' && seen === 0) return { status: 500 };
      if (offset === '750') return { status: 404, body: '{"message":"page gone"}' };
      return undefined;
    });
  });
  after(async () => {
    await proxy.close();
    await api.close();
  });

  it('counts retries, 429 waits and the bytes landed, and reports the failed page apart from progress', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const result = await runCli(
        APPS.local,
        windowArgs('sales', START, END, dir, '--concurrency', '2'),
        cleanEnv({ API_BASE_URL: proxy.url, LOG_FORMAT: 'pretty', RDC_PROGRESS_SECONDS: '1' }),
      );
      const pages = Math.ceil(api.idsInWindow('sales', new Date(START), new Date(END)).length / 250);
      expect(pages, 'the window spans more pages than the scripted ones').to.be.greaterThan(4);
      expect(proxy.scripted.get(429)).to.equal(2);
      expect(result.code, result.stderr).to.equal(1);

      const progress = result.stderr.split('\n').filter((line) => line.includes(' Progress '));
      expect(progress.length, 'a line a second while the 429s are waited out, and one at the end').to.be.at.least(2);
      // A dead-lettered page is a failure: no line may show the run as all done.
      for (const line of progress) expect(line).not.to.include(`${pages}/${pages} pages`);
      expect(progress.at(-1)).to.include(`Progress ${pages - 1}/${pages} pages done, 1 failed;`);
      expect(progress.at(-1)).to.match(
        / pages\/s, [\d,.]+ records\/s; elapsed \d+s; retries 1; 429 waits 2 \(2\.0 s\); /,
      );

      const out = result.stdout;
      expect(out).to.match(/^Run retail\.sales\.\S+ INCOMPLETE: 0 page\(s\) missing, 1 dead-lettered/);
      expect(out).to.include(`pages    ${pages - 1}/${pages} landed`);
      expect(out).to.match(/\n {2}FAILED {3}1 page\(s\) dead-lettered: \d+\n/);
      expect(out).to.match(/\n {2}retries {2}1; 429 waits 2 \(2\.0 s waited\)\n/);
      const onDisk = pageFileBytes(dir);
      expect(onDisk.bytes).to.be.greaterThan(0);
      expect(out).to.include(
        `\n  written  ${onDisk.bytes.toLocaleString('en-US')} bytes in ${onDisk.files} page files\n`,
      );
      expect(idsInFolder(dir)).to.have.length(api.idsInWindow('sales', new Date(START), new Date(END)).length - 250);
    } finally {
      cleanup();
    }
  });

  it('with JSON logs, progress lines carry the run id and counts as fields, and the --json summary the bytes on disk', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const result = await runCli(
        APPS.local,
        windowArgs('customers', START, END, dir, '--json'),
        cleanEnv({ API_BASE_URL: api.url, LOG_FORMAT: 'json' }),
      );
      expect(result.code, result.stderr).to.equal(0);
      const summary = JSON.parse(result.stdout) as Record<string, unknown>;
      const lines = result.stderr
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((entry) => String(entry.message).startsWith('Progress '));
      const last = lines.at(-1);
      expect(last).to.include({
        severity: 'INFO',
        runId: summary.runId,
        unit: 'pages',
        total: summary.pages,
        done: summary.pages,
        failed: 0,
        records: summary.records,
        retries: 0,
        rateLimitWaits: 0,
        bytesWritten: pageFileBytes(dir).bytes,
      });
      expect(summary).to.include({ retries: 0, rateLimitWaits: 0, bytesWritten: pageFileBytes(dir).bytes });
    } finally {
      cleanup();
    }
  });
});
