import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServices, silentLog } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { createHostileApi, type HostileApi, type HostileMode } from '../support/hostile-api.js';
import { APPS, cleanEnv, repoRoot, runCli, startCli, stopChild } from '../support/cli.js';
import { RecordingPublisher } from '../support/fakes.js';
import { tempDir } from '../support/hooks.js';

/**
 * `status` over real runs in a folder sink, through the real CLI: each state a
 * run can be in, the endpoint's list, `latest`, `--json` and `--wait`.
 * 500 records 5 minutes apart, 100 a page: [Jan 1, Jan 3) is 5 pages, [Jan 1, Jan 2) 3.
 */
const CONFIG_DIR = join(repoRoot, 'test/fixtures/hostile');
const JAN1 = '2024-01-01T00:00:00.000Z';
const JAN2 = '2024-01-02T00:00:00.000Z';
const JAN3 = '2024-01-03T00:00:00.000Z';
const RUN = 'hostile.sales.20240101T000000Z-20240103T000000Z';

interface RunJson {
  v: number;
  kind: string;
  runId: string;
  state: string;
  reason: string | null;
  records: number | null;
  expectedPages: number;
  landedPages: number;
  missingPages: number[];
  deadLetteredPages: number[];
  deadLetterReasons: { error: string; reason: string; count: number; pages: number[] }[];
  watermark: { end: string } | null;
  timedOut: boolean;
}

