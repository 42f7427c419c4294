import { createPubSub, ensureTopic } from '@rdc/queues';
import { DATA_END, DATA_START, PAGE_SIZE } from '../config.js';
import type { Figure, ScenarioName } from '../report.js';
import { childEnv, lastJsonLine, runNode } from '../support/child.js';
import type { Emulator } from '../support/emulator.js';
import { CHILDREN } from '../support/paths.js';
import { bestOf, failedFigure, skippedFigure, type ScenarioContext } from './context.js';
import { uniqueName } from './pubsub.js';

export interface Contender {
  id: string;
  contender: string;
  script: string;
  note: string;
  nodeArgs?: string[];
}

/** What a publishing scenario plans: a window holding `records`, one task per page of 250. */
export interface PublishScale {
  scenario: ScenarioName;
  records: number;
  start: string;
  end: string;
  repeats: number;
}

const CEILING: Contender = {
  id: 's3.ceiling',
  contender: 'bare publishMessage loop (ceiling)',
  script: CHILDREN.publishCeiling,
  note: 'topic.flowControlled().publish in a loop, then all(); same batching and flow control',
};
const PLANNER: Contender = {
  id: 's3.planner',
  contender: 'planner → PubSubPublisher',
  script: CHILDREN.planPublish,
  note: 'planRun (count answers 25M records) publishing every page task, then flush',
};

/** The same planner with V8's old space capped: shows how much of its peak RSS is GC headroom. */
const PLANNER_CAPPED: Contender = {
  ...PLANNER,
  id: 's3.planner-capped',
  contender: 'planner, --max-old-space-size=128',
  note: 'the same run with V8 old space capped at 128 MB (informational)',
  nodeArgs: ['--max-old-space-size=128'],
};

/**
 * One contender on a fresh topic. The topic has no subscription, so the emulator
 * only takes the messages in: the figure is the publishing side's, not the
 * emulator's message store (with a subscription both contenders drop to ~30k msg/s).
 */
async function publishRun(
  ctx: ScenarioContext,
  emulator: Emulator,
  scale: PublishScale,
  who: Contender,
): Promise<Figure> {
  const messages = Math.ceil(scale.records / PAGE_SIZE);
  const projectId = uniqueName('rdc-bench');
  const pubsub = createPubSub({ projectId, apiEndpoint: emulator.host });
  const topic = uniqueName(`rdc-bench-${scale.scenario.toLowerCase()}`);
  try {
    await ensureTopic(pubsub, topic);
    ctx.progress(`${scale.scenario} ${who.contender}: ${messages.toLocaleString('en-US')} messages`);
    const args = {
      projectId,
      emulatorHost: emulator.host,
      topic,
      sink: ctx.scratch.folder(who.id.replace(/\W/g, '-')),
      records: scale.records,
      start: scale.start,
      end: scale.end,
    };
    const result = await runNode(who.script, [JSON.stringify(args)], {
      env: childEnv({}),
      timeoutMs: ctx.sizes.contenderTimeoutMs,
      scratch: ctx.scratch.dir,
      ...(who.nodeArgs && { nodeArgs: who.nodeArgs }),
    });
    const out = lastJsonLine<{ published: number; seconds: number }>(result, who.contender);
    const rate = out.published / out.seconds;
    return {
      scenario: scale.scenario,
      id: who.id,
      contender: who.contender,
      unit: 'messages',
      count: out.published,
      rate,
      wallSeconds: result.wallMs / 1000,
      ...(result.peakRssMb !== undefined && { peakRssMb: result.peakRssMb }),
      ...(result.cpuMs !== undefined && out.published > 0 && { cpuMsPerUnit: result.cpuMs / out.published }),
      complete: result.code === 0 && out.published === messages,
      note: who.note,
    };
  } finally {
    await pubsub
      .topic(topic)
      .delete()
      .catch(() => undefined);
    await pubsub.close();
  }
}

/**
 * Runs each contender `repeats` times, alternating, keeps each one's best run, and
 * sets every other contender's ratio to the first one's (the ceiling's) rate.
 */
export async function publishScenario(
  ctx: ScenarioContext,
  scale: PublishScale,
  contenders: Contender[],
): Promise<Figure[]> {
  const emulator = await ctx.emulator();
  if ('missing' in emulator) {
    return contenders.map((c) => ({
      ...skippedFigure(scale.scenario, c.id, c.contender, emulator.missing),
      unit: 'messages',
    }));
  }
  const runs = new Map<Contender, Figure[]>(contenders.map((c) => [c, []]));
  for (let i = 0; i < scale.repeats; i++) {
    for (const [who, done] of runs) {
      try {
        done.push(await publishRun(ctx, emulator, scale, who));
      } catch (error) {
        done.push({ ...failedFigure(scale.scenario, who.id, who.contender, error), unit: 'messages' });
      }
    }
  }
  const [ceiling, ...others] = [...runs.values()].map(bestOf);
  for (const other of others) {
    if (other.rate === undefined || ceiling?.rate === undefined) continue;
    other.reference = ceiling.rate;
    other.ratio = other.rate / ceiling.rate;
  }
  return ceiling ? [ceiling, ...others] : others;
}

/** S3, planner scale: 100,000 page tasks to the emulator, against a bare publish loop. */
export function runS3(ctx: ScenarioContext): Promise<Figure[]> {
  const { messages, repeats } = ctx.sizes.s3;
  const scale = { scenario: 'S3' as const, records: messages * PAGE_SIZE, start: DATA_START, end: DATA_END, repeats };
  return publishScenario(ctx, scale, [CEILING, PLANNER, PLANNER_CAPPED]);
}
