import type { Log } from '@rdc/contracts';
import { formatBytes, formatElapsed, formatRate } from './progress-format.js';

/** What the workers report as tasks finish. */
export interface ProgressCounts {
  landed: number;
  alreadyLanded: number;
  /** Tasks given up on (dead-lettered): failures, never progress. */
  deadLettered: number;
  records: number;
}

/** Counters kept elsewhere, read at each line: the source's retries and 429 waits, the sink's bytes. */
export interface ProgressExtras {
  retries: number;
  rateLimitWaits: number;
  rateLimitWaitMs: number;
  bytesWritten: number;
}

export interface ProgressSnapshot extends ProgressExtras {
  unit: 'pages' | 'slices';
  total: number;
  /** Landed, by this process or before it. */
  done: number;
  /** Dead-lettered. */
  failed: number;
  records: number;
  elapsedMs: number;
  /** Tasks done per second, since the start. */
  perSecond: number;
  recordsPerSecond: number;
  /** Time left at the rate so far; undefined until something is done. */
  etaMs: number | undefined;
}

export interface ProgressOptions {
  runId: string;
  total: number;
  /** What one task is: `pages`, or `slices` for cursor pagination. */
  unit: 'pages' | 'slices';
  /** Where the live line goes on a terminal (stderr). */
  stream: NodeJS.WritableStream;
  log: Log;
  /** JSON logs: every line carries its numbers as fields, and there is no live line. */
  structured: boolean;
  /** Time between lines (and the longest between redraws of the live line). */
  intervalMs: number;
  extras: () => ProgressExtras;
}

/** One progress line: failures are counted apart from what is done. */
export function formatProgress(s: ProgressSnapshot): string {
  const eta = s.done + s.failed >= s.total ? '' : `, ETA ${s.etaMs === undefined ? 'unknown' : formatElapsed(s.etaMs)}`;
  return (
    `${s.done}/${s.total} ${s.unit} done, ${s.failed} failed; ` +
    `${formatRate(s.perSecond)} ${s.unit}/s, ${formatRate(s.recordsPerSecond)} records/s; ` +
    `elapsed ${formatElapsed(s.elapsedMs)}${eta}; retries ${s.retries}; ` +
    `429 waits ${s.rateLimitWaits} (${(s.rateLimitWaitMs / 1000).toFixed(1)} s); ${formatBytes(s.bytesWritten)} written`
  );
}

/**
 * Progress of one run: on a terminal a live line; otherwise (or with JSON logs)
 * a log line every `intervalMs` and one at the end.
 */
export class Progress {
  readonly counts: ProgressCounts = { landed: 0, alreadyLanded: 0, deadLettered: 0, records: 0 };
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private lastDraw = 0;

  constructor(private readonly options: ProgressOptions) {}

  private get live(): boolean {
    return (this.options.stream as NodeJS.WriteStream).isTTY === true && !this.options.structured;
  }

  snapshot(): ProgressSnapshot {
    const { landed, alreadyLanded, deadLettered, records } = this.counts;
    const elapsedMs = Math.max(0, Date.now() - this.started);
    const done = landed + alreadyLanded;
    const seconds = elapsedMs / 1000;
    const perSecond = seconds > 0 ? done / seconds : 0;
    const left = Math.max(0, this.options.total - done - deadLettered);
    return {
      unit: this.options.unit,
      total: this.options.total,
      done,
      failed: deadLettered,
      records,
      elapsedMs,
      perSecond,
      recordsPerSecond: seconds > 0 ? records / seconds : 0,
      etaMs: left === 0 ? 0 : perSecond > 0 ? (left / perSecond) * 1000 : undefined,
      ...this.options.extras(),
    };
  }

  /** Starts the clock of the lines. */
  start(): void {
    this.timer = setInterval(() => this.report(), this.options.intervalMs);
    this.timer.unref();
    if (this.live) this.draw();
  }

  /** A task finished: the live line follows at once (at most every 80 ms). */
  tick(): void {
    if (this.live && Date.now() - this.lastDraw >= 80) this.draw();
  }

  end(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.live) {
      this.draw();
      this.options.stream.write('\n');
    } else this.report();
  }

  private report(): void {
    if (this.live) {
      this.draw();
      return;
    }
    const s = this.snapshot();
    const line = `Progress ${formatProgress(s)}`;
    if (!this.options.structured) {
      this.options.log.info(line);
      return;
    }
    this.options.log.info(line, {
      runId: this.options.runId,
      unit: s.unit,
      total: s.total,
      done: s.done,
      failed: s.failed,
      records: s.records,
      elapsedSeconds: Math.round(s.elapsedMs / 100) / 10,
      perSecond: Math.round(s.perSecond * 100) / 100,
      recordsPerSecond: Math.round(s.recordsPerSecond),
      ...(s.etaMs !== undefined ? { etaSeconds: Math.ceil(s.etaMs / 1000) } : {}),
      retries: s.retries,
      rateLimitWaits: s.rateLimitWaits,
      rateLimitWaitSeconds: Math.round(s.rateLimitWaitMs / 100) / 10,
      bytesWritten: s.bytesWritten,
    });
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const s = this.snapshot();
    const width = 20;
    const filled = s.total === 0 ? width : Math.min(width, Math.round(((s.done + s.failed) / s.total) * width));
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${formatProgress(s)}`;
    const columns = (this.options.stream as NodeJS.WriteStream).columns;
    // A line longer than the terminal wraps, and `\r` would then redraw only its tail.
    const fitted = columns && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
    this.options.stream.write(`\r${fitted}\x1b[K`);
  }
}
