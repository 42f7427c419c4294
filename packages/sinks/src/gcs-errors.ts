import { ConfigError, PermanentError, TransientError, type ConnectorError } from '@rdc/contracts';

/** What the sink was doing, for messages and for the IAM role to suggest. */
export type GcsAction = 'write' | 'replace' | 'read' | 'check' | 'list' | 'remove';

const VERB: Record<GcsAction, string> = {
  write: 'write',
  replace: 'replace',
  read: 'read',
  check: 'look up',
  list: 'list',
  remove: 'remove',
};

const ROLE: Record<GcsAction, string> = {
  write: 'roles/storage.objectCreator',
  replace: 'roles/storage.objectUser (replacing an object also needs storage.objects.delete)',
  read: 'roles/storage.objectViewer',
  check: 'roles/storage.objectViewer',
  list: 'roles/storage.objectViewer',
  remove: 'roles/storage.objectUser (retiring a run moves its objects: storage.objects.delete)',
};

const CHECKSUM_CODES = new Set(['FILE_NO_UPLOAD', 'FILE_NO_UPLOAD_DELETE', 'CONTENT_DOWNLOAD_MISMATCH']);

/** The HTTP status of a storage library error, if it has one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'number') return code;
  if (typeof code === 'string' && /^\d{3}$/.test(code)) return Number(code);
  return undefined;
}

/**
 * The server's own words, short and without anything that looks like a credential.
 * Download errors carry the raw JSON body as their message; this unwraps it.
 */
function detailOf(error: unknown): string {
  let text = error instanceof Error ? error.message : String(error);
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') text = body.error.message;
  } catch {
    // not JSON: keep the message as it is
  }
  return text
    .replace(/(bearer|authorization:?)\s+\S+/gi, '$1 [redacted]')
    .replace(/(access_token|signature)=[^&\s]+/gi, '$1=[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

/**
 * The bucket a sink URL names is not there (the sink asked for it: see BucketPresence):
 * the user creates it or fixes the URL.
 */
export function missingBucketError(action: GcsAction, url: string, bucket: string): ConfigError {
  return new ConfigError(
    `Could not ${VERB[action]} ${url}: bucket gs://${bucket} does not exist (Cloud Storage answered 404 when asked for it). ` +
      `Create it (gcloud storage buckets create gs://${bucket}) or fix the sink URL (--sink or RDC_SINK).`,
    { path: url, status: 404 },
  );
}

/**
 * Maps a storage library error to the connector's error classes. The original error
 * is not kept as `cause`: it holds the request, headers included, and a logger that
 * serializes causes could print the bearer token. `cause` gets a plain copy instead.
 * A 404 gets here only once the bucket is known to exist (the sink asks first).
 */
export function gcsError(error: unknown, action: GcsAction, url: string, bucket: string): ConnectorError {
  const status = statusOf(error);
  const detail = detailOf(error);
  const code = (error as { code?: unknown } | null)?.code;
  const cause = new Error(status === undefined && typeof code === 'string' ? `${code}: ${detail}` : detail);
  const context = { path: url, ...(status !== undefined ? { status } : {}) };
  const failed = `Could not ${VERB[action]} ${url}${status !== undefined ? ` (HTTP ${status}: ${detail})` : ` (${cause.message})`}`;

  if (status === 401) {
    return new PermanentError(
      `${failed}: the credentials were rejected. Check Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, or the service account the worker runs as).`,
      context,
      { cause },
    );
  }
  if (status === 403) {
    return new PermanentError(
      `${failed}: permission denied. Grant the worker's service account ${ROLE[action]} on gs://${bucket} (a worker needs objectCreator and objectViewer, or objectUser).`,
      context,
      { cause },
    );
  }
  if (status === 412) {
    return new TransientError(
      `${failed}: the object changed while it was being replaced; another attempt can succeed.`,
      context,
      {
        cause,
      },
    );
  }
  if (status === 408 || status === 429 || (status !== undefined && status >= 500)) {
    return new TransientError(
      `${failed}: Cloud Storage is unavailable or throttling (usually briefly); another attempt can succeed.`,
      context,
      {
        cause,
      },
    );
  }
  if (status !== undefined) {
    return new PermanentError(`${failed}: the request was rejected; retrying will not help.`, context, { cause });
  }
  if (typeof code === 'string' && CHECKSUM_CODES.has(code)) {
    return new TransientError(
      `${failed}: the checksum did not match (corrupted in transit); another attempt can succeed.`,
      context,
      { cause },
    );
  }
  return new TransientError(`${failed}: Cloud Storage could not be reached; another attempt can succeed.`, context, {
    cause,
  });
}
