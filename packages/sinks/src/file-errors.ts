import { dirname, parse } from 'node:path';
import { PermanentError, TransientError } from '@rdc/contracts';

export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** Errors retrying cannot fix, each named and with what the user can do. */
const PERMANENT: Record<string, string> = {
  EACCES: "permission denied (EACCES): check that the worker's user may write to the folder",
  EPERM:
    "operation not permitted (EPERM): check that the worker's user may write to the folder, and that the file system supports hard links",
  EROFS: 'the file system is read-only (EROFS): point the sink at a writable folder, or remount it read-write',
  ENOSPC: 'no space left on the device (ENOSPC): free disk space, then resume the run',
  EDQUOT: 'the disk quota is used up (EDQUOT): free space or raise the quota, then resume the run',
  ENOTDIR: "a file has the name of one of the key's folders (ENOTDIR); keys must not nest under a file",
  EISDIR: 'a folder has the name of the key (EISDIR); keys must not name a folder',
  EEXIST: "a file has the name of one of the key's folders (EEXIST); keys must not nest under a file",
  ENAMETOOLONG: 'the path is too long for this file system (ENAMETOOLONG); use a shorter root folder',
  ENOTSUP: 'the file system does not support hard links (ENOTSUP); use a local disk',
  EXDEV: 'the file system does not support hard links (EXDEV); use a local disk',
};

/**
 * Classifies a file system error: permissions, a read-only or full disk and
 * layout problems are permanent (named, with a remedy); the rest (EMFILE, EIO,
 * EBUSY) transient.
 */
export function fileError(error: unknown, action: string, url: string): Error {
  const code = errorCode(error) ?? 'unknown error';
  const detail = error instanceof Error ? error.message : String(error);
  const hint = PERMANENT[code];
  if (hint)
    return new PermanentError(`Could not ${action} ${url}: ${hint}. (${detail})`, { path: url }, { cause: error });
  return new TransientError(
    `Could not ${action} ${url} (${detail}); the error can pass, so another attempt can succeed.`,
    { path: url },
    { cause: error },
  );
}

/** The parts of the file system API the folder sink uses, injectable at this boundary (tests: a full or read-only disk). */
export interface FolderOps {
  mkdir(path: string, options?: { recursive?: boolean }): Promise<unknown>;
}

/**
 * Node's recursive mkdir reports ENOENT when a folder cannot be created on a
 * read-only or forbidden file system. This makes each missing folder from the
 * top down, one at a time, and returns the error that really stopped it
 * (EROFS, EACCES...), or `error` when none shows.
 */
export async function mkdirCause(ops: FolderOps, folder: string, error: unknown): Promise<unknown> {
  if (errorCode(error) !== 'ENOENT') return error;
  const chain: string[] = [];
  for (let at = folder; at !== parse(at).root && at !== dirname(at); at = dirname(at)) chain.unshift(at);
  for (const path of chain) {
    try {
      await ops.mkdir(path);
    } catch (step) {
      const code = errorCode(step);
      if (code === 'EEXIST') continue;
      if (code !== 'ENOENT') return step;
    }
  }
  return error;
}

export const TEMP_FILE = /^\.rdc-[0-9a-f-]{36}\.tmp$/;
