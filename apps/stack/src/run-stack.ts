import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, type Sink } from '@rdc/contracts';
import { finalizeRun, parseRunId, readManifest, runStatus, type RunStatus } from '@rdc/core';
import { findPubSubEmulator, startPubSubEmulator, type RunningPubSubEmulator } from '@rdc/queues';
import { createSink, parseSinkUrl } from '@rdc/sinks';
import { STACK_DEFAULTS, type StackArgs } from './cli.js';
import { startFrontEnd, type FrontEnd } from './front.js';
import { startProcess, stopProcess, type StackProcess } from './processes.js';
import { applyTopology, loadTopology, TOPOLOGY_DEFAULTS, type TopologyValues } from './topology.js';

/** The built entry points of the apps the stack runs, as separate processes. */
const app = (name: string): string => fileURLToPath(new URL(`../../${name}/dist/main.js`, import.meta.url));
export const APPS = { planner: app('planner'), worker: app('worker'), mockApi: app('mock-api') } as const;

export interface StackSummary {
  ok: boolean;
  error?: string;
  /** 0 done, 1 failed, 2 a flag the planner refused, 130 interrupted. */
  exitCode: 0 | 1 | 2 | 130;
  runId?: string;
  mode: 'pull' | 'push';
  workers: number;
  sink: string;
  pages?: number;
  landed?: number;
  deadLettered?: number[];
  missing?: number;
  seconds: number;
  /** Started by the stack (false: PUBSUB_EMULATOR_HOST named a running one). */
  emulator: { host?: string; started: boolean };
  /** Every process the stack started, all stopped by the time it returns. */
  processes: { name: string; pid: number }[];
}

export interface StackDeps {
  env: NodeJS.ProcessEnv;
  /** Progress lines for people (stderr). */
  report: (line: string) => void;
  /** Aborted on Ctrl-C: the stack stops what it started and returns. */
  signal: AbortSignal;
}

