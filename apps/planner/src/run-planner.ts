import { errorMessage, type Log } from '@rdc/contracts';
import { parseRunId, planBackfill, retireRun, stateKey, UpToDate, type PlanResult } from '@rdc/core';
import { PLANNER_HELP, parsePlannerArgs } from './cli.js';
import { formatPlan, planSummary } from './summary.js';
import { wireCommon } from '@rdc/runtime';
import { createPublisher, noPublisher } from './publisher.js';

export interface PlannerIo {
  env: NodeJS.ProcessEnv;
  log: Log;
  stdout: NodeJS.WritableStream;
  now?: () => Date;
}

/**
 * planBackfill (one run, or consecutive runs when the window holds more than
 * limits.maxPagesPerRun), with "nothing new to plan" as a value rather than an error.
 */
async function planOrUpToDate(...args: Parameters<typeof planBackfill>): Promise<PlanResult[] | UpToDate> {
  try {
    return await planBackfill(...args);
  } catch (error) {
    if (error instanceof UpToDate) return error;
    throw error;
  }
}

/** The planner job: parse, wire, plan, publish, flush. Returns the exit code. */
export async function runPlanner(argv: string[], io: PlannerIo): Promise<number> {
  const command = parsePlannerArgs(argv, io.env);
  if (command.help) {
    io.stdout.write(`${PLANNER_HELP}\n`);
    return 0;
  }
  const { args } = command;
  // Settings are checked before anything is opened; whatever was opened is closed in finally.
  const { catalog, sources, sink } = wireCommon(args, io.env, io.log);
  let publisher = noPublisher;
  try {
    if (!args.dryRun) publisher = createPublisher(args, io.env, io.log);
    // The topic and the sink are checked before the plan writes its manifest or state.
    await publisher.check();
    await sink.exists(stateKey(args.service, args.endpoint, 'latest.json'));
    const repair = args.repair ? parseRunId(args.repair) : undefined;
    if (repair && !args.dryRun) {
      const retired = await retireRun(sink, repair);
      io.log.info(
        `Retired run ${repair.runId}: ${retired.moved} objects moved to ${retired.to}; planning its window again`,
      );
    }
    const start = repair?.window.start ?? args.startDate;
    const end = repair?.window.end ?? args.endDate;
    const result = await planOrUpToDate(
      {
        service: args.service,
        endpoint: args.endpoint,
        ...(start ? { start } : {}),
        ...(end ? { end } : {}),
        now: io.now?.() ?? new Date(),
        endGranularityMs: args.endGranularityMs,
        lookbackMs: args.lookbackMs,
        ...(args.sliceMs ? { sliceMs: args.sliceMs } : {}),
        dryRun: args.dryRun,
        allowOverlap: args.allowOverlap,
      },
      { catalog, source: sources.sourceFor(args.service), sink, publisher, log: io.log },
    );
    if (result instanceof UpToDate) {
      io.stdout.write(
        args.json ? `${JSON.stringify({ upToDate: true, message: result.message })}\n` : `${result.message}\n`,
      );
      return 0;
    }
    // One summary per run, in window order (one JSON line each with --json).
    for (const run of result) {
      io.stdout.write(args.json ? `${JSON.stringify(planSummary(run, sink.url))}\n` : `${formatPlan(run, sink.url)}\n`);
    }
    return 0;
  } finally {
    // A failing flush must not hide the error that got us here.
    await publisher
      .close()
      .catch((error: unknown) => io.log.error(`Closing the publisher failed: ${errorMessage(error)}`));
    sources.close();
  }
}
