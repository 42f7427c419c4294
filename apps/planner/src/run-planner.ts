import { errorMessage, type Log } from '@rdc/contracts';
import { stateKey, UpToDate } from '@rdc/core';
import { PLANNER_HELP, parsePlannerArgs } from './cli.js';
import { formatPlan, planSummary } from './summary.js';
import { planFromArgs, wireCommon } from '@rdc/runtime';
import { createPublisher, noPublisher } from './publisher.js';

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
  // Settings are checked before anything is opened; whatever was opened is closed in finally.
  const { catalog, sources, sink } = wireCommon(args, io.env, io.log);
  let publisher = noPublisher;
  try {
    // The API's secrets are read before Pub/Sub or the sink is asked anything.
    const source = sources.sourceFor(args.service);
    if (!args.dryRun) publisher = createPublisher(args, io.env, io.log);
    // The topic and the sink are checked before the plan writes its manifest or state.
    await publisher.check();
    await sink.exists(stateKey(args.service, args.endpoint, 'latest.json'));
    const result = await planFromArgs(
      args,
      { catalog, source, sink, publisher, log: io.log },
      { now: io.now?.() ?? new Date(), ifLatestIncomplete: 'fail', overMaxPages: 'consecutive-runs' },
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
