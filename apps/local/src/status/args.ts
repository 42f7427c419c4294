import { ConfigError, errorMessage, formatDuration, NAME_PATTERN } from '@rdc/contracts';
import { parseRunId } from '@rdc/core';
import { sinkSetting, type Inputs } from '@rdc/runtime';
import { STATUS_DEFAULTS } from '../defaults.js';
import type { StatusQuery } from './target.js';

/** The flags `status` takes beside its target. */
const STATUS_FLAGS = ['sink', 'json', 'config-dir', 'help', 'wait', 'timeout'];

const STATUS_USAGE =
  'Usage: status <service>/<endpoint> [latest | <runId>] | status <runId> [--json] [--wait [--timeout <duration>]] [--sink <url>]';

export const STATUS_HELP = `Usage: npm run status -- <service>/<endpoint> [options]           the endpoint's runs
       npm run status -- <service>/<endpoint> latest [options]    its last planned run
       npm run status -- [<service>/<endpoint>] <runId> [options] one run, or one backfill

Lists an endpoint's runs, the last planned first (by the plan time in their manifests),
up to ${STATUS_DEFAULTS.listed} (of an endpoint with over ${STATUS_DEFAULTS.scanned} runs, among the ${STATUS_DEFAULTS.scanned} with the
latest windows and the run planned last), with the endpoint's watermark; or shows one run: its window, state,
records, pages landed, dead-lettered and missing of those planned, why its pages were
dead-lettered (from the dead-letter records, grouped by error), and whether it is sealed
(its landed pages hold exactly the planned records) or why not. A run found complete is
sealed on the way. The run id of a window planned as consecutive runs (a backfill) shows
all of its runs.

States: running (pages missing, and it was planned or a page landed in the last
${formatDuration(STATUS_DEFAULTS.quietMs)}), incomplete (pages missing, nothing landed for longer: resume it),
dead-lettered (no page left in flight, some dead-lettered: resume it), not-sealed-integrity
(every page landed, the records do not add up: --repair), failed (its bookkeeping cannot be
read or _SUCCESS not written), sealed.

  --sink <url>          Where the runs landed. Default ./data (env RDC_SINK); gs://bucket/prefix too.
  --json                One JSON document on stdout, for scripts (fields below).
  --wait                Read the run again every ${formatDuration(STATUS_DEFAULTS.pollMs)} until it is sealed or failed (dead-lettered
                        with nothing left in flight, not sealed by integrity). For a backfill,
                        or \`latest\` when the last planned run is part of one: until every run of
                        the backfill is sealed, or one failed.
  --timeout <duration>  With --wait: give up after this long (exit 1, saying what is still
                        missing). Default ${formatDuration(STATUS_DEFAULTS.timeoutMs)}.
  --config-dir <path>   Folder of service JSON files (env RDC_CONFIG_DIR).
  -h, --help            This help.

--json fields (stable; added to, never renamed; absent values are null):
  every document: v (1), kind ("run" | "endpoint" | "backfill"), watermark ({end, runId} | null)
  a run: runId, service, endpoint, window {start, end}, plannedAt, state, reason (why not
    sealed), unit ("page" | "slice"), expectedPages, landedPages, deadLetteredPages [n],
    missingPages [n], pageFiles, records, complete, succeeded (sealed), deadLetterReasons
    [{error, reason, retryable, count, pages [first few]}], integrity, sealError, drift,
    lastLandedAt; kind "run" adds backfill (its id, or null) and timedOut
  kind "endpoint": service, endpoint, planned (runs in all), runs [a run], unreadable [{runId, error}]
  kind "backfill": runId, service, endpoint, window, state, reason, unplanned ({start, end}
    not planned yet, or null), runs [a run, in window order], timedOut

Exit codes: 0 the run (the backfill; for a list, the last planned run) is sealed, 1 it is
not (running, incomplete, dead-lettered: \`npm start -- --resume <runId>\`; not sealed by
integrity: \`--repair\`; failed; or --wait timed out), 2 bad arguments, or no such
service, endpoint or run in the sink.`;

export interface StatusArgs {
  query: StatusQuery;
  sink: string;
  json: boolean;
  configDir: string | undefined;
  /** `--wait`: its timeout in ms; absent without --wait. */
  waitMs?: number;
}

/** A run id given on the command line, checked for its form (the error names where it was given). */
function runIdArgument(value: string, where: string) {
  try {
    return parseRunId(value);
  } catch (error) {
    throw new ConfigError(`${where}: ${errorMessage(error)}`);
  }
}

function endpointArgument(value: string, target: string[]): { service: string; endpoint: string } {
  const parts = value.split('/');
  const bad = parts.length === 2 ? parts.find((part) => !NAME_PATTERN.test(part)) : value;
  if (bad !== undefined)
    throw new ConfigError(
      `status "${target.join(' ')}": "${bad}" is not a service or endpoint name (lowercase letters, digits or "_", starting with a letter). ${STATUS_USAGE}`,
    );
  return { service: parts[0]!, endpoint: parts[1]! };
}

function queryOf(target: string[]): StatusQuery {
  const [first, second] = target;
  if (first === undefined)
    throw new ConfigError(`status needs an endpoint or a run: <service>/<endpoint>, or a run id.\n${STATUS_HELP}`);
  if (target.length > 2) throw new ConfigError(`status "${target.join(' ')}": ${STATUS_USAGE}`);
  if (!first.includes('/')) {
    if (second !== undefined) throw new ConfigError(`status "${target.join(' ')}": ${STATUS_USAGE}`);
    const run = runIdArgument(first, 'status');
    return { service: run.service, endpoint: run.endpoint, which: { runId: run.runId } };
  }
  const { service, endpoint } = endpointArgument(first, target);
  if (second === undefined) return { service, endpoint, which: 'list' };
  if (second === 'latest') return { service, endpoint, which: 'latest' };
  const run = runIdArgument(second, 'status');
  if (run.service !== service || run.endpoint !== endpoint)
    throw new ConfigError(
      `status ${first} ${second}: that run is of ${run.service}/${run.endpoint}, not ${first}. Give one of them.`,
    );
  return { service, endpoint, which: { runId: run.runId } };
}

/** `status …`: the target and the flags, checked (a ConfigError exits 2). */
export function parseStatusArgs(target: string[], inputs: Inputs, given: string[]): StatusArgs {
  const extra = given.find((flag) => !STATUS_FLAGS.includes(flag));
  if (extra) throw new ConfigError(`status takes no --${extra}. ${STATUS_USAGE}`);
  const query = queryOf(target);
  const wait = inputs.bool('wait');
  if (!wait && inputs.has('timeout'))
    throw new ConfigError(`--timeout goes with --wait: add --wait, or drop --timeout. ${STATUS_USAGE}`);
  if (wait && query.which === 'list')
    throw new ConfigError(
      `--wait follows one run or backfill: \`status ${query.service}/${query.endpoint} latest --wait\`, or give a run id.`,
    );
  const waitMs = wait ? (inputs.duration('timeout') ?? STATUS_DEFAULTS.timeoutMs) : undefined;
  return {
    query,
    sink: sinkSetting(inputs),
    json: inputs.bool('json'),
    configDir: inputs.text('config-dir', 'RDC_CONFIG_DIR'),
    ...(waitMs !== undefined ? { waitMs } : {}),
  };
}
