import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { request } from 'node:http';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from '@rdc/contracts';

/**
 * Finds and starts Google's Pub/Sub emulator, for tests, benchmarks and local
 * runs of the planner and workers: on a free loopback port, in its own process
 * group, stopped by PID. Not used in production.
 */

const EMULATOR_BIN = join('platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator');
const INSTALL_HINT =
  'install it with `gcloud components install pubsub-emulator` or `apt-get install google-cloud-cli-pubsub-emulator` (needs Java), ' +
  'or point PUBSUB_EMULATOR_HOST at a running one';

export type PubSubEmulatorLocation =
  { kind: 'running'; host: string } | { kind: 'command'; command: string } | { kind: 'missing'; reason: string };

export interface RunningPubSubEmulator {
  /** `127.0.0.1:PORT`, for `apiEndpoint`. */
  host: string;
  stop(): Promise<void>;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** Cloud SDK roots worth a look, cheapest first; no `gcloud info` (it takes seconds). */
function sdkRoots(): string[] {
  const roots = [process.env['CLOUDSDK_ROOT_DIR']];
  const gcloud = onPath('gcloud');
  if (gcloud) {
    try {
      roots.push(dirname(dirname(realpathSync(gcloud)))); // <root>/bin/gcloud
    } catch {
      // a dangling link: ignore it
    }
  }
  roots.push('/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk');
  roots.push(join(homedir(), 'google-cloud-sdk'));
  return [...new Set(roots.filter((r): r is string => typeof r === 'string' && r !== ''))];
}

/** Where an emulator is: already running, a command to start, or why there is none. */
export function findPubSubEmulator(): PubSubEmulatorLocation {
  const host = process.env['PUBSUB_EMULATOR_HOST'];
  if (host) return { kind: 'running', host };
  const command = sdkRoots()
    .map((root) => join(root, EMULATOR_BIN))
    .find(isExecutable);
  if (!command) {
    return {
      kind: 'missing',
      reason: `No Pub/Sub emulator found (looked in ${sdkRoots().join(', ')}): ${INSTALL_HINT}.`,
    };
  }
  if (!process.env['JAVA_HOME'] && !onPath('java')) {
    return {
      kind: 'missing',
      reason: `The Pub/Sub emulator at ${command} needs Java, and none is on PATH or in JAVA_HOME.`,
    };
  }
  return { kind: 'command', command };
}

/** True once the emulator's REST side answers (it shares the port with gRPC). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/projects/ready-check/topics', agent: false, timeout: 1000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the whole group: the launcher script execs java, but be sure
  } catch {
    // already gone
  }
}

/** Starts `cloud-pubsub-emulator` on a free loopback port and waits until it answers. */
export async function startPubSubEmulator(command: string, timeoutMs = 30_000): Promise<RunningPubSubEmulator> {
  const port = await freePort();
  const child = spawn(command, [`--host=127.0.0.1`, `--port=${port}`], {
    detached: true, // its own process group, so stop() can kill java and the launcher together
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer): void => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 30));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // If mocha exits without running `after` (a crash, --bail), do not leave java behind.
  const onExit = (): void => killGroup(child, 'SIGKILL');
  process.on('exit', onExit);

  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    const gone = exited(child);
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };

  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once('error', (error) => (spawnError = error));
  while (!(await answers(port))) {
    if (spawnError || child.exitCode !== null || Date.now() > deadline) {
      await stop();
      const why =
        spawnError?.message ??
        (child.exitCode !== null ? `exited with ${child.exitCode}` : `not ready after ${timeoutMs} ms`);
      throw new Error(`Pub/Sub emulator ${command} on port ${port} ${why}. Last output:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: `127.0.0.1:${port}`, stop };
}
