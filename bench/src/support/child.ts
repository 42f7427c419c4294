import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RSS_HOOK, REPO_ROOT } from './paths.js';

/** How a measured child process ended. */
export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  /** The last 16 KiB of stderr, for error messages. */
  stderrTail: string;
  /** Peak resident set size in MiB (the kernel's high-water mark), or undefined if unreadable. */
  peakRssMb: number | undefined;
  /** CPU time (user + system, every thread) in ms, when the child exited on its own or by a catchable signal. */
  cpuMs: number | undefined;
  /** Epoch ms when the process was spawned, and how long it ran. */
  startedAt: number;
  wallMs: number;
}

export interface ChildHandle {
  readonly pid: number | undefined;
  /** Settles when the process exits (never rejects). */
  readonly done: Promise<ChildResult>;
  /** Sends `signal`, then SIGKILL after `graceMs`; resolves with the result. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ChildResult>;
  /** Output so far (stdout then the stderr tail), for diagnostics. */
  output(): string;
}

export interface StartOptions {
  env: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long; the result has `timedOut`. */
  timeoutMs: number;
  /** A folder for the RSS file. */
  scratch: string;
  /** Flags for node itself, e.g. `--max-old-space-size=128`. */
  nodeArgs?: string[];
}

const TAIL = 16 * 1024;

/** The parent's environment without anything that would redirect a child (as the e2e tests do). */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(RDC_|MOCK_|BENCH_)/.test(key) || ['API_BASE_URL', 'RETAIL_API_KEY', 'PUBSUB_EMULATOR_HOST'].includes(key)) {
      delete env[key];
    }
  }
  delete env.STORAGE_EMULATOR_HOST;
  delete env.NODE_OPTIONS;
  return { ...env, LOG_FORMAT: 'json', ...extra };
}

function vmHwmMb(pid: number): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

function hooked(file: string): { rssMb?: number; cpuMs?: number } {
  try {
    const { maxRssKb, cpuMs } = JSON.parse(readFileSync(file, 'utf8')) as { maxRssKb: number; cpuMs?: number };
    return { rssMb: maxRssKb / 1024, ...(cpuMs !== undefined && { cpuMs }) };
  } catch {
    return {};
  } finally {
    rmSync(file, { force: true });
  }
}

let sequence = 0;

/**
 * Runs `node <script> <args>` with the RSS hook preloaded. The peak RSS is what the
 * child reports at exit; /proc VmHWM, polled every 200 ms, covers a child that is killed.
 */
export function startNode(script: string, args: string[], options: StartOptions): ChildHandle {
  const rssFile = join(options.scratch, `rss-${process.pid}-${++sequence}.json`);
  const startedAt = Date.now();
  const node = [...(options.nodeArgs ?? []), '--import', pathToFileURL(RSS_HOOK).href];
  const child = spawn(process.execPath, [...node, script, ...args], {
    cwd: REPO_ROOT,
    env: { ...options.env, BENCH_RSS_FILE: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-TAIL);
  });
  let polledMb: number | undefined;
  const poll = setInterval(() => {
    const now = child.pid === undefined ? undefined : vmHwmMb(child.pid);
    if (now !== undefined) polledMb = Math.max(polledMb ?? 0, now);
  }, 200);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);

  const done = new Promise<ChildResult>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearInterval(poll);
      clearTimeout(timer);
      const atExit = hooked(rssFile);
      const peaks = [atExit.rssMb, polledMb].filter((v): v is number => v !== undefined);
      resolve({
        code,
        signal,
        timedOut,
        stdout,
        stderrTail: stderr,
        peakRssMb: peaks.length > 0 ? Math.max(...peaks) : undefined,
        cpuMs: atExit.cpuMs,
        startedAt,
        wallMs: Date.now() - startedAt,
      });
    };
    child.once('error', (error) => {
      stderr += `\nspawn failed: ${error.message}`;
      finish(null, null);
    });
    child.once('close', finish);
  });

  return {
    pid: child.pid,
    done,
    output: () => `${stdout}\n${stderr}`,
    async stop(signal = 'SIGTERM', graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const result = await done;
        clearTimeout(killer);
        return result;
      }
      return done;
    },
  };
}

/** Runs a child to completion. */
export function runNode(script: string, args: string[], options: StartOptions): Promise<ChildResult> {
  return startNode(script, args, options).done;
}

/** The last JSON object line a child printed on stdout. */
export function lastJsonLine<T>(result: ChildResult, what: string): T {
  const lines = result.stdout.split('\n').filter((line) => line.trim().startsWith('{'));
  const last = lines.at(-1);
  if (last === undefined) {
    const how = result.timedOut ? 'timed out' : `exited with ${result.code ?? result.signal}`;
    throw new Error(`${what} printed no JSON result (${how}). Last output:\n${result.stderrTail.slice(-3000)}`);
  }
  return JSON.parse(last) as T;
}
