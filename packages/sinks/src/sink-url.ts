import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type Sink } from '@rdc/contracts';
import { bucketNameProblem } from './bucket-name.js';
import { FileSink } from './file-sink.js';
import { GcsSink, type GcsSinkOptions } from './gcs-sink.js';
import { keyProblem } from './keys.js';

/** Where a sink URL points. */
export type SinkLocation = { kind: 'gcs'; bucket: string; prefix: string } | { kind: 'file'; root: string };

const FORMS =
  'Use gs://bucket or gs://bucket/prefix for Cloud Storage, or file:///absolute/folder or a folder path for the local disk.';

function invalid(url: string, why: string): ConfigError {
  return new ConfigError(`Invalid sink URL \`${url}\`: ${why}. ${FORMS}`);
}

/**
 * Parses a sink URL: `gs://bucket[/prefix]`, `file:///abs/folder`, or a folder path
 * (relative paths resolve against `cwd`). Throws a ConfigError naming the value.
 */
export function parseSinkUrl(url: string, cwd: string = process.cwd()): SinkLocation {
  if (typeof url !== 'string' || url.trim() === '') throw invalid(String(url), 'it is empty');
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'gs') {
    const [bucket = '', ...rest] = url.slice('gs://'.length).split('/');
    const bucketProblem = bucketNameProblem(bucket);
    if (bucketProblem !== undefined) throw invalid(url, `bucket name "${bucket}" is not valid: ${bucketProblem}`);
    const prefix = rest.join('/').replace(/\/+$/, '');
    const prefixProblem = prefix === '' ? undefined : keyProblem(prefix);
    if (prefixProblem !== undefined) throw invalid(url, `prefix "${prefix}" is not valid: ${prefixProblem}`);
    return { kind: 'gcs', bucket, prefix };
  }
  if (scheme === 'file') {
    let root: string;
    try {
      root = fileURLToPath(url);
    } catch (error) {
      throw invalid(url, error instanceof Error ? error.message : String(error));
    }
    if (!isAbsolute(root)) throw invalid(url, 'a file URL must hold an absolute path');
    return { kind: 'file', root };
  }
  if (scheme !== undefined) throw invalid(url, `"${scheme}://" is not supported`);
  return { kind: 'file', root: resolve(cwd, url) };
}

export interface CreateSinkOptions {
  /** Options for a gs:// sink; bucket and prefix come from the URL. */
  gcs?: Partial<Omit<GcsSinkOptions, 'bucket' | 'prefix'>>;
  /** Folder that relative paths resolve against. @default process.cwd() */
  cwd?: string;
}

/** Builds the sink a URL names. */
export function createSink(url: string, options: CreateSinkOptions = {}): Sink {
  const location = parseSinkUrl(url, options.cwd);
  if (location.kind === 'file') return new FileSink(location.root);
  return new GcsSink({ ...options.gcs, bucket: location.bucket, prefix: location.prefix });
}
