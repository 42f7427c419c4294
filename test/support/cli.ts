import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { exactId } from '@rdc/contracts';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export const APPS = {
  local: join(repoRoot, 'apps/local/dist/main.js'),
  stack: join(repoRoot, 'apps/stack/dist/main.js'),
  planner: join(repoRoot, 'apps/planner/dist/main.js'),
  worker: join(repoRoot, 'apps/worker/dist/main.js'),
  mockApi: join(repoRoot, 'apps/mock-api/dist/main.js'),
} as const;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Env for child processes: the parent's, minus variables that would redirect them. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('RDC_') || key.startsWith('MOCK_') || key.endsWith('API_BASE_URL') || key === 'RETAIL_API_KEY')
      delete env[key];
  }
  delete env.PUBSUB_EMULATOR_HOST;
  delete env.STORAGE_EMULATOR_HOST;
  return { ...env, LOG_FORMAT: 'json', ...extra };
}

/** Runs a CLI to completion (bounded by `timeoutMs`). */
export function runCli(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts a long-running CLI (a worker); the caller stops it. */
export function startCli(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [script, ...args], { env, cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  return { child, output: () => output };
}

export function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  timeoutMs = 15_000,
): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Every record id in the page files under `dir` (a folder sink), in file order, duplicates kept. */
export function idsInFolder(dir: string, idField = 'id'): string[] {
  return walk(dir)
    .filter((f) => /\/page-[^/]+\.ndjson(\.gz)?$/.test(f))
    .sort()
    .flatMap((f) => {
      const raw = readFileSync(f);
      const text = (f.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      return (
        text
          .split('\n')
          .filter(Boolean)
          // Exact text: a 64-bit id read through JSON.parse alone would be rounded.
          .map((line) => exactId(JSON.parse(line) as Record<string, unknown>, idField, line))
      );
    });
}

export function filesIn(dir: string): string[] {
  return walk(dir)
    .map((f) => f.slice(dir.length + 1))
    .sort();
}

/** `--service retail --endpoint <endpoint> --start_date <start> --end_date <end> --sink <sink>`, then `more`. */
export function windowArgs(endpoint: string, start: string, end: string, sink: string, ...more: string[]): string[] {
  return [
    '--service',
    'retail',
    '--endpoint',
    endpoint,
    '--start_date',
    start,
    '--end_date',
    end,
    '--sink',
    sink,
    ...more,
  ];
}
