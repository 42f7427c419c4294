import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, editDistance } from '@rdc/contracts';
import { parseLocalArgs, LOCAL_HELP } from '@rdc/local';
import { parseLogSettings } from '@rdc/logging';
import { parsePlannerArgs, PLANNER_HELP } from '@rdc/planner';
import { parseFlags, COMMON_FLAGS } from '@rdc/runtime';
import { suggestFlag } from '@rdc/runtime/flags.js';
import { parseWorkerConfig, WORKER_HELP } from '@rdc/worker';
import { tempDir } from '../support/hooks.js';

const RUN_ID = 'retail.sales.20240701T000000Z-20241101T000000Z';
const base = ['--service', 'retail', '--endpoint', 'sales'];

/** The ConfigError message a parse throws (fails the test when it does not throw one). */
function refusal(parse: () => unknown): string {
  try {
    parse();
  } catch (error) {
    expect(error, 'a bad argument is a ConfigError (exit 2)').to.be.instanceOf(ConfigError);
    return (error as Error).message;
  }
  expect.fail('expected the arguments to be refused');
}

const local = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseLocalArgs(argv, env);
const planner = (argv: string[], env: NodeJS.ProcessEnv = {}) => parsePlannerArgs(argv, env);
const worker = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  parseWorkerConfig(argv, { RDC_PUSH_AUTH: 'off', RDC_SINK: 'gs://bucket-one', ...env });

