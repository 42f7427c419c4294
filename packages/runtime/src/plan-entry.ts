import {
  planBackfill,
  planRun,
  parseRunId,
  requestCompaction,
  retireRun,
  UpToDate,
  type PlannerDeps,
  type PlanResult,
} from '@rdc/core';
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
   * A window holding more pages than limits.maxPagesPerRun: plan it as
   * consecutive runs that each fit (planBackfill), or refuse it. @default "refuse"
   */
  overMaxPages?: 'refuse' | 'consecutive-runs';
  /**
   * Called after each run is planned (and published), in window order; the next
   * run is planned once it resolves. The embedded runner works each run here, so
   * a long backfill holds one run's tasks at a time.
   */
  onRun?: (result: PlanResult) => Promise<void>;
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
  // The latest run, when planning finds it sealed, is compacted like any sealed run: on the page topic.
  const planDeps: PlannerDeps = {
    ...deps,
    onSealed: (manifest) =>
      requestCompaction(manifest, {
        sink: deps.sink,
        catalog: deps.catalog,
        log: deps.log,
        compactions: deps.publisher,
      }),
  };
  const start = (repair ?? resume)?.window.start ?? args.startDate;
  const end = (repair ?? resume)?.window.end ?? args.endDate;
  const onRun = policy.onRun;
  const plan =
    policy.overMaxPages === 'consecutive-runs'
      ? (...a: Parameters<typeof planRun>) => planBackfill(...a, onRun ? { onRun: (result) => onRun(result) } : {})
      : async (...a: Parameters<typeof planRun>) => {
          const result = await planRun(...a);
          await onRun?.(result);
          return [result];
        };
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
      planDeps,
    );
  } catch (error) {
    if (error instanceof UpToDate) return error;
    throw error;
  }
}
