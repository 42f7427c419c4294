import { randomBytes } from 'node:crypto';
import {
  findPubSubEmulator as findEmulator,
  startPubSubEmulator as startEmulator,
  type RunningPubSubEmulator as RunningEmulator,
} from '@rdc/queues';

/**
 * The Pub/Sub emulator for integration tests: one per test file, started in `before`
 * and killed in `after`, or an already running one named by PUBSUB_EMULATOR_HOST.
 */

/** A name unique to one test, >= 3 characters as the emulator requires. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export interface EmulatorFixture {
  /** `host:port`, to pass as `apiEndpoint`. Set once `before` ran. */
  readonly host: string;
  /** A project id unique to the test file. */
  readonly projectId: string;
}

/**
 * `describe` with one emulator for the file. Without an emulator the tests are
 * pending (with the reason in the suite title), except under CI=true, where they fail.
 * PUBSUB_EMULATOR_HOST is never set by this helper: tests pass `apiEndpoint`.
 */
export function describeWithEmulator(title: string, fn: (emulator: EmulatorFixture) => void): Mocha.Suite {
  let host: string | undefined;
  let running: RunningEmulator | undefined;
  const fixture: EmulatorFixture = {
    get host(): string {
      if (!host) throw new Error('The Pub/Sub emulator is not started yet: use it from a hook or a test.');
      return host;
    },
    projectId: uniqueName('rdc-test'),
  };
  return describe(title, function () {
    before(async function () {
      this.timeout(60_000);
      const found = findEmulator();
      if (found.kind === 'missing') {
        if (process.env['CI'] === 'true') throw new Error(`${found.reason} (CI=true: the emulator tests must run).`);
        if (this.test?.parent) this.test.parent.title += ` [pending: ${found.reason}]`;
        console.warn(`  ${title}: skipped. ${found.reason}`);
        this.skip();
      }
      if (found.kind === 'running') {
        host = found.host;
        return;
      }
      running = await startEmulator(found.command);
      host = running.host;
    });

    // Registered after the file's own hooks, so its `after`s close clients while the emulator is up.
    fn(fixture);

    after(async function () {
      this.timeout(30_000);
      await running?.stop();
      running = undefined;
    });
  });
}