describe('command-line flags', () => {
  describe('spellings', () => {
    it('accepts every flag in kebab-case and in the snake_case spelling of earlier releases', () => {
      const dates = ['2024-07-01', '2024-08-01'];
      for (const spelling of [
        ['--start-date', '--end-date', '--end-granularity', '--max-attempts', '--config-dir'],
        ['--start_date', '--end_date', '--end_granularity', '--max_attempts', '--config_dir'],
      ]) {
        const [start, end, gran, attempts, configDir] = spelling as [string, string, string, string, string];
        const command = local([...base, start, dates[0]!, end, dates[1]!, gran, '1d', attempts, '3', configDir, 'x']);
        expect(command.kind).to.equal('run');
        if (command.kind !== 'run') return;
        expect(command.args.startDate?.toISOString()).to.equal('2024-07-01T00:00:00.000Z');
        expect(command.args.endDate?.toISOString()).to.equal('2024-08-01T00:00:00.000Z');
        expect(command.args.endGranularityMs).to.equal(86_400_000);
        expect(command.args.maxAttempts).to.equal(3);
        expect(command.args.configDir).to.equal('x');
      }
    });

    it('refuses a flag given twice, under the same or another spelling', () => {
      expect(refusal(() => local([...base, '--service', 'retail']))).to.match(/--service is given twice/);
      expect(refusal(() => local([...base, '--start-date', '2024-01-01', '--start_date', '2024-01-02']))).to.match(
        /--start-date and --start_date are given twice/,
      );
      expect(refusal(() => planner([...base, '--json', '--json']))).to.match(/--json is given twice/);
      expect(refusal(() => worker(['--sink', 'gs://b-one', '--sink', 'gs://b-two']))).to.match(/--sink/);
    });

    it('suggests the flag an unknown one was probably meant to be', () => {
      expect(refusal(() => local([...base, '--start-dat', '2024-01-01']))).to.match(
        /Unknown flag --start-dat\. Did you mean --start-date\?/,
      );
      expect(refusal(() => planner([...base, '--endDate', '2024-01-01']))).to.match(/Did you mean --end-date\?/);
      expect(refusal(() => worker(['--concurency', '4']))).to.match(/Did you mean --concurrency\?/);
      expect(refusal(() => local([...base, '--frobnicate']))).to.equal('Unknown flag --frobnicate. See --help.');
      expect(suggestFlag('--sevice', COMMON_FLAGS)).to.equal('--service');
      expect(editDistance('kitten', 'sitting')).to.equal(3);
    });

    it('refuses a string flag without its value and a boolean flag with one', () => {
      expect(refusal(() => local([...base, '--sink']))).to.match(/--sink needs a value/);
      expect(refusal(() => local([...base, '--sink', '--json']))).to.match(/--sink needs a value/);
      expect(refusal(() => local([...base, '--gzip=yes']))).to.match(/--gzip takes no value/);
      expect(parseFlags(['--sink=-x'], COMMON_FLAGS).values.sink, 'an inline value is taken as given').to.equal('-x');
    });

    it('--help shows the kebab-case spelling and one line on the aliases', () => {
      for (const help of [LOCAL_HELP, PLANNER_HELP]) {
        expect(help).to.include('--start-date <iso>').and.include('--end-granularity <dur>');
        expect(help).not.to.match(/--start_date <|--end_date <|--end_granularity </);
        expect(help).to.match(/also accepted in snake_case \(--start_date/);
      }
      expect(LOCAL_HELP).to.include('--max-attempts <n>');
      expect(WORKER_HELP).to.match(/snake_case/);
    });
  });

  describe('numbers', () => {
    for (const bad of ['0x10', '1e2', '8.0', ' 8', '-1', '']) {
      it(`refuses ${JSON.stringify(bad)}, naming the flag or variable`, () => {
        expect(refusal(() => local([...base, '--concurrency', bad]))).to.match(/^--concurrency /);
        expect(refusal(() => local([...base, '--max_attempts', bad]))).to.match(/^--max_attempts /);
        if (bad !== '') {
          expect(refusal(() => local(base, { RDC_CONCURRENCY: bad }))).to.match(/^RDC_CONCURRENCY /);
          expect(refusal(() => worker([], { PORT: bad }))).to.match(/^PORT /);
        }
      });
    }

    it('takes plain decimal integers inside their range', () => {
      const command = local([...base, '--concurrency', '16'], { RDC_CONCURRENCY: '4' });
      expect(command.kind === 'run' && command.args.concurrency).to.equal(16);
      expect(refusal(() => local([...base, '--concurrency', '0']))).to.match(
        /--concurrency 0 is out of range; use 1 to 256/,
      );
    });
  });

  describe('--resume', () => {
    it('takes service and endpoint from the run id', () => {
      const command = local(['--resume', RUN_ID]);
      expect(command.kind === 'run' && [command.args.service, command.args.endpoint]).to.deep.equal([
        'retail',
        'sales',
      ]);
      expect(local(['--resume', RUN_ID, '--endpoint', 'sales']).kind, 'repeating the endpoint is fine').to.equal('run');
    });

    it('refuses a value that is not a run id, naming --resume', () => {
      expect(refusal(() => local(['--resume', 'garbage']))).to.match(/^--resume: "garbage" is not a run id/);
    });

    it('refuses window flags, naming the flag', () => {
      for (const flag of ['--start-date', '--end_date', '--lookback', '--slice', '--end-granularity']) {
        const value = flag.includes('date') ? '2024-01-01' : '1h';
        expect(refusal(() => local(['--resume', RUN_ID, flag, value]))).to.match(
          new RegExp(`^${flag} cannot be combined with --resume`),
        );
      }
    });

    it('refuses a service or endpoint that contradicts the run id', () => {
      expect(refusal(() => local(['--endpoint', 'customers', '--resume', RUN_ID]))).to.match(
        /--endpoint customers contradicts --resume/,
      );
      expect(refusal(() => local(['--service', 'shop', '--resume', RUN_ID]))).to.match(/--service shop contradicts/);
    });
  });

  describe('status', () => {
    it('accepts a run id, <service>/<endpoint> [latest | <runId>], --wait with --timeout', () => {
      expect(local(['status', RUN_ID]).kind).to.equal('status');
      expect(local(['status', 'retail/sales', 'latest', '--json']).kind).to.equal('status');
      expect(local(['status', 'retail/sales']).kind).to.equal('status');
      expect(local(['status', 'retail/sales', RUN_ID, '--wait', '--timeout', '10m']).kind).to.equal('status');
    });

    it('status --help is the help of status, not of npm start', () => {
      expect(local(['status', '--help']).kind).to.equal('status-help');
      expect(local(['status', RUN_ID, '-h']).kind).to.equal('status-help');
      expect(local(['--help']).kind).to.equal('help');
    });

    it('refuses anything else as a config error', () => {
      expect(refusal(() => local(['status', 'foo']))).to.match(/^status: "foo" is not a run id/);
      expect(refusal(() => local(['status']))).to.match(
        /^status needs an endpoint or a run: <service>\/<endpoint>, or a run id\.\nUsage: npm run status -- <service>\/<endpoint>/,
      );
      expect(refusal(() => local(['status', RUN_ID, 'extra']))).to.match(/Usage: status/);
      expect(refusal(() => local(['status', 'retail', 'latest']))).to.match(/Usage: status/);
      expect(refusal(() => local(['status', RUN_ID, '--concurrency', '4']))).to.match(/status takes no --concurrency/);
      expect(refusal(() => local(['status', RUN_ID, '--wait', '--timeout', '5x']))).to.match(/^--timeout "5x"/);
      expect(refusal(() => local([...base, '--wait']))).to.match(/^--wait goes with status/);
    });
  });

  describe('env values', () => {
    it('names the variable, not the flag, when an env value is bad', () => {
      expect(refusal(() => local(base, { RDC_END_GRANULARITY: '5x' }))).to.match(/^RDC_END_GRANULARITY "5x"/);
      expect(refusal(() => local([...base, '--end-granularity', '5x']))).to.match(/^--end-granularity "5x"/);
      expect(refusal(() => planner(base, { RDC_QUEUE: 'kafka' }))).to.match(/^RDC_QUEUE "kafka" is invalid/);
      expect(refusal(() => planner(base, { RDC_TOPIC: '1x' }))).to.match(/^RDC_TOPIC /);
      expect(refusal(() => planner(base, { RDC_GZIP: 'yes' }))).to.match(/^RDC_GZIP must be/);
      expect(refusal(() => worker([], { RDC_WORKER_MODE: 'poll' }))).to.match(/^RDC_WORKER_MODE "poll"/);
      expect(refusal(() => worker([], { RDC_ACK_DEADLINE_SECONDS: '1e2' }))).to.match(/^RDC_ACK_DEADLINE_SECONDS/);
      expect(refusal(() => worker([], { RDC_PUSH_AUTH: 'maybe' }))).to.match(/^RDC_PUSH_AUTH "maybe"/);
    });

    it('refuses a bad LOG_LEVEL or LOG_FORMAT, naming the variable', () => {
      expect(refusal(() => parseLogSettings({ LOG_LEVEL: 'verbose' }))).to.match(/^LOG_LEVEL must be/);
      expect(refusal(() => parseLogSettings({ LOG_FORMAT: 'xml' }))).to.match(/^LOG_FORMAT must be json or pretty/);
      expect(refusal(() => local(base, { LOG_FORMAT: 'xml' }))).to.match(/LOG_FORMAT/);
      expect(refusal(() => worker([], { LOG_LEVEL: 'verbose' }))).to.match(/LOG_LEVEL/);
      expect(parseLogSettings({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' })).to.deep.equal({
        level: 'debug',
        format: 'json',
      });
    });
  });

  describe('the sink', () => {
    it('refuses a regular file or a device, naming where the value came from', () => {
      const tmp = tempDir('rdc-cli-sink-');
      after(tmp.cleanup);
      const file = join(tmp.dir, 'a-file');
      writeFileSync(file, 'x');
      expect(refusal(() => local([...base, '--sink', file]))).to.match(/^--sink .* is a regular file, not a folder/);
      expect(refusal(() => local(base, { RDC_SINK: '/dev/null' }))).to.match(/^RDC_SINK \/dev\/null is a device/);
      expect(refusal(() => local([...base, '--sink', join(file, 'data')]))).to.match(
        /^--sink .*a-file\/data cannot be a folder \(ENOTDIR/,
      );
      expect(refusal(() => worker(['--sink', file]))).to.match(/^--sink .* regular file/);
      expect(refusal(() => local(['status', RUN_ID, '--sink', file]))).to.match(/regular file/);
      expect(refusal(() => planner([...base, '--sink', 'ftp://x']))).to.match(/^--sink: Invalid sink URL/);
    });
  });
});
