import { errorMessage, isRetryable } from '@rdc/contracts';

/** How `--wait` polls; the clock and the sleep are injected so tests need not wait. */
export interface WaitOptions {
  pollMs: number;
  timeoutMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Told each time the progress line changes. */
  onProgress?: (line: string) => void;
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads `read()` until `settled` says the result will not change by itself, or
 * the timeout passes (then `timedOut`, with the last result read). It pauses
 * `pollMs` between reads, or four times as long as the last read took when
 * that is longer: a run so large that reading it is slow is read less often.
 * A read that fails with a retryable error (a 503, a reset) is told and tried
 * again on the next poll; any other error ends the wait.
 */
export async function waitUntil<T>(
  read: () => Promise<T>,
  settled: (value: T) => boolean,
  progress: (value: T) => string,
  options: WaitOptions,
): Promise<{ last: T; timedOut: boolean }> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? pause;
  const deadline = now() + options.timeoutMs;
  let told = '';
  let began = now();
  let last = await read();
  for (;;) {
    const took = now() - began;
    if (settled(last)) return { last, timedOut: false };
    const line = progress(last);
    if (line !== told) options.onProgress?.(line);
    told = line;
    const left = deadline - now();
    if (left <= 0) return { last, timedOut: true };
    await sleep(Math.min(Math.max(options.pollMs, 4 * took), left));
    began = now();
    try {
      last = await read();
    } catch (error) {
      if (!isRetryable(error)) throw error;
      options.onProgress?.(
        `reading failed, trying again in ${Math.round(options.pollMs / 1000)} s: ${errorMessage(error)}`,
      );
      told = '';
    }
  }
}
