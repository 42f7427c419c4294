import type { Log } from '@rdc/contracts';

export interface ProgressCounts {
  landed: number;
  alreadyLanded: number;
  deadLettered: number;
  records: number;
}

/**
 * A progress bar on a TTY; plain log lines (every 10%) otherwise.
 */
export class Progress {
  readonly counts: ProgressCounts = { landed: 0, alreadyLanded: 0, deadLettered: 0, records: 0 };
  private readonly started = Date.now();
  private lastDecile = -1;
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream | NodeJS.WritableStream,
    private readonly log: Log,
    /** What one task is: `pages`, or `slices` for cursor pagination. */
    private readonly unit: 'pages' | 'slices' = 'pages',
  ) {}

  private get tty(): boolean {
    return (this.stream as NodeJS.WriteStream).isTTY === true;
  }

  get done(): number {
    return this.counts.landed + this.counts.alreadyLanded + this.counts.deadLettered;
  }

  tick(): void {
    const done = this.done;
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 80 && done < this.total) return;
      this.lastDraw = now;
      const width = 30;
      const filled = this.total === 0 ? width : Math.round((done / this.total) * width);
      const secs = ((now - this.started) / 1000).toFixed(1);
      this.stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${this.unit}  ${this.counts.records.toLocaleString('en-US')} records  ${secs}s `,
      );
      return;
    }
    const decile = this.total === 0 ? 10 : Math.floor((done / this.total) * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.log.info(`Progress ${done}/${this.total} ${this.unit}`, { records: this.counts.records });
    }
  }

  end(): void {
    if (this.tty) this.stream.write('\n');
  }
}
