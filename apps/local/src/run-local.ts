import { resolve } from 'node:path';
import { defaultConfigDir, errorMessage, type Log } from '@rdc/contracts';
import {
  createTaskProcessor,
  finalizeRun,
  formatDuration,
  runFolder,
  tableFolder,
  UpToDate,
  type PlanResult,
  type RunStatus,
} from '@rdc/core';
import { parseLogSettings } from '@rdc/logging';
import { createMockApi, type MockApi } from '@rdc/mock-server';
import { checkCommon, planFromArgs, wireCommon, type Wired } from '@rdc/runtime';
import { baseUrlVariable, type HttpSource, type SourceRegistry } from '@rdc/source';
import { MemoryQueue } from '@rdc/queues';
import type { LocalArgs } from './cli.js';
import { Progress, type ProgressExtras } from './progress.js';
import { compactSealedRun } from './compact-local.js';
import { formatSummary, type LocalSummary } from './summary.js';

export interface LocalIo {
  env: NodeJS.ProcessEnv;
  log: Log;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  now?: () => Date;
}

/** `./data` and relative paths are resolved against the working directory. */
function normalizeSink(sink: string): string {
  if (sink.startsWith('file://./') || sink.startsWith('file://../')) return `file://${resolve(sink.slice(7))}`;
  return sink;
}

/**
 * Starts the bundled mock API for the bundled `retail` service (the config in
 * this repository) when neither RETAIL_API_BASE_URL nor API_BASE_URL points
 * elsewhere, and says so. Any other service uses its config's baseUrl (or its
 * `<SERVICE>_API_BASE_URL`).
 */
async function startApi(args: LocalArgs, io: LocalIo): Promise<{ env: NodeJS.ProcessEnv; api?: MockApi }> {
  const variable = baseUrlVariable(args.service);
  const catalogDir = resolve(args.configDir ?? defaultConfigDir());
  const bundled = args.service === 'retail' && catalogDir === resolve(defaultConfigDir());
  if (!bundled || io.env[variable]?.trim() || io.env.API_BASE_URL?.trim()) return { env: io.env };
  const apiKey = io.env.RETAIL_API_KEY;
  const api = await createMockApi({ ...(apiKey ? { apiKey } : {}) });
  io.log.info(
    `Started the bundled retail mock API at ${api.url} for service "retail" (set ${variable} to use a real API)`,
  );
  return { env: { ...io.env, [variable]: api.url }, api };
}

/** Plans a run and works every page in this process. Returns the exit code. */
export async function runLocal(args: LocalArgs, io: LocalIo): Promise<{ code: number; summary?: LocalSummary }> {
  const started = Date.now();
  // Config errors surface before the bundled API starts; once it has, finally closes it.
  checkCommon(args);
  let api: MockApi | undefined;
  let sources: SourceRegistry | undefined;
  try {
    const startedApi = await startApi(args, io);
    api = startedApi.api;
    const chosen = api
      ? { service: args.service, url: api.url, from: 'the bundled mock API, started for this run' }
      : undefined;
    const wired = wireCommon({ ...args, sink: normalizeSink(args.sink) }, startedApi.env, io.log, chosen);
    sources = wired.sources;
    return await work(args, io, wired, started);
  } finally {
    sources?.close();
    await api?.close();
  }
}

