import type { Bucket, File, Storage } from '@google-cloud/storage';
import {
  ConfigError,
  ConnectorError,
  TransientError,
  type PutOptions,
  type PutResult,
  type Sink,
} from '@rdc/contracts';
import { bucketNameProblem } from './bucket-name.js';
import { GCS_DEFAULTS } from './defaults.js';
import { createStorage } from './gcs-client.js';
import { BucketPresence } from './gcs-bucket.js';
import { gcsError, missingBucketError, statusOf, type GcsAction } from './gcs-errors.js';
import { isOwnWrite, prepareUpload, type FoundObject, type Upload } from './gcs-upload.js';
import { keyProblem, validateKey, validatePrefix } from './keys.js';

export interface GcsSinkOptions {
  /** Bucket name. @example 'acme-retail-raw' */
  bucket: string;
  /** Folder inside the bucket that keys are relative to, without leading or trailing `/`. @default '' @example 'landing/v1' */
  prefix?: string;
  /** Google Cloud project. @default the credentials' project; 'local-project' against an endpoint override */
  projectId?: string;
  /**
   * Endpoint override, e.g. a storage emulator. When unset, STORAGE_EMULATOR_HOST is used if set.
   * Requests to an override carry no credentials unless `useAuthWithCustomEndpoint` is set.
   * @example 'http://127.0.0.1:4443'
   */
  apiEndpoint?: string;
  /** Send credentials to an endpoint override too (a private GCS endpoint, not an emulator). @default false */
  useAuthWithCustomEndpoint?: boolean;
  /**
   * gzip NDJSON bodies (content type application/x-ndjson) that are not already encoded, and store
   * them with `Content-Encoding: gzip`. Other objects (JSON state read back with `get`) and bodies
   * passed with `contentEncoding: 'gzip'` are stored as given. `get` returns the stored bytes.
   * @default false
   */
  gzip?: boolean;
  /**
   * Total time one call may take, retries included, in ms. Keep it under the Pub/Sub ack deadline.
   * Only the outer bound applies to an injected `storage`, whose retry options are its own.
   * @default 50_000
   */
  deadlineMs?: number;
  /** A ready client (tests, custom auth). @default a client built from the options above */
  storage?: Storage;
}

/**
 * A sink in a Cloud Storage bucket, under an optional prefix. Pages are written once:
 * single-request uploads with `ifGenerationMatch: 0`, where 412 means the object has
 * already landed: `created` when it is this call's own upload (tagged with a write id,
 * see WRITE_ID_KEY) whose reply was lost, `exists` when another writer's.
 * Retries (5xx, 429, timeouts) happen inside the client, within `deadlineMs`.
 *
 * @example
 * const sink = new GcsSink({ bucket: 'acme-retail-raw', prefix: 'landing' });
 * await sink.putIfAbsent('retail/sales/dt=2024-07-01/page-000001.ndjson', body); // 'created' or 'exists'
 */
export class GcsSink implements Sink {
  readonly url: string;
  private readonly bucketName: string;
  private readonly bucket: Bucket;
  /** '' or 'a/b/'. */
  private readonly root: string;
  private readonly gzip: boolean;
  private readonly deadlineMs: number;
  private readonly presence: BucketPresence;

  constructor(options: GcsSinkOptions) {
    const bucketProblem = typeof options.bucket === 'string' ? bucketNameProblem(options.bucket) : 'it is not a string';
    if (bucketProblem !== undefined) {
      throw new ConfigError(
        `Expected \`bucket\` to be a Cloud Storage bucket name, got \`${String(options.bucket)}\` (${typeof options.bucket}): ${bucketProblem}.`,
      );
    }
    const prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    const prefixProblem = prefix === '' ? undefined : keyProblem(prefix);
    if (prefixProblem !== undefined) {
      throw new ConfigError(
        `Expected \`prefix\` to be a folder such as "landing/v1", got \`${prefix}\`: ${prefixProblem}.`,
      );
    }
    const deadlineMs = options.deadlineMs ?? GCS_DEFAULTS.deadlineMs;
    if (typeof deadlineMs !== 'number' || !Number.isFinite(deadlineMs) || deadlineMs < GCS_DEFAULTS.minDeadlineMs) {
      throw new ConfigError(
        `Expected \`deadlineMs\` to be a finite number >= ${GCS_DEFAULTS.minDeadlineMs}, got \`${String(deadlineMs)}\` (${typeof deadlineMs})`,
      );
    }
    this.bucketName = options.bucket;
    this.root = prefix === '' ? '' : `${prefix}/`;
    this.url = `gs://${options.bucket}${prefix === '' ? '' : `/${prefix}`}`;
    this.gzip = options.gzip ?? false;
    this.deadlineMs = deadlineMs;
    const storage =
      options.storage ??
      createStorage({
        deadlineMs,
        projectId: options.projectId,
        apiEndpoint: options.apiEndpoint,
        useAuthWithCustomEndpoint: options.useAuthWithCustomEndpoint,
      });
    this.bucket = storage.bucket(options.bucket);
    this.presence = new BucketPresence(() =>
      this.bucket.getFiles({ maxResults: 1, autoPaginate: false, ...(this.root ? { prefix: this.root } : {}) }),
    );
  }

