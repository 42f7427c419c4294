import type { BenchArgs } from './cli.js';
import { FULL, QUICK } from './config.js';
import { describeMachine } from './machine.js';
import type { BenchReport, Figure, ScenarioName } from './report.js';
import type { ScenarioContext } from './scenarios/context.js';
import { failedFigure } from './scenarios/context.js';
import { runMemory } from './scenarios/memory.js';
import { runS1, s1Bound } from './scenarios/s1.js';
import { runS2 } from './scenarios/s2.js';
import { runRequests } from './scenarios/requests.js';
import { runS3 } from './scenarios/s3.js';
import { runS4 } from './scenarios/s4.js';
import { runStartup } from './scenarios/startup.js';
import { runCompaction } from './scenarios/compaction.js';
import { startEmulator, type Emulator } from './support/emulator.js';
import { createScratch } from './support/temp.js';
import { evaluateTargets } from './targets.js';

const RUNNERS: Record<ScenarioName, (ctx: ScenarioContext) => Promise<Figure[]>> = {
  S1: runS1,
  S2: runS2,
  S3: runS3,
  S4: runS4,
  Memory: runMemory,
  Requests: runRequests,
  Startup: runStartup,
  Compaction: runCompaction,
};

/**
 * Runs the selected scenarios one after another (never two at once: they share
 * two cores) and gathers their figures. The emulator is started on first use.
 */
export async function runBench(args: BenchArgs, progress: (line: string) => void): Promise<BenchReport> {
  const started = Date.now();
  const sizes = args.quick ? QUICK : FULL;
  const scratch = createScratch();
  let emulator: Promise<Emulator | { missing: string }> | undefined;
  const ctx: ScenarioContext = {
    sizes,
    scratch,
    progress,
    emulator: () =>
      (emulator ??= startEmulator().then(
        (running) => {
          progress(`Pub/Sub emulator at ${running.host} (${running.description})`);
          return running;
        },
        (error: unknown) => ({ missing: error instanceof Error ? error.message : String(error) }),
      )),
  };
  const figures: Figure[] = [];
  try {
    for (const name of args.only) {
      progress(`--- ${name}`);
      try {
        figures.push(...(await RUNNERS[name](ctx)));
      } catch (error) {
        figures.push(failedFigure(name, name.toLowerCase(), name, error));
      }
    }
  } finally {
    const running = await emulator;
    if (running && 'stop' in running) await running.stop();
    scratch.remove();
  }
  const ran = figures.filter((f) => !f.skipped);
  return {
    version: 1,
    mode: args.quick ? 'quick' : 'full',
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1000,
    machine: describeMachine(),
    sizes,
    s1Bound: s1Bound(ctx),
    figures,
    targets: evaluateTargets(figures),
    complete: ran.length > 0 && ran.every((f) => f.complete && !f.error),
  };
}
