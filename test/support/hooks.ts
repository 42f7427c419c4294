import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';

/**
 * Root hooks for every test file: a sinon sandbox restored after each test, and a
 * check that no test leaks a server, socket or child process.
 */
const baseline = new Set<unknown>();

function activeHandles(): unknown[] {
  const getter = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles;
  return getter ? getter.call(process) : [];
}

function isLeak(handle: unknown): boolean {
  const name = (handle as { constructor?: { name?: string } }).constructor?.name ?? '';
  if (name === 'Server') return (handle as { listening?: boolean }).listening === true;
  if (name === 'ChildProcess') return (handle as { exitCode: number | null }).exitCode === null;
  return false;
}

export const mochaHooks = {
  beforeAll(): void {
    for (const h of activeHandles()) baseline.add(h);
  },
  afterEach(this: Mocha.Context): void {
    sinon.restore();
  },
  afterAll(): void {
    const leaked = activeHandles().filter((h) => !baseline.has(h) && isLeak(h));
    if (leaked.length > 0) {
      const names = leaked.map((h) => (h as { constructor?: { name?: string } }).constructor?.name).join(', ');
      throw new Error(
        `Tests leaked ${leaked.length} open handle(s): ${names}. Close every server and process a test starts.`,
      );
    }
  },
};

/** A fresh temporary folder; removed by the returned cleanup function. */
export function tempDir(prefix = 'rdc-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
