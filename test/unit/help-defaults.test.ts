import { expect } from 'chai';
import { formatDuration } from '@rdc/contracts';
import { DEFAULT_SLICE } from '@rdc/core';
import { LOCAL_HELP } from '@rdc/local';
import { PLANNER_HELP } from '@rdc/planner';
import { MEMORY_QUEUE_DEFAULTS } from '@rdc/queues';
import { RUN_DEFAULTS } from '@rdc/runtime';
import { STACK_DEFAULTS, STACK_HELP } from '@rdc/stack';
import { parseWorkerConfig, WORKER_DEFAULTS, WORKER_HELP } from '@rdc/worker';

/** --help prints each default from the value the parser applies, so the two cannot drift. */
describe('help texts print the defaults the parsers apply', () => {
  it('worker: every WORKER_DEFAULTS value, and the parser applies them', () => {
    for (const [key, value] of Object.entries(WORKER_DEFAULTS)) {
      expect(WORKER_HELP, key).to.include(`Default: ${value}`);
    }
    const parsed = parseWorkerConfig(['--sink', 'file:///tmp/x'], { RDC_PUSH_AUTH: 'off' });
    expect(parsed.help).to.equal(false);
    if (parsed.help) return;
    const { mode, port, concurrency, subscription, ackDeadlineSeconds, maxDeliveryAttempts } = parsed.config;
    const { maxBodyBytes, pushBodyTimeoutSeconds } = parsed.config;
    expect({
      mode,
      port,
      concurrency,
      subscription,
      ackDeadlineSeconds,
      maxDeliveryAttempts,
      maxBodyBytes,
      pushBodyTimeoutSeconds,
    }).to.deep.equal({
      mode: WORKER_DEFAULTS.mode,
      port: WORKER_DEFAULTS.port,
      concurrency: WORKER_DEFAULTS.concurrency,
      subscription: WORKER_DEFAULTS.subscription,
      ackDeadlineSeconds: WORKER_DEFAULTS.ackDeadlineSeconds,
      maxDeliveryAttempts: WORKER_DEFAULTS.maxDeliveryAttempts,
      maxBodyBytes: WORKER_DEFAULTS.maxBodyBytes,
      pushBodyTimeoutSeconds: WORKER_DEFAULTS.pushBodyTimeoutSeconds,
    });
  });

  it('planner and npm start: the run defaults and the default slice', () => {
    for (const help of [PLANNER_HELP, LOCAL_HELP]) {
      expect(help).to.match(new RegExp(`Default:? ${formatDuration(RUN_DEFAULTS.endGranularityMs)}\\b`));
      expect(help).to.include(`Default: ${RUN_DEFAULTS.lookbackMs}.`);
      expect(help).to.match(new RegExp(`Default:? ${RUN_DEFAULTS.sink.replace('.', '\\.')}\\b`));
      expect(help).to.include(`else ${DEFAULT_SLICE}.`);
    }
    expect(PLANNER_HELP).to.include(`Default: ${RUN_DEFAULTS.topic}`);
    expect(LOCAL_HELP).to.include(`(env RDC_CONCURRENCY). Default: ${MEMORY_QUEUE_DEFAULTS.concurrency}`);
    expect(LOCAL_HELP).to.include(`dead-lettered. Default: ${MEMORY_QUEUE_DEFAULTS.maxDeliveryAttempts}`);
  });

  it('npm run stack: every STACK_DEFAULTS value', () => {
    for (const [key, value] of Object.entries(STACK_DEFAULTS)) {
      expect(STACK_HELP, key).to.match(new RegExp(`[Dd]efault:?\\s+${String(value).replace('.', '\\.')}\\b`));
    }
  });
});
