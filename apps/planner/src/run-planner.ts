import type { Log } from '@rdc/contracts';
import { planRun } from '@rdc/core';
import { PLANNER_HELP, parsePlannerArgs } from './cli.js';
import { formatPlan, planSummary } from './summary.js';
import { createPublisher, noPublisher, wireCommon } from './wiring.js';

export interface PlannerIo {
  env: NodeJS.ProcessEnv;
  log: Log;
  stdout: NodeJS.WritableStream;
  now?: () => Date;
}

/** The planner job: parse, wire, plan, publish, flush. Returns the exit code. */
export async function runPlanner(argv: string[], io: PlannerIo): Promise<number> {
  const command = parsePlannerArgs(argv, io.env);
  if (command.help) {
    io.stdout.write(`${PLANNER_HELP}\n`);
    return 0;
  }
  const { args } = command;
  const { catalog, sources, sink } = wireCommon(args, io.env, io.log);
  const publisher = args.dryRun ? noPublisher : createPublisher(args, io.env, io.log);
  try {
    const result = await planRun(
      {
        service: args.service,
        endpoint: args.endpoint,
        ...(args.startDate ? { start: args.startDate } : {}),
        ...(args.endDate ? { end: args.endDate } : {}),
        now: io.now?.() ?? new Date(),
        endGranularityMs: args.endGranularityMs,
        lookbackMs: args.lookbackMs,
        ...(args.sliceMs ? { sliceMs: args.sliceMs } : {}),
        dryRun: args.dryRun,
      },
      { catalog, source: sources.sourceFor(args.service), sink, publisher, log: io.log },
    );
    io.stdout.write(
      args.json ? `${JSON.stringify(planSummary(result, sink.url))}\n` : `${formatPlan(result, sink.url)}\n`,
    );
    return 0;
  } finally {
    await publisher.close();
    sources.close();
  }
}
