import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APPS, cleanEnv, filesIn, runCli } from '../support/cli.js';
import { tempDir } from '../support/hooks.js';

/**
 * Every argument or config error exits 2 by itself, promptly, naming the flag or
 * variable. `runCli` kills a child still running at the bound and fails the test,
 * so a CLI that prints its error and then hangs (a server left open) fails here.
 */
const EXIT_BOUND_MS = 8_000;
const RUN_ID = 'retail.sales.20240701T000000Z-20241101T000000Z';
const base = ['--service', 'retail', '--endpoint', 'sales'];

type Case = [what: string, app: keyof typeof APPS, args: string[], env: Record<string, string>, message: RegExp];

describe('CLI argument and config errors exit 2 promptly', function () {
  this.timeout(30_000);
  const tmp = tempDir('rdc-cli-exits-');
  const sink = join(tmp.dir, 'sink');
  const file = join(tmp.dir, 'a-file');
  writeFileSync(file, 'not a folder');
  after(tmp.cleanup);

  const worker = { RDC_PUSH_AUTH: 'off', RDC_SINK: sink };
  const cases: Case[] = [
    // npm start: these used to print the error and hang, the bundled mock left open.
    ['npm start, unknown service', 'local', ['--service', 'shop', '--endpoint', 'sales'], {}, /Unknown service "shop"/],
    ['npm start, unknown endpoint', 'local', ['--service', 'retail', '--endpoint', 'nope'], {}, /Unknown endpoint/],
    ['npm start, missing --config-dir', 'local', [...base, '--config-dir', join(tmp.dir, 'none')], {}, /config folder/],
    ['npm start, sink is a file', 'local', [...base, '--sink', file], {}, /^error: --sink .* is a regular file/],
    ['npm start, sink is a device', 'local', [...base], { RDC_SINK: '/dev/null' }, /^error: RDC_SINK \/dev\/null/],
    [
      'npm start, an error after the bundled mock started',
      'local',
      [...base, '--start_date', '2024-02-01', '--end_date', '2024-01-01'],
      {},
      /window is empty/,
    ],
    ['npm start, flag twice', 'local', [...base, '--json', '--json'], {}, /--json is given twice/],
    ['npm start, unknown flag', 'local', [...base, '--start-dat', 'x'], {}, /Did you mean --start-date\?/],
    ['npm start, hex number', 'local', [...base, '--concurrency', '0x10'], {}, /--concurrency "0x10"/],
    ['npm start, env number', 'local', base, { RDC_CONCURRENCY: '1e2' }, /^error: RDC_CONCURRENCY "1e2"/],
    ['npm start, bad env duration', 'local', base, { RDC_END_GRANULARITY: '5x' }, /^error: RDC_END_GRANULARITY/],
    ['npm start, --resume not a run id', 'local', ['--resume', 'garbage'], {}, /--resume: "garbage" is not a run id/],
    [
      'npm start, --resume with a window flag',
      'local',
      ['--resume', RUN_ID, '--start_date', '2024-01-01'],
      {},
      /--start_date cannot be combined with --resume/,
    ],
    [
      'npm start, --resume of another endpoint',
      'local',
      ['--endpoint', 'customers', '--resume', RUN_ID],
      {},
      /--endpoint customers contradicts --resume/,
    ],
    ['npm start, LOG_LEVEL', 'local', base, { LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be/],
    ['npm start, LOG_FORMAT', 'local', base, { LOG_FORMAT: 'xml' }, /LOG_FORMAT must be json or pretty/],
    ['status, not a run id', 'local', ['status', 'foo'], {}, /status: "foo" is not a run id/],
    ['planner, unknown endpoint', 'planner', ['--service', 'retail', '--endpoint', 'nope'], {}, /Unknown endpoint/],
    ['planner, no project', 'planner', [...base, '--sink', sink], {}, /PUBSUB_EMULATOR_HOST/],
    ['planner, env queue', 'planner', base, { RDC_QUEUE: 'kafka' }, /^error: RDC_QUEUE "kafka"/],
    ['worker, unknown flag', 'worker', ['--bogus'], worker, /^error: Unknown flag --bogus/],
    ['worker, flag twice', 'worker', ['--mode', 'pull', '--mode', 'push'], worker, /--mode is given twice/],
    ['worker, env number', 'worker', [], { ...worker, PORT: '0x50' }, /^error: PORT "0x50"/],
    ['worker, LOG_FORMAT', 'worker', [], { ...worker, LOG_FORMAT: 'xml' }, /LOG_FORMAT must be/],
    ['worker, sink is a file', 'worker', ['--sink', file], worker, /--sink .* is a regular file/],
  ];

  for (const [what, app, args, env, message] of cases) {
    it(`${what}: exit 2, names it, no stack trace`, async () => {
      const started = Date.now();
      const result = await runCli(APPS[app], args, cleanEnv(env), EXIT_BOUND_MS);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.match(message);
      expect(result.stderr, 'no stack trace').not.to.match(/\n\s+at /);
      expect(Date.now() - started).to.be.below(EXIT_BOUND_MS);
    });
  }

  it('leaves nothing in the sink when it refuses to start', async () => {
    const result = await runCli(APPS.local, [...base, '--sink', sink, '--lookback', '1x'], cleanEnv(), EXIT_BOUND_MS);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.match(/--lookback "1x"/);
    expect(filesIn(tmp.dir)).to.deep.equal(['a-file']);
  });

  it('the worker prints --help and exits 0 without a stack trace, whatever the env', async () => {
    const result = await runCli(APPS.worker, ['--help'], cleanEnv({ LOG_LEVEL: 'verbose' }), EXIT_BOUND_MS);
    expect(result.code).to.equal(0);
    expect(result.stdout).to.include('Usage: worker').and.include('HOST');
    expect(result.stderr).to.equal('');
  });
});
