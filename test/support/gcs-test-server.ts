/**
 * GCS JSON API TEST DOUBLE, for tests only. It is not an emulator: it covers the calls
 * @rdc/sinks makes through @google-cloud/storage 7, with the status codes, headers and
 * error bodies Cloud Storage uses for them, and nothing else.
 *
 *   POST   /upload/storage/v1/b/:bucket/o?uploadType=multipart|media&name=…   insert (single request)
 *          preconditions ifGenerationMatch (0 = must not exist) / ifGenerationNotMatch -> 412
 *   GET    /storage/v1/b/:bucket/o/:object                                  metadata (404 when missing)
 *   GET    /storage/v1/b/:bucket/o/:object?alt=media                        download; a gzip-encoded object is
 *          served as stored with Content-Encoding: gzip when the client accepts gzip, else gunzipped
 *   GET    /storage/v1/b/:bucket/o?prefix=&pageToken=&maxResults=            list, in name order
 *   DELETE /storage/v1/b/:bucket/o/:object                                  delete
 *
 * Only the `/storage/v1` JSON API paths are served (like the storage testbench), not the bare
 * `/b/...` paths fake-gcs-server also accepts. Resumable uploads, `delimiter`, versioned
 * reads and everything else answer 501. Objects live in memory, one generation each.
 *
 * Tests can inject failures (`failNext`, `setHook`) and count requests per kind (`stats`, `requests`).
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type RequestKind = 'upload' | 'metadata' | 'download' | 'list' | 'delete' | 'other';

export interface StoredObject {
  bucket: string;
  name: string;
  /** The bytes as stored (still compressed when contentEncoding is gzip). */
  data: Buffer;
  generation: string;
  contentType: string;
  contentEncoding: string | undefined;
  /** Custom metadata (`x-goog-meta-*`). */
  metadata: Record<string, string> | undefined;
  timeCreated: string;
}

export interface RequestRecord {
  method: string;
  /** Decoded path, e.g. /upload/storage/v1/b/bucket/o */
  path: string;
  query: Record<string, string>;
  kind: RequestKind;
  /** 0 while unanswered (or when the request was left hanging). */
  status: number;
}

export interface Injection {
  status: number;
  /** Only requests of this kind. @default any kind */
  kind?: RequestKind;
  /** Carry the request out first, then answer with the error: a response lost after the write landed. */
  afterApply?: boolean;
  /** Never answer; the socket stays open until the client gives up or the server closes. */
  hang?: boolean;
}

/** Called for every request; return an injection to fail it, or undefined to serve it normally. */
export type RequestHook = (request: {
  method: string;
  path: string;
  query: URLSearchParams;
  kind: RequestKind;
}) => Injection | undefined;

export interface GcsTestServer {
  /** http://127.0.0.1:<port>, for `apiEndpoint` or STORAGE_EMULATOR_HOST. */
  url: string;
  /** Live objects by `<bucket>/<name>`. */
  objects: Map<string, StoredObject>;
  buckets: Set<string>;
  /** Requests received, per kind. */
  stats: Record<RequestKind, number>;
  requests: RequestRecord[];
  object(bucket: string, name: string): StoredObject | undefined;
  /** Fails the next `n` requests (of `options.kind`, if given) with `status`. */
  failNext(n: number, status?: number, options?: Omit<Injection, 'status'>): void;
  setHook(hook: RequestHook | undefined): void;
  /** Drops queued failures and the hook. */
  resetInjections(): void;
  close(): Promise<void>;
}

export interface GcsTestServerOptions {
  /** Buckets that exist. @default ['rdc-test-bucket'] */
  buckets?: string[];
  /** Objects per list page when the client sends no maxResults (GCS: 1000). @default 1000 */
  pageSize?: number;
  /**
   * The words of a 404. Cloud Storage says "The specified bucket does not exist." and
   * "No such object: <bucket>/<name>"; the storage testbench and proxies word them otherwise.
   * @default Cloud Storage's words
   * @example { bucket: (b) => `Bucket ${b} not found`, object: () => 'Not Found' }
   */
  notFoundWords?: Partial<NotFoundWords>;
}