async function work(
  args: LocalArgs,
  io: LocalIo,
  wired: Wired,
  started: number,
): Promise<{ code: number; summary?: LocalSummary }> {
  const { catalog, sources, sink } = wired;
  const queue = new MemoryQueue({
    concurrency: args.concurrency,
    // The worker dead-letters at maxAttempts itself; the queue's own limit only
    // catches a dead-letter write that keeps failing.
    maxDeliveryAttempts: args.maxAttempts + 3,
    onDeadLetter: (delivery) => {
      io.log.error(
        `Message ${delivery.id} could not be processed or dead-lettered; its page stays missing until --resume`,
      );
      return Promise.resolve();
    },
  });
  const source = sources.sourceFor(args.service);
  const processTask = createTaskProcessor({
    catalog,
    sourceFor: (s) => sources.sourceFor(s),
    sink,
    gzip: args.gzip,
    log: io.log,
    maxDeliveryAttempts: args.maxAttempts,
    // Each run is sealed once, below, when the queue is drained.
    sealRuns: false,
  });
  const results: { code: number; summary: LocalSummary }[] = [];
  const structured = parseLogSettings(io.env).format === 'json';
  /** The counters so far, in this process: each run reports what changed since the run before it. */
  const totals = (): ProgressExtras & { requests: number; files: number } => ({
    requests: source.stats.requests,
    retries: source.stats.retries,
    rateLimitWaits: source.stats.rateLimitWaits,
    rateLimitWaitMs: source.stats.rateLimitWaitMs,
    bytesWritten: processTask.writes.pageBytes,
    files: processTask.writes.pageFiles,
  });
  let before = totals();
  /**
   * Works one planned run to its end: the queue delivers the tasks published
   * while it was planned, then the run is sealed (and compacted when asked). A
   * window over limits.maxPagesPerRun comes here once per run, in window order,
   * and the next run is planned only afterwards.
   */
  const workRun = async (plan: PlanResult): Promise<void> => {
    const manifest = plan.manifest;
    const slicePlan = manifest.plan === 'slices';
    const location = `${sink.url}/${tableFolder(manifest)}`;
    const runState = `${sink.url}/${runFolder(manifest)}`;
    if (plan.dryRun) {
      const fanOut = slicePlan
        ? `  slices  ${manifest.pages} of ${formatDuration(manifest.sliceMs ?? 0)} (cursor pagination: pages are found by walking each slice)`
        : `  records ${manifest.total}\n  pages   ${manifest.pages} of ${manifest.pageSize}${manifest.slices ? ` in ${manifest.slices.length} time slices (offset cap)` : ''}`;
      io.stdout.write(
        `Plan (dry run, nothing fetched) ${manifest.runId}\n  window  [${manifest.window.start}, ${manifest.window.end})\n${fanOut}\n  location ${location}\n  run      ${runState}\n`,
      );
      return;
    }
    const since = before;
    const sinceStart = (): ReturnType<typeof totals> => {
      const now = totals();
      return {
        requests: now.requests,
        retries: now.retries - since.retries,
        rateLimitWaits: now.rateLimitWaits - since.rateLimitWaits,
        rateLimitWaitMs: now.rateLimitWaitMs - since.rateLimitWaitMs,
        bytesWritten: now.bytesWritten - since.bytesWritten,
        files: now.files - since.files,
      };
    };
    const bar = new Progress({
      runId: manifest.runId,
      total: plan.published,
      unit: slicePlan ? 'slices' : 'pages',
      stream: io.stderr,
      log: io.log,
      structured,
      intervalMs: args.progressSeconds * 1000,
      extras: sinceStart,
    });
    bar.start();
    try {
      await queue.start(async (delivery) => {
        const processed = await processTask(delivery);
        if (processed.decision === 'ack' && processed.result) {
          if (processed.result.outcome === 'landed') bar.counts.landed++;
          else bar.counts.alreadyLanded++;
          bar.counts.records += processed.result.records;
        } else if (processed.decision === 'dead-letter') {
          bar.counts.deadLettered++;
        }
        bar.tick();
        return processed.ack;
      });
      await queue.idle();
      await queue.stop();
    } finally {
      // A run that stops on an error still gets its last line, and no more.
      bar.end();
    }
    const counters = sinceStart();
    before = totals();
    const status: RunStatus = await finalizeRun(sink, manifest);
    const parquet = status.complete
      ? await compactSealedRun({ sink, catalog, log: io.log }, manifest, args.parquet)
      : undefined;
    const summary: LocalSummary = {
      runId: manifest.runId,
      window: manifest.window,
      plan: slicePlan ? 'slices' : 'pages',
      pages: slicePlan ? status.pageFiles : manifest.pages,
      landedPages: slicePlan ? status.pageFiles : status.landedPages,
      ...(slicePlan ? { slices: manifest.pages, landedSlices: status.landedPages } : {}),
      landed: bar.counts.landed,
      alreadyLanded: bar.counts.alreadyLanded,
      deadLettered: status.deadLetteredPages,
      missing: status.missingPages,
      resumedLatest: plan.resumedLatest,
      records: bar.counts.records,
      seconds: (Date.now() - started) / 1000,
      location,
      runState,
      ...(status.drift ? { drift: status.drift } : {}),
      complete: status.complete,
      ...concurrencyOf(args, source),
      retries: counters.retries,
      rateLimitWaits: counters.rateLimitWaits,
      rateLimitWaitSeconds: Math.round(counters.rateLimitWaitMs / 100) / 10,
      filesWritten: counters.files,
      bytesWritten: counters.bytesWritten,
      ...(status.integrity ? { integrity: status.integrity } : {}),
      ...(parquet ? { parquet } : {}),
    };
    io.stdout.write(args.json ? `${JSON.stringify(summary)}\n` : `${formatSummary(summary)}\n`);
    results.push({ code: status.complete && (parquet?.complete ?? true) ? 0 : 1, summary });
  };
  try {
    const planned = await planFromArgs(
      args,
      { catalog, source, sink, publisher: queue, log: io.log },
      {
        now: io.now?.() ?? new Date(),
        // Locally there is no scheduler to retry later: finish the pending run instead.
        ifLatestIncomplete: 'resume',
        fanOut: args.concurrency,
        overMaxPages: 'consecutive-runs',
        onRun: workRun,
      },
    );
    // Nothing new to plan: main says so and exits 0.
    if (planned instanceof UpToDate) throw planned;
    if (planned.length === 0) throw new Error('The plan returned no run');
    const last = results.at(-1);
    // Every run must be sealed; the last run's summary stands for the command.
    return { code: Math.max(0, ...results.map((r) => r.code)), ...(last ? { summary: last.summary } : {}) };
  } finally {
    await queue.stop().catch((error: unknown) => io.log.warn(`Stopping the queue failed: ${errorMessage(error)}`));
  }
}

/**
 * The effective concurrency: each worker sends one request at a time, so the
 * API sees at most min(workers, the API's limit) requests in flight.
 */
function concurrencyOf(
  args: LocalArgs,
  source: HttpSource,
): Pick<LocalSummary, 'requests' | 'workers' | 'apiConcurrency' | 'apiConcurrencyLimit' | 'requestsPerSecond'> {
  return {
    requests: source.stats.requests,
    workers: args.concurrency,
    apiConcurrency: Math.min(args.concurrency, source.limits.concurrency),
    apiConcurrencyLimit: source.limits.concurrency,
    requestsPerSecond: source.limits.requestsPerSecond,
  };
}
