import { planBackfill, planRun, parseRunId, retireRun, UpToDate, type PlannerDeps, type PlanResult } from '@rdc/core';
import type { PlannerArgs } from './run-options.js';

/** What a planning command asks for: the common flags, and the embedded runner's `--resume <runId>`. */
export interface PlanArgs extends PlannerArgs {
  /** `--resume <runId>`: continue that run (its window); nothing new is planned. */
  resume?: string | undefined;
}

/** Where the planner and the embedded runner differ by design, not by flag. */
export interface PlanPolicy {
  /** Planning time. */
  now: Date;
  /**
   * Without a start date, when the endpoint's latest run is incomplete: the
   * planner fails (a scheduler retries later); the embedded runner resumes it,
   * having no scheduler.
   */
  ifLatestIncomplete: 'fail' | 'resume';
  /** Cursor styles: worker slots the adaptive slices should keep busy. @default DEFAULT_FAN_OUT */
  fanOut?: number;
  /**
   * A window holding more pages than limits.maxPagesPerRun: the planner plans it
   * as consecutive runs that each fit (planBackfill); the embedded runner works
   * one run per invocation and refuses it. @default "refuse"
   */
  overMaxPages?: 'refuse' | 'consecutive-runs';
}

/**
 * The one planning entry of every command that plans (the planner, `npm start`):
 * plan a window, resume a run (`--resume`), repair one (`--repair`: retire the
 * unsealed run, plan its window again), each with `--dry-run`, which counts and
 * prints but never writes, moves or deletes anything. Returns the runs planned,
 * in window order (one, unless `overMaxPages` cuts the window into several);
 * "nothing new to plan" comes back as an UpToDate value.
 */
export async function planFromArgs(
  args: PlanArgs,
  deps: PlannerDeps,
  policy: PlanPolicy,
): Promise<PlanResult[] | UpToDate> {
  const repair = args.repair ? parseRunId(args.repair) : undefined;
  const resume = args.resume ? parseRunId(args.resume) : undefined;
  if (repair && !args.dryRun) {
    const retired = await retireRun(deps.sink, repair);
    deps.log.info(
      `Retired run ${repair.runId}: ${retired.moved} objects moved to ${retired.to}; planning its window again as a fresh run`,
    );
  }
  const start = (repair ?? resume)?.window.start ?? args.startDate;
  const end = (repair ?? resume)?.window.end ?? args.endDate;
  const plan =
    policy.overMaxPages === 'consecutive-runs'
      ? planBackfill
      : async (...a: Parameters<typeof planRun>) => [await planRun(...a)];
  try {
    return await plan(
      {
        service: args.service,
        endpoint: args.endpoint,
        ...(start ? { start } : {}),
        ...(end ? { end } : {}),
        now: policy.now,
        endGranularityMs: args.endGranularityMs,
        lookbackMs: args.lookbackMs,
        ...(args.sliceMs !== undefined ? { sliceMs: args.sliceMs } : {}),
        ...(policy.fanOut !== undefined ? { fanOut: policy.fanOut } : {}),
        ifLatestIncomplete: policy.ifLatestIncomplete,
        resumeOnly: resume !== undefined,
        dryRun: args.dryRun,
        allowOverlap: args.allowOverlap,
      },
      deps,
    );
  } catch (error) {
    if (error instanceof UpToDate) return error;
    throw error;
  }
}
