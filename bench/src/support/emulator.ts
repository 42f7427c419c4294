import { findPubSubEmulator, startPubSubEmulator } from '@rdc/queues';

/** The Pub/Sub emulator for S1 (c) and S3: the one PUBSUB_EMULATOR_HOST names, or one started for the run. */
export interface Emulator {
  /** `127.0.0.1:PORT`. */
  host: string;
  /** What it is, for the report. */
  description: string;
  stop(): Promise<void>;
}

export async function startEmulator(timeoutMs = 60_000): Promise<Emulator> {
  const found = findPubSubEmulator();
  if (found.kind === 'running') {
    return { host: found.host, description: `already running at ${found.host}`, stop: () => Promise.resolve() };
  }
  if (found.kind === 'missing') throw new Error(found.reason);
  const emulator = await startPubSubEmulator(found.command, timeoutMs);
  return { ...emulator, description: found.command };
}
