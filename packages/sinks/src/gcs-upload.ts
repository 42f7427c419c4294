import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PermanentError, type PutOptions } from '@rdc/contracts';
import { DEFAULT_CONTENT_TYPE } from './defaults.js';

/**
 * Custom metadata key of the id a write-once upload carries: a new random id per
 * `putIfAbsent` call, the same on the client's retries of that call. It tells our own
 * write (whose reply was lost, so the retry got 412) from anyone else's.
 */
export const WRITE_ID_KEY = 'rdcWriteId';

/** What one upload sends: the bytes as stored and the object's metadata. */
export interface Upload {
  data: Buffer;
  metadata: {
    contentType: string;
    contentEncoding?: 'gzip';
    metadata?: Record<string, string>;
  };
  /** Set on write-once uploads (see WRITE_ID_KEY). */
  writeId?: string;
}

/**
 * The bytes and metadata to send. With `gzip`, NDJSON bodies not already encoded are
 * compressed and stored with `Content-Encoding: gzip`; other bodies are stored as given.
 */
export function prepareUpload(body: Uint8Array, options: PutOptions, gzip: boolean, writeOnce: boolean): Upload {
  const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
  const compress =
    options.contentEncoding === undefined && gzip && contentType.split(';')[0]?.trim() === DEFAULT_CONTENT_TYPE;
  const encoded = options.contentEncoding === 'gzip' || compress;
  const writeId = writeOnce ? randomUUID() : undefined;
  const custom = { ...options.metadata, ...(writeId ? { [WRITE_ID_KEY]: writeId } : {}) };
  return {
    data: Buffer.from(compress ? gzipSync(body) : body),
    metadata: {
      contentType,
      ...(encoded ? { contentEncoding: 'gzip' as const } : {}),
      ...(Object.keys(custom).length > 0 ? { metadata: custom } : {}),
    },
    ...(writeId ? { writeId } : {}),
  };
}

/** What Cloud Storage reports of an object, as far as telling whose it is goes. */
export interface FoundObject {
  md5Hash?: string;
  metadata?: Record<string, unknown> | null;
}

/**
 * After a write-once upload got 412: true when the object there is this upload's own
 * (its reply was lost and the client's retry found it), false when another writer's.
 * Our id on other bytes cannot happen unless the object was altered: a PermanentError.
 */
export function isOwnWrite(found: FoundObject, upload: Upload, url: string): boolean {
  const custom = found.metadata ?? undefined;
  const id = custom && Object.hasOwn(custom, WRITE_ID_KEY) ? custom[WRITE_ID_KEY] : undefined;
  if (upload.writeId === undefined || id !== upload.writeId) return false;
  const md5 = createHash('md5').update(upload.data).digest('base64');
  if (found.md5Hash === undefined || found.md5Hash === md5) return true; // no MD5 (composite objects): the id decides
  throw new PermanentError(
    `${url} carries this write's id (${WRITE_ID_KEY}=${upload.writeId}) but holds other bytes ` +
      `(MD5 ${String(found.md5Hash)}, expected ${md5}): the object was changed after it landed. ` +
      `Check who else writes under the sink URL (--sink or RDC_SINK), remove the object and resume the run.`,
    { path: url },
  );
}
