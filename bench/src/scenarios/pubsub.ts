import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { PubSub } from '@google-cloud/pubsub';
import { freePort } from '@rdc/contracts';
import { createPubSub, ensureSubscription, ensureTopic } from '@rdc/queues';
import { PUSH_SUBSCRIPTION, RETAIL_LIMITS } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, lastJsonLine, runNode, startNode, type ChildHandle } from '../support/child.js';
import type { Emulator } from '../support/emulator.js';
import type { MockProcess } from '../support/mock.js';
import { APPS } from '../support/paths.js';
import { pageFigure, type ScenarioContext, type Window } from './context.js';

export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

export async function healthy(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

export interface PubSubRun {
  id: string;
  contender: string;
  mode: 'push' | 'pull';
  emulator: Emulator;
  mock: MockProcess;
  window: Window;
  expected: readonly string[];
  note?: string;
}

/** Topic, dead-letter topic and one subscription (push to the worker, or pull), as in production. */
async function topology(pubsub: PubSub, mode: 'push' | 'pull', port: number): Promise<{ topic: string; name: string }> {
  const topic = uniqueName('rdc-bench-pages');
  const dead = `${topic}-dead`;
  await ensureTopic(pubsub, topic);
  await ensureTopic(pubsub, dead);
  const name = uniqueName(`rdc-bench-${mode}`);
  await ensureSubscription(pubsub, {
    topic,
    name,
    ...(mode === 'push' && { pushEndpoint: `http://127.0.0.1:${port}/` }),
    ackDeadlineSeconds: PUSH_SUBSCRIPTION.ackDeadlineSeconds,
    deadLetter: { topic: dead, maxDeliveryAttempts: PUSH_SUBSCRIPTION.maxDeliveryAttempts },
    retryPolicy: PUSH_SUBSCRIPTION.retryPolicy,
  });
  return { topic, name };
}

/**
 * S1 (c): planner → emulator → worker → folder sink, each in its own process: the
 * shipped worker (push: an HTTP server the emulator POSTs to; pull: streaming pull
 * at the retail concurrency) and the shipped planner CLI. Done when `_SUCCESS` lands.
 */
export async function runPubSub(ctx: ScenarioContext, run: PubSubRun): Promise<Figure> {
  const projectId = uniqueName('rdc-bench');
  const pubsub = createPubSub({ projectId, apiEndpoint: run.emulator.host });
  const sink = ctx.scratch.folder(run.id.replace(/\W/g, '-'));
  const port = await freePort();
  let worker: ChildHandle | undefined;
  try {
    const { topic, name } = await topology(pubsub, run.mode, port);
    await run.mock.resetStats();
    ctx.progress(`S1 ${run.contender}: [${run.window.start}, ${run.window.end})`);
    const env = childEnv({
      API_BASE_URL: run.mock.url,
      GOOGLE_CLOUD_PROJECT: projectId,
      PUBSUB_EMULATOR_HOST: run.emulator.host,
    });
    const startedAt = Date.now();
    const workerEnv = {
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
      RDC_SINK: `file://${sink}`,
      RDC_PUSH_AUTH: 'off',
    };
    const concurrency = String(RETAIL_LIMITS.concurrency);
    const workerArgs = ['--mode', run.mode, '--concurrency', concurrency, '--subscription', name];
    worker = startNode(APPS.worker, workerArgs, {
      env: { ...workerEnv, RDC_ACK_DEADLINE_SECONDS: String(PUSH_SUBSCRIPTION.ackDeadlineSeconds) },
      timeoutMs: ctx.sizes.contenderTimeoutMs,
      scratch: ctx.scratch.dir,
    });
    if (run.mode === 'push') {
      const url = `http://127.0.0.1:${port}/healthz`;
      await until(`the push worker on :${port}`, () => healthy(url), 30_000);
    }
    const args = ['--service', 'retail', '--endpoint', 'sales', '--start_date', run.window.start];
    args.push('--end_date', run.window.end, '--topic', topic, '--sink', sink, '--json');
    const planned = await runNode(APPS.planner, args, { env, timeoutMs: 120_000, scratch: ctx.scratch.dir });
    const plan = lastJsonLine<{ runState: string; published: number }>(planned, 'the planner');
    const success = `${fileURLToPath(plan.runState).replace(/\/$/, '')}/_SUCCESS`;
    const running = worker;
    let exited = false;
    void running.done.then(() => (exited = true));
    await until('_SUCCESS', () => existsSync(success) || exited, ctx.sizes.contenderTimeoutMs).catch(() => undefined);
    const measured = await running.stop('SIGTERM');
    worker = undefined;
    await pubsub
      .subscription(name)
      .delete()
      .catch(() => undefined);
    const figure = await pageFigure({
      scenario: 'S1',
      id: run.id,
      contender: run.contender,
      mock: run.mock,
      sink,
      expected: run.expected,
      measured,
      startedAt,
      note: [run.note, `planner peak RSS ${Math.round(planned.peakRssMb ?? 0)} MB`].filter(Boolean).join('; '),
    });
    if (!existsSync(success)) figure.complete = false;
    return figure;
  } finally {
    await worker?.stop('SIGKILL');
    await pubsub.close();
  }
}
