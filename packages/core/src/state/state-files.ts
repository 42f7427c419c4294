import type { z } from 'zod';
import { describeZodError, PermanentError, type Sink } from '@rdc/contracts';

/**
 * Reads a small JSON object the connector keeps in the sink (manifest,
 * watermark, latest-run pointer) and validates it. Missing: undefined. Not JSON,
 * or not the expected shape: a PermanentError naming the object and `remedy`.
 */
export async function readStateFile<T>(
  sink: Sink,
  key: string,
  schema: z.ZodType<T>,
  remedy: string,
): Promise<T | undefined> {
  const body = await sink.get(key);
  if (!body) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    throw new PermanentError(`${sink.url}/${key} is not JSON. ${remedy}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new PermanentError(`${describeZodError(parsed.error, `${sink.url}/${key}`, raw)}\n${remedy}`);
  return parsed.data;
}
