import { z } from 'zod';
import { describeZodError, PermanentError, RUN_ID_PATTERN, TimeRange, type Sink } from '@rdc/contracts';
import { manifestKey, type RunIdentity } from './naming.js';

/** Written once when a run is planned; every retry and resume reads it back. */
export const RunManifest = z.strictObject({
  v: z.literal(1),
  runId: z.string().regex(RUN_ID_PATTERN),
  service: z.string(),
  endpoint: z.string(),
  window: TimeRange,
  pageSize: z.number().int().positive(),
  /** Records in the window when planned (undefined when the API reports only pages). */
  total: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  plannedAt: z.iso.datetime(),
  sink: z.string(),
});
export type RunManifest = z.infer<typeof RunManifest>;

export function runIdentity(manifest: RunManifest): RunIdentity {
  return {
    runId: manifest.runId,
    service: manifest.service,
    endpoint: manifest.endpoint,
    window: { start: new Date(manifest.window.start), end: new Date(manifest.window.end) },
  };
}

export async function readManifest(sink: Sink, run: RunIdentity): Promise<RunManifest | undefined> {
  const key = manifestKey(run);
  const body = await sink.get(key);
  if (!body) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PermanentError(`${sink.url}/${key} is not JSON. Remove it to re-plan run ${run.runId}.`);
  }
  const parsed = RunManifest.safeParse(raw);
  if (!parsed.success) throw new PermanentError(describeZodError(parsed.error, `${sink.url}/${key}`, raw));
  return parsed.data;
}

/** Writes the manifest once; when a concurrent planner won, returns theirs. */
export async function writeManifest(sink: Sink, manifest: RunManifest): Promise<RunManifest> {
  const run = runIdentity(manifest);
  const result = await sink.putIfAbsent(manifestKey(run), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), {
    contentType: 'application/json',
  });
  if (result === 'created') return manifest;
  const existing = await readManifest(sink, run);
  if (!existing) throw new PermanentError(`Manifest of run ${manifest.runId} vanished while planning; re-run the planner.`);
  return existing;
}
