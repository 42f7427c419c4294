import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/**
 * The Pub/Sub emulator for S1 (c) and S3: the one PUBSUB_EMULATOR_HOST names, or
 * one started on a free loopback port and stopped at the end (the same search as
 * test/support/pubsub-emulator.ts).
 */
export interface Emulator {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** What it is, for the report. */
  description: string;
  stop(): Promise<void>;
}

const ROOTS = ['/usr/lib/google-cloud-sdk', '/usr/share/google-cloud-sdk', '/opt/google-cloud-sdk'];
const BIN = join('platform', 'pubsub-emulator', 'bin', 'cloud-pubsub-emulator');

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The emulator command, or why there is none. */
export function findEmulator(): { command: string } | { missing: string } {
  const roots = [process.env.CLOUDSDK_ROOT_DIR, ...ROOTS].filter((r): r is string => Boolean(r));
  const command = roots.map((root) => join(root, BIN)).find(executable);
  if (!command) {
    return { missing: `no Pub/Sub emulator in ${roots.join(', ')} (install google-cloud-cli-pubsub-emulator)` };
  }
  const java =
    process.env.JAVA_HOME || (process.env.PATH ?? '').split(delimiter).some((d) => executable(join(d, 'java')));
  if (!java) return { missing: `the Pub/Sub emulator at ${command} needs Java` };
  return { command };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/v1/projects/ready/topics', agent: false, timeout: 1000 },
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

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // its own group: the launcher script and java
  } catch {
    // already gone
  }
}

/** Uses PUBSUB_EMULATOR_HOST if set, else starts the emulator and waits until it answers. */
export async function startEmulator(timeoutMs = 60_000): Promise<Emulator> {
  const running = process.env.PUBSUB_EMULATOR_HOST;
  if (running) return { host: running, description: `already running at ${running}`, stop: () => Promise.resolve() };
  const found = findEmulator();
  if ('missing' in found) throw new Error(found.missing);
  const port = await freePort();
  const child = spawn(found.command, ['--host=127.0.0.1', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  const onExit = (): void => killGroup(child, 'SIGKILL');
  process.on('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    const gone = new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve()),
    );
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`the Pub/Sub emulator on port ${port} did not answer within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { host: `127.0.0.1:${port}`, description: found.command, stop };
}