/** A failure the stack reports in its summary; `exitCode` 2 for a flag the planner refused, 130 for Ctrl-C. */
export class StackFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 | 130 = 1,
  ) {
    super(message);
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/** Resolves `sink` to what every process can use alike: an absolute file:// URL or gs://. */
function sinkUrl(sink: string): string {
  const location = parseSinkUrl(sink);
  return location.kind === 'file' ? pathToFileURL(location.root).href : sink;
}

/** Runs one window through emulator → planner → workers → sink; always stops what it started. */
export async function runStack(args: StackArgs, deps: StackDeps): Promise<StackSummary> {
  const { env, report, signal } = deps;
  const started = Date.now();
  const sink = sinkUrl(args.sink);
  const projectId = env['GOOGLE_CLOUD_PROJECT'] ?? STACK_DEFAULTS.projectId;
  const summary: StackSummary = {
    ok: false,
    exitCode: 0,
    mode: args.mode,
    workers: args.workers,
    sink,
    seconds: 0,
    emulator: { started: false },
    processes: [],
  };
  const procs: StackProcess[] = [];
  let emulator: RunningPubSubEmulator | undefined;
  let front: FrontEnd | undefined;

  const interrupted = (): void => {
    if (signal.aborted) throw new StackFailure('Interrupted; stopped everything the stack started.', 130);
  };
  const launch = (name: string, script: string, argv: string[], childEnv: NodeJS.ProcessEnv): StackProcess => {
    const p = startProcess(name, script, argv, childEnv);
    procs.push(p);
    summary.processes.push({ name, pid: p.pid });
    report(`started ${name} (pid ${p.pid})`);
    return p;
  };
  /** Fails as soon as a long-running process exits on its own. */
  const checkAlive = (): void => {
    for (const p of procs) {
      if (p.name !== 'planner' && (p.child.exitCode !== null || p.child.signalCode !== null))
        throw new StackFailure(
          `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}) during the run:\n${p.tail()}`,
        );
    }
  };
  const waitHealthy = async (p: StackProcess, url: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!(await healthy(url))) {
      interrupted();
      checkAlive();
      if (Date.now() > deadline) throw new StackFailure(`${p.name} did not answer ${url} within 30 s:\n${p.tail()}`);
      await sleep(100);
    }
  };

  try {
    // 1. The emulator.
    const found = findPubSubEmulator();
    if (found.kind === 'missing') throw new StackFailure(found.reason);
    if (found.kind === 'running') {
      summary.emulator.host = found.host;
      report(`Pub/Sub emulator: using ${found.host} (PUBSUB_EMULATOR_HOST)`);
    } else {
      report('Pub/Sub emulator: starting');
      emulator = await startPubSubEmulator(found.command);
      summary.emulator = { host: emulator.host, started: true };
      report(`Pub/Sub emulator: ${emulator.host}`);
    }
    interrupted();
    const pubsubHost = summary.emulator.host!;
    const base: NodeJS.ProcessEnv = {
      ...env,
      PUBSUB_EMULATOR_HOST: pubsubHost,
      GOOGLE_CLOUD_PROJECT: projectId,
      RDC_SINK: sink,
    };

    // 2. The mock API, for the bundled retail service.
    if (args.service === 'retail' && !env['API_BASE_URL'] && !args.configDir && !env['RDC_CONFIG_DIR']) {
      const port = await freePort();
      const api = launch('mock-api', APPS.mockApi, [], { ...base, HOST: '127.0.0.1', PORT: String(port) });
      base['API_BASE_URL'] = `http://127.0.0.1:${port}`;
      await waitHealthy(api, `${base['API_BASE_URL']}/healthz`);
    }

    // 3. Workers, then (push) the front end the subscription pushes to.
    const values: TopologyValues = { ...TOPOLOGY_DEFAULTS, PROJECT_ID: projectId, PUSH_ENDPOINT: '' };
    const workerEnv: NodeJS.ProcessEnv = {
      ...base,
      RDC_ACK_DEADLINE_SECONDS: values.ACK_DEADLINE_SECONDS,
      RDC_MAX_DELIVERY_ATTEMPTS: values.MAX_DELIVERY_ATTEMPTS,
    };
    const ports: number[] = [];
    for (let i = 1; i <= args.workers; i++) {
      if (args.mode === 'pull') {
        launch(`worker ${i}`, APPS.worker, ['--mode', 'pull', ...args.workerArgs], {
          ...workerEnv,
          RDC_SUBSCRIPTION: values.PULL_SUBSCRIPTION,
        });
      } else {
        const port = await freePort();
        ports.push(port);
        const w = launch(`worker ${i}`, APPS.worker, ['--mode', 'push', ...args.workerArgs], {
          ...workerEnv,
          PORT: String(port),
          HOST: '127.0.0.1',
          RDC_PUSH_AUTH: 'off', // the emulator sends no OIDC token
        });
        await waitHealthy(w, `http://127.0.0.1:${port}/healthz`);
      }
    }
    if (args.mode === 'push') {
      front = await startFrontEnd(ports);
      values.PUSH_ENDPOINT = front.url;
    }

    // 4. Topics and subscriptions (docker/pubsub-topology.txt), idempotently.
    await applyTopology(pubsubHost, values, loadTopology(args.mode, values), (line) => report(`pubsub: ${line}`));
    interrupted();

    // 5. The planner.
    const planner = launch(
      'planner',
      APPS.planner,
      [...args.plannerArgs, '--sink', sink, '--queue', 'pubsub', '--topic', values.TOPIC, '--json'],
      { ...base, LOG_FORMAT: env['LOG_FORMAT'] ?? 'pretty' },
    );
    const stdout: string[] = [];
    planner.child.stdout?.on('data', (c: Buffer) => stdout.push(c.toString('utf8')));
    const aborted = new Promise<'aborted'>((resolve) => signal.addEventListener('abort', () => resolve('aborted')));
    const code = await Promise.race([planner.exited, aborted]);
    interrupted();
    if (code !== 0) throw new StackFailure(`The planner exited with ${code}:\n${planner.tail()}`, code === 2 ? 2 : 1);
    const plan = JSON.parse(stdout.join('').trim().split('\n').at(-1) ?? '{}') as {
      runId?: string;
      pages?: number;
      published?: number;
      upToDate?: boolean;
      message?: string;
    };
    if (plan.upToDate || !plan.runId) {
      report(`planner: ${plan.message ?? 'nothing to plan'}`);
      summary.ok = true;
      return summary;
    }
    summary.runId = plan.runId;
    report(`planner: ${plan.runId}: ${plan.pages} pages, ${plan.published} published`);

    // 6. Progress, until every page landed (or something failed).
    const status = await watch(createSink(sink), plan.runId, args.timeoutMs, report, () => {
      interrupted();
      checkAlive();
    });
    Object.assign(summary, {
      pages: status.expectedPages,
      landed: status.landedPages,
      deadLettered: status.deadLetteredPages,
      missing: status.missingPages.length,
    });
    if (!status.complete) {
      throw new StackFailure(
        status.deadLetteredPages.length > 0
          ? `${status.deadLetteredPages.length} page(s) dead-lettered (${status.deadLetteredPages.join(', ')}); see _rdc/deadletter/ in ${sink}, then re-run the planner with --resume.`
          : `${status.missingPages.length} page(s) still missing after ${args.timeoutMs / 1000} s (--timeout).`,
      );
    }
    summary.ok = true;
    return summary;
  } catch (error) {
    summary.error = error instanceof Error ? error.message : String(error);
    if (!(error instanceof StackFailure)) throw error;
    summary.exitCode = error.exitCode;
    return summary;
  } finally {
    summary.seconds = Math.round((Date.now() - started) / 100) / 10;
    report('stopping');
    // Workers first (they finish their pages), then the front end, the mock API, the emulator.
    await Promise.all(procs.filter((p) => p.name.startsWith('worker')).map((p) => stopProcess(p)));
    await front?.close();
    await Promise.all(procs.map((p) => stopProcess(p)));
    await emulator?.stop();
  }
}

async function watch(
  sink: Sink,
  runId: string,
  timeoutMs: number,
  report: (line: string) => void,
  check: () => void,
): Promise<RunStatus> {
  const manifest = await readManifest(sink, parseRunId(runId));
  if (!manifest) throw new StackFailure(`The planner reported ${runId}, but it has no manifest in ${sink.url}.`);
  const deadline = Date.now() + timeoutMs;
  let shown = '';
  for (;;) {
    const status = await runStatus(sink, manifest);
    const line = `progress: ${status.landedPages}/${status.expectedPages} ${status.unit}s landed, ${status.deadLetteredPages.length} dead-lettered`;
    if (line !== shown) report((shown = line));
    if (status.complete) return finalizeRun(sink, manifest);
    if (status.missingPages.length === 0 || Date.now() > deadline) return status;
    check();
    await sleep(250);
  }
}
