import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  encodeTask,
  freePort,
  loadServices,
  silentLog,
  taskAttributes,
  type Task,
  type TaskPublisher,
} from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { FileSink } from '@rdc/sinks';
import { createSourceRegistry } from '@rdc/source';
import { DATA_END, DATA_START, PAGE_SIZE } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, runNode } from '../support/child.js';
import { startMock } from '../support/mock.js';
import { APPS, DEFAULT_RESULTS_DIR, EAGER_SDKS_HOOK, REPO_ROOT } from '../support/paths.js';
import { failedFigure, windowWithPages, type ScenarioContext } from './context.js';

/** The figures measured before the cloud SDKs were loaded lazily, by this same scenario. */
export const STARTUP_BEFORE_FILE = join(DEFAULT_RESULTS_DIR, 'startup-before.json');

interface Before {
  measuredOn: string;
  figures: Record<string, number>;
}

function readBefore(): Before | undefined {
  if (!existsSync(STARTUP_BEFORE_FILE)) return undefined;
  return JSON.parse(readFileSync(STARTUP_BEFORE_FILE, 'utf8')) as Before;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

/** Node flags that load the cloud SDKs before the app, as its imports did before (the "before" contender). */
const eagerFlags = (): string[] => ['--import', pathToFileURL(EAGER_SDKS_HOOK).href];

/** Wall and CPU time of `node <script> <args>` to its exit, in ms. */
async function timeRun(
  ctx: ScenarioContext,
  script: string,
  args: string[],
  eager: boolean,
): Promise<{ wallMs: number; cpuMs: number }> {
  const result = await runNode(script, args, {
    env: childEnv({}),
    timeoutMs: ctx.sizes.contenderTimeoutMs,
    scratch: ctx.scratch.dir,
    nodeArgs: eager ? eagerFlags() : [],
  });
  if (result.code !== 0) throw new Error(`${script} ${args.join(' ')} exited ${result.code}: ${result.stderrTail}`);
  return { wallMs: result.wallMs, cpuMs: result.cpuMs ?? NaN };
}

/** POSTs `body`; the status, or 0 when nothing answered (not listening yet). */
function post(url: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/** The tasks of a small retail run, planned by the real planner into `sink`. */
async function planTasks(apiBaseUrl: string, sink: string, start: string, end: string): Promise<Task[]> {
  const catalog = loadServices();
  const sources = createSourceRegistry(catalog, { env: { API_BASE_URL: apiBaseUrl } });
  const tasks: Task[] = [];
  const collect: TaskPublisher = {
    publish: (task) => {
      tasks.push(task);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  try {
    await planRun(
      {
        service: 'retail',
        endpoint: 'sales',
        start: new Date(start),
        end: new Date(end),
        now: new Date(),
        endGranularityMs: 3_600_000,
      },
      { catalog, source: sources.sourceFor('retail'), sink: new FileSink(sink), publisher: collect, log: silentLog },
    );
  } finally {
    sources.close();
  }
  return tasks;
}

/**
 * One cold start of the push worker: spawn it, POST the push envelope of `task` as
 * soon as the port answers, and time spawn → the first 2xx (the page fetched and landed).
 */
async function coldPush(task: Task, env: NodeJS.ProcessEnv, timeoutMs: number, eager: boolean): Promise<number> {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [...(eager ? eagerFlags() : []), APPS.worker, '--mode', 'push'], {
    cwd: REPO_ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
  const body = JSON.stringify({
    message: { data: encodeTask(task).toString('base64'), attributes: taskAttributes(task), messageId: '1' },
    subscription: 'projects/rdc-bench/subscriptions/rdc-bench-cold-start',
    deliveryAttempt: 1,
  });
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await post(`http://127.0.0.1:${port}/`, body);
      if (status >= 200 && status < 300) return Number(process.hrtime.bigint() - started) / 1e6;
      if (status !== 0) throw new Error(`the push worker answered ${status}: ${stderr}`);
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the push worker never answered (exit ${child.exitCode}): ${stderr}`);
      }
      await sleep(2);
    }
  } finally {
    const gone = new Promise((resolve) => child.once('close', resolve));
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await gone;
  }
}

interface Timed {
  now: number[];
  eager: number[];
  cpuNow?: number[];
  cpuEager?: number[];
}

/**
 * One figure: the median now, against the median of the same command with the SDKs
 * preloaded (as the apps loaded them before), both measured in this run, interleaved,
 * so they share the machine's load; the note adds the figure recorded on the old code.
 */
function startupFigure(id: string, contender: string, t: Timed, before: Before | undefined, what: string): Figure {
  const ms = median(t.now);
  const reference = median(t.eager);
  const recorded = before?.figures[id];
  const list = (values: number[]) => values.map((v) => Math.round(v)).join(', ');
  const cpu =
    t.cpuNow && t.cpuEager
      ? `; CPU ${Math.round(median(t.cpuNow))} ms now, ${Math.round(median(t.cpuEager))} ms with the SDKs preloaded`
      : '';
  return {
    scenario: 'Startup',
    id,
    contender,
    unit: 'ms',
    count: Math.round(ms),
    wallSeconds: ms / 1000,
    reference,
    ratio: ms / reference,
    ...(t.cpuNow && { cpuMsPerUnit: median(t.cpuNow) }),
    complete: true,
    note:
      `${what}; median of ${t.now.length}: now ${list(t.now)} ms, SDKs preloaded (as before) ${list(t.eager)} ms${cpu}` +
      (recorded !== undefined ? `; recorded on the old code (${before?.measuredOn}): ${recorded} ms` : ''),
  };
}

const HELP_APPS = [
  ['local', APPS.local],
  ['planner', APPS.planner],
  ['worker', APPS.worker],
  ['stack', APPS.stack],
] as const;

/**
 * Startup: `--help` wall time of every app, and a push worker's first-request latency
 * from a cold start (spawn → first page landed and acked), each next to the figure
 * measured before the cloud SDKs were loaded only when a command needs them.
 */
export async function runStartup(ctx: ScenarioContext): Promise<Figure[]> {
  const { repeats } = ctx.sizes.startup;
  const before = readBefore();
  const figures: Figure[] = [];
  for (const [name, script] of HELP_APPS) {
    const id = `startup.help.${name}`;
    try {
      const t: Required<Timed> = { now: [], eager: [], cpuNow: [], cpuEager: [] };
      for (let i = 0; i < repeats; i++) {
        const eager = await timeRun(ctx, script, ['--help'], true);
        const now = await timeRun(ctx, script, ['--help'], false);
        t.eager.push(eager.wallMs);
        t.cpuEager.push(eager.cpuMs);
        t.now.push(now.wallMs);
        t.cpuNow.push(now.cpuMs);
      }
      ctx.progress(
        `Startup ${name} --help: ${Math.round(median(t.now))} ms (SDKs preloaded: ${Math.round(median(t.eager))} ms)`,
      );
      figures.push(startupFigure(id, `${name} --help`, t, before, 'spawn to exit'));
    } catch (error) {
      figures.push(failedFigure('Startup', id, `${name} --help`, error));
    }
  }
  const id = 'startup.push-cold';
  const contender = 'push worker, first request';
  const mock = await startMock({ sales: (2 * repeats + 1) * PAGE_SIZE, dataStart: DATA_START, dataEnd: DATA_END });
  const sink = ctx.scratch.folder('startup-push');
  try {
    const window = await windowWithPages(mock, DATA_START, DATA_END, 2 * repeats);
    const tasks = await planTasks(mock.url, sink, window.start, window.end);
    const env = childEnv({ API_BASE_URL: mock.url, RDC_SINK: `file://${sink}`, RDC_PUSH_AUTH: 'off' });
    const t: Timed = { now: [], eager: [] };
    const timeout = ctx.sizes.contenderTimeoutMs;
    for (let i = 0; i < repeats; i++) {
      const [first, second] = [tasks[2 * i], tasks[2 * i + 1]];
      if (!first || !second) throw new Error(`planned ${tasks.length} tasks, wanted ${2 * repeats}`);
      t.eager.push(await coldPush(first, env, timeout, true));
      t.now.push(await coldPush(second, env, timeout, false));
    }
    ctx.progress(
      `Startup push worker cold start to first 2xx: ${Math.round(median(t.now))} ms (SDKs preloaded: ${Math.round(median(t.eager))} ms)`,
    );
    figures.push(
      startupFigure(id, contender, t, before, 'spawn to the first push answered 2xx (a page fetched and landed)'),
    );
  } catch (error) {
    figures.push(failedFigure('Startup', id, contender, error));
  } finally {
    await mock.close();
  }
  return figures;
}