export interface NotFoundWords {
  bucket: (bucket: string) => string;
  object: (bucket: string, name: string) => string;
}

const GCS_NOT_FOUND: NotFoundWords = {
  bucket: () => 'The specified bucket does not exist.',
  object: (bucket, name) => `No such object: ${bucket}/${name}`,
};

const REASONS: Record<number, [reason: string, message: string]> = {
  400: ['invalid', 'Invalid request.'],
  401: ['required', 'Anonymous caller does not have storage.objects.create access to the Google Cloud Storage object.'],
  403: ['forbidden', 'The caller does not have storage.objects.create access to the Google Cloud Storage object.'],
  404: ['notFound', 'Not Found'],
  412: ['conditionNotMet', 'At least one of the pre-conditions you specified did not hold.'],
  429: ['rateLimitExceeded', 'The rate of change requests to the object is too high.'],
  501: ['notImplemented', 'Not implemented by the GCS test double.'],
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message?: string,
  ) {
    super(message ?? REASONS[status]?.[1] ?? 'We encountered an internal error. Please try again.');
  }
}

/* CRC32C (Castagnoli), as GCS reports it: big-endian, base64. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});

export function crc32c(data: Uint8Array): string {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

function resource(o: StoredObject, base: string): Record<string, unknown> {
  const path = `b/${o.bucket}/o/${encodeURIComponent(o.name)}`;
  return {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${base}/storage/v1/${path}`,
    mediaLink: `${base}/download/storage/v1/${path}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: o.generation,
    metageneration: '1',
    contentType: o.contentType,
    ...(o.contentEncoding ? { contentEncoding: o.contentEncoding } : {}),
    storageClass: 'STANDARD',
    size: String(o.data.length),
    md5Hash: createHash('md5').update(o.data).digest('base64'),
    crc32c: crc32c(o.data),
    etag: `C${o.generation.slice(-8)}=`,
    timeCreated: o.timeCreated,
    updated: o.timeCreated,
    ...(o.metadata ? { metadata: o.metadata } : {}),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, message?: string): void {
  const text = message ?? new HttpError(status).message;
  const reason = REASONS[status]?.[0] ?? 'backendError';
  sendJson(res, status, {
    error: { code: status, message: text, errors: [{ message: text, domain: 'global', reason }] },
  });
}

/** Splits a multipart/related body into its JSON metadata part and its media part. */
function parseMultipart(
  body: Buffer,
  contentType: string,
): { metadata: Record<string, unknown>; media: Buffer; mediaType: string | undefined } {
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary || !body.subarray(0, boundary.length + 2).equals(Buffer.from(`--${boundary}`))) {
    throw new HttpError(400, 'Malformed multipart body.');
  }
  const separator = Buffer.from(`\r\n--${boundary}`);
  const parts: { headers: string; content: Buffer }[] = [];
  let at = boundary.length + 2;
  while (body.subarray(at, at + 2).toString() === '\r\n') {
    const end = body.indexOf(separator, at + 2);
    if (end === -1) throw new HttpError(400, 'Malformed multipart body.');
    const part = body.subarray(at + 2, end);
    const split = part.indexOf('\r\n\r\n');
    parts.push({ headers: part.subarray(0, split).toString(), content: part.subarray(split + 4) });
    at = end + separator.length;
  }
  const [meta, media] = parts;
  if (!meta || !media) throw new HttpError(400, 'A multipart upload needs a metadata part and a media part.');
  return {
    metadata: JSON.parse(meta.content.toString('utf8')) as Record<string, unknown>,
    media: media.content,
    mediaType: /content-type:\s*([^\r\n]+)/i.exec(media.headers)?.[1]?.trim(),
  };
}

