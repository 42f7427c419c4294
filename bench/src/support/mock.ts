import { fork, type ChildProcess } from 'node:child_process';
import type { MockApiOptions, MockStats } from '@rdc/mock-server';
import { CHILDREN, REPO_ROOT } from './paths.js';
import type { MockReply, MockRequest } from './mock-protocol.js';

/** The mock API's options as the bench sets them (dates as ISO strings). */
export type MockSettings = Omit<Partial<MockApiOptions>, 'dataStart' | 'dataEnd'> & {
  dataStart?: string;
  dataEnd?: string;
};

/** A mock API running in its own process. */
export interface MockProcess {
  readonly url: string;
  readonly pid: number | undefined;
  /** Sales ids in [start, end), in the API's stable order. */
  ids(start: string, end: string): Promise<string[]>;
  count(start: string, end: string): Promise<number>;
  stats(): Promise<MockStats>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Op = MockRequest['op'];

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Forks the mock API with `settings` and resolves once it listens. */
export async function startMock(settings: MockSettings, timeoutMs = 60_000): Promise<MockProcess> {
  const child = fork(CHILDREN.mockApi, [JSON.stringify({ host: '127.0.0.1', port: 0, ...settings })], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const pending = new Map<number, Pending>();
  let nextId = 1;
  child.on('message', (reply: MockReply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.value);
    else waiter.reject(new Error(`mock API: ${reply.error}`));
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`mock API exited (${code}): ${stderr}`));
    pending.clear();
  });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mock API did not start within ${timeoutMs} ms: ${stderr}`));
    }, timeoutMs);
    pending.set(0, {
      resolve: (value) => {
        clearTimeout(timer);
        resolve(String(value));
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
  });

  const ask = <T>(op: Op, extra: { start?: string; end?: string } = {}): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      const request: MockRequest = op === 'ids' || op === 'count' ? { id, op, ...extra } : { id, op };
      child.send(request);
    });

  return {
    url,
    pid: child.pid,
    ids: (start, end) => ask<string[]>('ids', { start, end }),
    count: (start, end) => ask<number>('count', { start, end }),
    stats: () => ask<MockStats>('stats'),
    resetStats: () => ask<null>('reset').then(() => undefined),
    async close() {
      const gone = exited(child);
      if (child.connected) child.send({ op: 'close' });
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(killer);
    },
  };
}