describe('status: an endpoint’s runs, one run’s state, --json and --wait', function () {
  this.timeout(90_000);
  let api: HostileApi | undefined;
  let sink: { dir: string; cleanup: () => void };
  const env = () => cleanEnv({ API_BASE_URL: api!.url, LOG_LEVEL: 'error' });
  const common = () => ['--config-dir', CONFIG_DIR, '--sink', sink.dir];
  const land = (start: string, end: string, ...more: string[]) =>
    runCli(
      APPS.local,
      ['--service', 'hostile', '--endpoint', 'sales', '--start_date', start, '--end_date', end, ...more, ...common()],
      env(),
      60_000,
    );
  const status = (...args: string[]) => runCli(APPS.local, ['status', ...args, ...common()], env(), 60_000);
  const statusJson = async (...args: string[]) => {
    const result = await status(...args, '--json');
    return { code: result.code, doc: JSON.parse(result.stdout) as RunJson, stderr: result.stderr };
  };

  /** Plans [JAN1, JAN3) as the planner does, `ageMs` ago; the pages are published to nobody. */
  async function planOnly(ageMs: number): Promise<void> {
    const catalog = loadServices(CONFIG_DIR);
    const sources = createSourceRegistry(catalog, { env: { API_BASE_URL: api!.url } });
    try {
      await planRun(
        {
          service: 'hostile',
          endpoint: 'sales',
          start: new Date(JAN1),
          end: new Date(JAN3),
          now: new Date(Date.now() - ageMs),
          endGranularityMs: 3_600_000,
        },
        {
          catalog,
          source: sources.sourceFor('hostile'),
          sink: new FileSink(sink.dir),
          publisher: new RecordingPublisher(),
          log: silentLog,
        },
      );
    } finally {
      sources.close();
    }
  }

  async function startApi(mode: HostileMode = 'healthy'): Promise<void> {
    api = await createHostileApi({ records: 500, stepMs: 300_000, mode });
  }

  beforeEach(() => {
    sink = tempDir('rdc-status-');
  });
  afterEach(async () => {
    await api?.close();
    api = undefined;
    sink.cleanup();
  });

  it('sealed: the list and the run say sealed, with records and the watermark; exit 0', async () => {
    await startApi();
    expect((await land(JAN1, JAN3)).code).to.equal(0);
    const list = await status('hostile/sales');
    expect(list.code, list.stderr).to.equal(0);
    expect(list.stdout).to.include(`Watermark    ${JAN3} (run ${RUN})`);
    expect(list.stdout).to.match(new RegExp(`${RUN.replace(/\./g, '\\.')} {2}sealed\\n`));
    expect(list.stdout).to.include('500 records; 5 landed, 0 dead-lettered, 0 missing of 5 pages');
    const { code, doc } = await statusJson(RUN);
    expect(code).to.equal(0);
    expect(doc).to.include({ v: 1, kind: 'run', runId: RUN, state: 'sealed', reason: null, records: 500 });
    expect(doc.watermark?.end).to.equal(JAN3);
  });

  it('dead-lettered: nothing in flight, the reasons grouped from the dead-letter records; exit 1', async () => {
    await startApi('invalid-utf8');
    expect((await land(JAN1, JAN3, '--max-attempts', '1')).code).to.equal(1);
    const text = await status(RUN);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.include('State        dead-lettered: nothing left in flight');
    expect(text.stdout).to.match(/Reason {7}4 pages \(2-5\): PermanentError: .*not valid UTF-8/);
    expect(text.stdout).to.include(`Remedy       npm start -- --resume ${RUN}`);
    const { code, doc } = await statusJson('hostile/sales', 'latest');
    expect(code).to.equal(1);
    expect(doc.state).to.equal('dead-lettered');
    expect(doc.deadLetteredPages).to.deep.equal([2, 3, 4, 5]);
    expect(doc.deadLetterReasons).to.have.length(1);
    expect(doc.deadLetterReasons[0]).to.include({ error: 'PermanentError', count: 4 });
    expect(doc.deadLetterReasons[0]!.pages).to.deep.equal([2, 3, 4, 5]);
    expect(doc.records, 'the first page landed').to.equal(100);
  });

  it('not sealed by integrity: every page landed, the records do not add up; exit 1 naming --repair', async () => {
    await startApi('ignore-offset');
    expect((await land(JAN1, JAN3, '--max-attempts', '1')).code).to.equal(1);
    const text = await status('hostile/sales');
    expect(text.code).to.equal(1);
    expect(text.stdout).to.match(/ {2}not-sealed-integrity\n/);
    expect(text.stdout).to.include('not sealed: every page landed, but the records do not add up');
    const { code, doc } = await statusJson(RUN);
    expect(code).to.equal(1);
    expect(doc.state).to.equal('not-sealed-integrity');
    expect(doc.reason).to.match(/ignored the offset/);
  });

  it('running: planned just now, pages in flight; incomplete: planned hours ago, nothing landed since; both exit 1', async () => {
    await startApi();
    await planOnly(0);
    const running = await statusJson(RUN);
    expect(running.code).to.equal(1);
    expect(running.doc).to.include({ state: 'running', landedPages: 0 });
    expect(running.doc.missingPages).to.deep.equal([1, 2, 3, 4, 5]);

    sink.cleanup();
    sink = tempDir('rdc-status-');
    await planOnly(2 * 3_600_000);
    const text = await status('hostile/sales', 'latest');
    expect(text.code).to.equal(1);
    expect(text.stdout).to.include('State        incomplete');
    expect(text.stdout).to.match(/Sealed {7}no: 5 pages missing; nothing landed since .*resume the run/);
  });

  it('latest is the run planned last, not the one the run ids or the latest pointer name: a backfill behind the watermark that failed exits 1', async () => {
    await startApi();
    expect((await land(JAN2, JAN3)).code).to.equal(0);
    api!.mode = 'invalid-utf8';
    expect((await land(JAN1, JAN2, '--max-attempts', '1')).code).to.equal(1);
    const latest = await status('hostile/sales', 'latest');
    expect(latest.code, 'the run just finished is not sealed').to.equal(1);
    expect(latest.stdout).to.include('Run          hostile.sales.20240101T000000Z-20240102T000000Z');
    const list = await statusJson('hostile/sales');
    const doc = list.doc as unknown as { runs: RunJson[] };
    expect(doc.runs.map((r) => [r.runId, r.state])).to.deep.equal([
      ['hostile.sales.20240101T000000Z-20240102T000000Z', 'dead-lettered'],
      ['hostile.sales.20240102T000000Z-20240103T000000Z', 'sealed'],
    ]);
    expect(list.code, 'the list exits as its last planned run').to.equal(1);

    // A sink planned before the run planned last was recorded: the manifests' plan times decide.
    rmSync(join(sink.dir, '_rdc/state/hostile/sales/planned-last.json'));
    const scanned = await status('hostile/sales', 'latest');
    expect(scanned.code).to.equal(1);
    expect(scanned.stdout).to.include('Run          hostile.sales.20240101T000000Z-20240102T000000Z');
  });

  it('--wait returns once the run seals while it waits (exit 0)', async () => {
    await startApi();
    await planOnly(0);
    const waiting = startCli(APPS.local, ['status', RUN, '--wait', '--timeout', '60s', ...common()], env());
    // Listened for at once: the wait may end before the run that seals it has exited.
    const exited = new Promise<number | null>((resolve) => waiting.child.once('exit', resolve));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(waiting.child.exitCode, 'still waiting for the pages').to.equal(null);
      expect((await land(JAN1, JAN3)).code).to.equal(0);
      const code = await exited;
      expect(code, waiting.output()).to.equal(0);
      expect(waiting.output()).to.include('waiting: run').and.include('State        sealed');
    } finally {
      await stopChild(waiting.child);
    }
  });

  it('--wait --timeout: exit 1 with a line saying what is still missing', async () => {
    await startApi();
    await planOnly(0);
    const started = Date.now();
    const result = await status(RUN, '--wait', '--timeout', '1s');
    expect(result.code).to.equal(1);
    expect(Date.now() - started).to.be.below(20_000);
    expect(result.stderr).to.match(/Timed out after 1 s: run .* 0\/5 pages landed, 0 dead-lettered, 5 missing \(1-5\)/);
  });

  it('bad arguments exit 2 at once: a path, a run of another endpoint, a run never planned, --timeout without --wait', async () => {
    await startApi();
    for (const [args, message] of [
      [['../..'], /status "\.\.\/\.\.": "\.\." is not a service or endpoint name/],
      [['hostile/sales', 'retail.sales.20240101T000000Z-20240103T000000Z'], /that run is of retail\/sales/],
      [['hostile/sales', RUN], /has no manifest in .*status hostile\/sales` lists its runs/],
      [['hostile/nope'], /No run of hostile\/nope has been planned/],
      [[RUN, '--timeout', '5s'], /--timeout goes with --wait/],
      [['hostile/sales', '--wait'], /--wait follows one run or backfill/],
    ] as const) {
      const result = await status(...args);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
  });
});
