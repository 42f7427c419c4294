import { createPubSub, ensureTopic } from '@rdc/queues';
import { DATA_END, DATA_START } from '../config.js';
import type { Figure } from '../report.js';
import { childEnv, lastJsonLine, runNode } from '../support/child.js';
import type { Emulator } from '../support/emulator.js';
import { CHILDREN } from '../support/paths.js';
import { bestOf, failedFigure, skippedFigure, type ScenarioContext } from './context.js';
import { uniqueName } from './pubsub.js';

interface Contender {
  id: string;
  contender: string;
  script: string;
  note: string;
  nodeArgs?: string[];
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
async function publishRun(ctx: ScenarioContext, emulator: Emulator, who: Contender): Promise<Figure> {
  const messages = ctx.sizes.s3.messages;
  const projectId = uniqueName('rdc-bench');
  const pubsub = createPubSub({ projectId, apiEndpoint: emulator.host });
  const topic = uniqueName('rdc-bench-s3');
  try {
    await ensureTopic(pubsub, topic);
    ctx.progress(`S3 ${who.contender}: ${messages.toLocaleString('en-US')} messages`);
    const args = {
      projectId,
      emulatorHost: emulator.host,
      topic,
      sink: ctx.scratch.folder(who.id.replace(/\W/g, '-')),
      messages,
      start: DATA_START,
      end: DATA_END,
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
      scenario: 'S3',
      id: who.id,
      contender: who.contender,
      unit: 'messages',
      count: out.published,
      rate,
      wallSeconds: result.wallMs / 1000,
      ...(result.peakRssMb !== undefined && { peakRssMb: result.peakRssMb }),
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

/** S3, planner scale: 100,000 page tasks to the emulator, against a bare publish loop. */
export async function runS3(ctx: ScenarioContext): Promise<Figure[]> {
  const emulator = await ctx.emulator();
  if ('missing' in emulator) {
    return [CEILING, PLANNER, PLANNER_CAPPED].map((c) => ({
      ...skippedFigure('S3', c.id, c.contender, emulator.missing),
      unit: 'messages',
    }));
  }
  const runs = new Map<Contender, Figure[]>([
    [CEILING, []],
    [PLANNER, []],
    [PLANNER_CAPPED, []],
  ]);
  for (let i = 0; i < ctx.sizes.s3.repeats; i++) {
    for (const [who, done] of runs) {
      try {
        done.push(await publishRun(ctx, emulator, who));
      } catch (error) {
        done.push({ ...failedFigure('S3', who.id, who.contender, error), unit: 'messages' });
      }
    }
  }
  const figures = [...runs.values()].map(bestOf);
  const reference = figures.find((f) => f.id === CEILING.id)?.rate;
  for (const planner of figures.filter((f) => f.id !== CEILING.id)) {
    if (planner.rate === undefined || reference === undefined) continue;
    planner.reference = reference;
    planner.ratio = planner.rate / reference;
  }
  return figures;
}
