import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError } from '@rdc/contracts';
import {
  fillTopology,
  loadTopology,
  parseStackArgs,
  parseTopology,
  TOPOLOGY_DEFAULTS,
  TOPOLOGY_FILE,
  type TopologyValues,
} from '@rdc/stack';
import { repoRoot } from '../support/cli.js';

const values: TopologyValues = {
  ...TOPOLOGY_DEFAULTS,
  PROJECT_ID: 'local-project',
  PUSH_ENDPOINT: 'http://127.0.0.1:9/',
};

describe('stack: the Pub/Sub topology, one definition', () => {
  it('push mode: both topics, the dead-letter subscription and the push subscription with its policies', () => {
    const calls = loadTopology('push', values);
    expect(calls.map((c) => c.path)).to.deep.equal([
      'topics/rdc-pages',
      'topics/rdc-pages-dead',
      'subscriptions/rdc-pages-dead-sub',
      'subscriptions/rdc-pages-push',
    ]);
    const push = JSON.parse(calls[3]!.body) as Record<string, unknown>;
    expect(push).to.deep.equal({
      topic: 'projects/local-project/topics/rdc-pages',
      pushConfig: { pushEndpoint: 'http://127.0.0.1:9/' },
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoff: '10s', maximumBackoff: '600s' },
      deadLetterPolicy: { deadLetterTopic: 'projects/local-project/topics/rdc-pages-dead', maxDeliveryAttempts: 5 },
    });
  });

  it('pull mode: a pull subscription with the same policies, and no push subscription', () => {
    const calls = loadTopology('pull', values);
    expect(calls.map((c) => c.path).at(-1)).to.equal('subscriptions/rdc-pages-pull');
    expect(calls.some((c) => c.path.includes('push'))).to.equal(false);
    const pull = JSON.parse(calls.at(-1)!.body) as Record<string, unknown>;
    expect(pull).to.not.have.property('pushConfig');
    expect(pull).to.have.nested.property('deadLetterPolicy.maxDeliveryAttempts', 5);
  });

  it('names the file and line of a malformed entry, and a placeholder without a value', () => {
    expect(() => parseTopology('# x\nsometimes topics/a {}\n', 'topology.txt')).to.throw(ConfigError, 'topology.txt:2');
    const calls = parseTopology('all topics/{{NOPE}} {}', 'topology.txt');
    expect(() => fillTopology(calls, 'pull', values)).to.throw(ConfigError, '{{NOPE}}');
  });

  it('docker/init-emulators.sh reads the same file and spells out no subscription of its own', () => {
    const script = readFileSync(join(repoRoot, 'docker/init-emulators.sh'), 'utf8');
    expect(script).to.include('pubsub-topology.txt');
    expect(script).to.not.match(/pushConfig|deadLetterPolicy|retryPolicy/);
    expect(TOPOLOGY_FILE).to.equal(join(repoRoot, 'docker/pubsub-topology.txt'));
    const compose = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
    expect(compose).to.include('./docker/pubsub-topology.txt:/init/pubsub-topology.txt:ro');
  });
});

describe('stack: arguments', () => {
  const base = ['--service', 'retail', '--endpoint', 'sales'];

  it('defaults to 2 pull workers and ./data, and passes the window on to the planner', () => {
    const args = parseStackArgs([...base, '--start_date', '2024-07-01', '--gzip'], {});
    expect(args).to.include({ help: false, workers: 2, mode: 'pull', sink: './data', timeoutMs: 600_000 });
    if (args.help) throw new Error('unreachable');
    expect(args.plannerArgs).to.deep.equal([...base, '--start-date', '2024-07-01']);
    expect(args.workerArgs).to.deep.equal(['--gzip']);
  });

  it('rejects bad values, naming the flag and the value', () => {
    expect(() => parseStackArgs([...base, '--workers', '0'], {})).to.throw(
      ConfigError,
      '--workers must be a whole number from 1 to 16, got "0"',
    );
    expect(() => parseStackArgs([...base, '--mode', 'both'], {})).to.throw(ConfigError, '--mode must be pull or push');
    expect(() => parseStackArgs(['--service', 'retail'], {})).to.throw(
      ConfigError,
      '--service and --endpoint are required',
    );
    expect(() => parseStackArgs([...base, '--queue', 'memory'], {})).to.throw(ConfigError, 'Unknown flag --queue');
    expect(() => parseStackArgs([...base, '--worker', '3'], {})).to.throw(ConfigError, 'Did you mean --workers?');
  });
});