  async putIfAbsent(key: string, body: Uint8Array, options: PutOptions = {}): Promise<PutResult> {
    const file = this.fileOf(key);
    const upload = prepareUpload(body, options, this.gzip, true);
    try {
      return await this.withinDeadline('write', key, async () => {
        try {
          await this.upload(file, upload, 0);
          return 'created';
        } catch (error) {
          if (statusOf(error) !== 412) throw error;
        }
        // 412: an object is there. Ours when our upload landed but its reply was lost and the client's retry found it.
        const found = await this.metadataOf(file, 'check', key);
        if (found === undefined) {
          throw new TransientError(
            `${this.urlOf(key)} was there when written, then gone when looked up: something else removes objects under the sink URL (--sink or RDC_SINK).`,
            { path: this.urlOf(key) },
          );
        }
        return isOwnWrite(found, upload, this.urlOf(key)) ? 'created' : 'exists';
      });
    } catch (error) {
      throw await this.failure(error, 'write', key);
    }
  }

  /**
   * Replaces with a precondition on the current generation, so the upload stays
   * conditionally idempotent and is retried like any other. (An unconditional upload
   * makes the library switch off retries on the shared client, for every later call.)
   */
  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<void> {
    const file = this.fileOf(key);
    const upload = prepareUpload(body, options, this.gzip, false);
    try {
      await this.withinDeadline('replace', key, async () => {
        for (let attempt = 1; ; attempt += 1) {
          const generation = (await this.metadataOf(file, 'replace', key))?.generation ?? 0;
          try {
            return await this.upload(file, upload, generation);
          } catch (error) {
            if (statusOf(error) !== 412 || attempt === 3) throw error;
          }
        }
      });
    } catch (error) {
      throw await this.failure(error, 'replace', key);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    const file = this.fileOf(key);
    try {
      // decompress: false returns the bytes as stored, still gzip-compressed if they were.
      const [data] = await this.withinDeadline('read', key, () => file.download({ decompress: false }));
      return data;
    } catch (error) {
      if (statusOf(error) === 404 && (await this.bucketExists('read', key))) return undefined;
      throw await this.failure(error, 'read', key);
    }
  }

  async exists(key: string): Promise<boolean> {
    const file = this.fileOf(key);
    try {
      return (await this.withinDeadline('check', key, () => this.metadataOf(file, 'check', key))) !== undefined;
    } catch (error) {
      throw await this.failure(error, 'check', key);
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.fileOf(key);
    try {
      await this.withinDeadline('remove', key, () => file.delete({ ignoreNotFound: true }));
    } catch (error) {
      throw await this.failure(error, 'remove', key);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix, this.url);
    const full = `${this.root}${prefix}`;
    try {
      const [files] = await this.withinDeadline('list', prefix, () =>
        this.bucket.getFiles({ autoPaginate: true, ...(full === '' ? {} : { prefix: full }) }),
      );
      return files
        .map((file) => file.name.slice(this.root.length))
        .filter((key) => key !== '' && !key.endsWith('/')) // console "folder" placeholders
        .sort();
    } catch (error) {
      throw await this.failure(error, 'list', prefix);
    }
  }

  private fileOf(key: string): File {
    return this.bucket.file(`${this.root}${validateKey(key, this.url)}`);
  }

  /** The object's metadata, or undefined when it does not exist (in a bucket that does). */
  private async metadataOf(
    file: File,
    action: GcsAction,
    key: string,
  ): Promise<(FoundObject & { generation?: string | number }) | undefined> {
    try {
      const [metadata] = await file.getMetadata();
      return metadata;
    } catch (error) {
      if (statusOf(error) === 404 && (await this.bucketExists(action, key))) return undefined;
      throw error;
    }
  }

  /**
   * After an object 404: true when the bucket exists, so the 404 is the object's. Throws
   * the error to report when the bucket is missing or the question fails. `fresh` after
   * a write or list 404, which an existing bucket does not give.
   */
  private async bucketExists(action: GcsAction, key: string, fresh = false): Promise<boolean> {
    let exists: boolean;
    try {
      exists = await this.presence.exists(fresh);
    } catch (error) {
      throw gcsError(error, 'list', this.url, this.bucketName);
    }
    if (!exists) throw missingBucketError(action, this.urlOf(key), this.bucketName);
    return true;
  }

  private async upload(file: File, upload: Upload, ifGenerationMatch: number | string): Promise<void> {
    await file.save(upload.data, {
      resumable: false,
      metadata: upload.metadata,
      // Passed as preconditionOpts (not as a query option) so the library knows the upload is conditional and retries it.
      preconditionOpts: { ifGenerationMatch },
    });
  }

  /** Runs `work`, giving up with a TransientError once `deadlineMs` has passed. */
  private async withinDeadline<T>(action: GcsAction, key: string, work: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const url = this.urlOf(key);
        reject(
          new TransientError(`Could not ${action} ${url} within ${this.deadlineMs} ms; another attempt can succeed.`, {
            path: url,
          }),
        );
      }, this.deadlineMs);
    });
    const running = work();
    running.catch(() => undefined); // a failure after the deadline has nobody left to tell
    try {
      return await Promise.race([running, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async failure(error: unknown, action: GcsAction, key: string): Promise<ConnectorError> {
    if (error instanceof ConnectorError) return error;
    if (statusOf(error) === 404) {
      // Only get and exists expect a 404 (and ask first); on any other call ask afresh.
      const asked = await this.bucketExists(action, key, true).catch((problem: unknown) => problem);
      if (asked instanceof ConnectorError) return asked;
    }
    return gcsError(error, action, this.urlOf(key), this.bucketName);
  }

  private urlOf(key: string): string {
    return `gs://${this.bucketName}/${this.root}${key}`;
  }
}