/** What a request asks for, from its method and decoded path segments. */
function kindOf(method: string, s: string[], query: URLSearchParams): RequestKind {
  // upload/storage/v1/b/:bucket/o
  if (method === 'POST' && s.length === 6 && s.slice(0, 4).join('/') === 'upload/storage/v1/b' && s[5] === 'o')
    return 'upload';
  // storage/v1/b/:bucket/o[/:object]
  if (s.length < 5 || s.slice(0, 3).join('/') !== 'storage/v1/b' || s[4] !== 'o') return 'other';
  if (s.length === 5) return method === 'GET' ? 'list' : 'other';
  if (method === 'DELETE') return 'delete';
  if (method === 'GET') return query.get('alt') === 'media' ? 'download' : 'metadata';
  return 'other';
}

export async function startGcsTestServer(options: GcsTestServerOptions = {}): Promise<GcsTestServer> {
  const buckets = new Set(options.buckets ?? ['rdc-test-bucket']);
  const objects = new Map<string, StoredObject>();
  const words: NotFoundWords = { ...GCS_NOT_FOUND, ...options.notFoundWords };
  const stats: Record<RequestKind, number> = { upload: 0, metadata: 0, download: 0, list: 0, delete: 0, other: 0 };
  const requests: RequestRecord[] = [];
  const queue: Injection[] = [];
  let hook: RequestHook | undefined;
  let lastGeneration = 0;
  let base = '';

  const nextGeneration = (): string => {
    lastGeneration = Math.max(lastGeneration + 1, Date.now() * 1000); // microseconds, like GCS
    return String(lastGeneration);
  };

  function takeQueued(kind: RequestKind): Injection | undefined {
    const at = queue.findIndex((i) => i.kind === undefined || i.kind === kind);
    return at === -1 ? undefined : queue.splice(at, 1)[0];
  }

  function requireBucket(bucket: string): void {
    if (!buckets.has(bucket)) throw new HttpError(404, words.bucket(bucket));
  }

  function find(bucket: string, name: string): StoredObject {
    requireBucket(bucket);
    const found = objects.get(`${bucket}/${name}`);
    if (!found) throw new HttpError(404, words.object(bucket, name));
    return found;
  }

  function checkPreconditions(query: URLSearchParams, current: StoredObject | undefined): void {
    const generation = current?.generation ?? '0';
    const match = query.get('ifGenerationMatch');
    const notMatch = query.get('ifGenerationNotMatch');
    if ((match !== null && match !== generation) || (notMatch !== null && notMatch === generation))
      throw new HttpError(412);
  }

  function upload(bucket: string, query: URLSearchParams, req: IncomingMessage, body: Buffer): StoredObject {
    requireBucket(bucket);
    const type = query.get('uploadType');
    let meta: Record<string, unknown> = {};
    let media = body;
    let mediaType = req.headers['content-type'];
    if (type === 'multipart')
      ({ metadata: meta, media, mediaType } = parseMultipart(body, req.headers['content-type'] ?? ''));
    else if (type !== 'media')
      throw new HttpError(501, `uploadType=${String(type)} is not implemented by the GCS test double.`);
    const name = query.get('name') ?? (typeof meta.name === 'string' ? meta.name : undefined);
    if (!name) throw new HttpError(400, 'Required parameter: name');
    const key = `${bucket}/${name}`;
    checkPreconditions(query, objects.get(key));
    const encoding =
      typeof meta.contentEncoding === 'string' ? meta.contentEncoding : (query.get('contentEncoding') ?? undefined);
    const stored: StoredObject = {
      bucket,
      name,
      data: Buffer.from(media),
      generation: nextGeneration(),
      contentType: (typeof meta.contentType === 'string' ? meta.contentType : mediaType) ?? 'application/octet-stream',
      contentEncoding: encoding,
      metadata:
        meta.metadata && typeof meta.metadata === 'object'
          ? { ...(meta.metadata as Record<string, string>) }
          : undefined,
      timeCreated: new Date().toISOString(),
    };
    objects.set(key, stored);
    return stored;
  }

  function download(o: StoredObject, req: IncomingMessage, res: ServerResponse): void {
    const gzipped = o.contentEncoding === 'gzip';
    const servesStored = !gzipped || /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const data = servesStored ? o.data : gunzipSync(o.data); // decompressive transcoding
    res.writeHead(200, {
      'Content-Type': o.contentType,
      'Content-Length': data.length,
      ...(gzipped && servesStored ? { 'Content-Encoding': 'gzip' } : {}),
      'X-Goog-Generation': o.generation,
      'X-Goog-Metageneration': '1',
      'X-Goog-Hash': `crc32c=${crc32c(o.data)},md5=${createHash('md5').update(o.data).digest('base64')}`,
      'X-Goog-Stored-Content-Encoding': o.contentEncoding ?? 'identity',
      'X-Goog-Stored-Content-Length': o.data.length,
    });
    res.end(data);
  }

  function list(bucket: string, query: URLSearchParams): Record<string, unknown> {
    requireBucket(bucket);
    if (query.has('delimiter')) throw new HttpError(501, 'delimiter is not implemented by the GCS test double.');
    const prefix = query.get('prefix') ?? '';
    const after = query.has('pageToken')
      ? Buffer.from(query.get('pageToken') ?? '', 'base64url').toString('utf8')
      : undefined;
    const max = Math.min(Number(query.get('maxResults') ?? options.pageSize ?? 1000), 1000);
    const names = [...objects.values()]
      .filter((o) => o.bucket === bucket && o.name.startsWith(prefix) && (after === undefined || o.name > after))
      .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    const page = names.slice(0, max);
    const last = page.at(-1);
    return {
      kind: 'storage#objects',
      ...(page.length > 0 ? { items: page.map((o) => resource(o, base)) } : {}),
      ...(names.length > max && last ? { nextPageToken: Buffer.from(last.name).toString('base64url') } : {}),
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> {
    const url = new URL(req.url ?? '/', base);
    const raw = url.pathname.split('/').slice(1);
    const segments = raw.map((s) => decodeURIComponent(s));
    const kind = kindOf(req.method ?? 'GET', segments, url.searchParams);
    Object.assign(record, { kind, path: `/${segments.join('/')}`, query: Object.fromEntries(url.searchParams) });
    stats[kind] += 1;

    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);

    const injection =
      hook?.({ method: record.method, path: record.path, query: url.searchParams, kind }) ?? takeQueued(kind);
    if (injection?.hang) return;
    if (injection && !injection.afterApply) throw new HttpError(injection.status);

    const bucket = kind === 'upload' ? (segments[4] ?? '') : (segments[3] ?? '');
    const name = raw
      .slice(5)
      .map((s) => decodeURIComponent(s))
      .join('/');
    let answer: () => void;
    if (kind === 'upload') {
      const stored = upload(bucket, url.searchParams, req, body);
      answer = () => sendJson(res, 200, resource(stored, base));
    } else if (kind === 'list') {
      const page = list(bucket, url.searchParams);
      answer = () => sendJson(res, 200, page);
    } else if (kind === 'metadata' || kind === 'download') {
      const found = find(bucket, name);
      const generation = url.searchParams.get('generation');
      if (generation !== null && generation !== found.generation) throw new HttpError(404, words.object(bucket, name));
      answer = kind === 'download' ? () => download(found, req, res) : () => sendJson(res, 200, resource(found, base));
    } else if (kind === 'delete') {
      find(bucket, name);
      objects.delete(`${bucket}/${name}`);
      answer = () => {
        res.writeHead(204);
        res.end();
      };
    } else {
      throw new HttpError(501, `${req.method ?? ''} ${url.pathname} is not implemented by the GCS test double.`);
    }
    if (injection) throw new HttpError(injection.status);
    answer();
  }

  const server = createServer((req, res) => {
    const record: RequestRecord = { method: req.method ?? 'GET', path: '', query: {}, kind: 'other', status: 0 };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    handle(req, res, record).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof HttpError) return sendError(res, error.status, error.message);
      return sendError(res, 500, error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    objects,
    buckets,
    stats,
    requests,
    object: (bucket, name) => objects.get(`${bucket}/${name}`),
    failNext(n, status = 503, rest = {}) {
      for (let i = 0; i < n; i += 1) queue.push({ ...rest, status });
    },
    setHook(next) {
      hook = next;
    },
    resetInjections() {
      queue.length = 0;
      hook = undefined;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
