import { randomUUID } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, PermanentError, TransientError, type PutResult, type Sink } from '@rdc/contracts';
import { validateKey, validatePrefix } from './keys.js';

/**
 * A sink rooted at a local folder: the object `a/b.ndjson` is the file `<root>/a/b.ndjson`.
 *
 * Only the bytes are stored. Content type, encoding and metadata from PutOptions are
 * not kept (no sidecar files), so the folder can be read as it is by BigQuery external
 * tables or Spark. Writes go to a hidden temporary file in the target folder
 * (`.rdc-<uuid>.tmp`, skipped by `list`, Spark and BigQuery), are fsynced, then appear
 * atomically: `link` for putIfAbsent (fails if the key exists), `rename` for put.
 *
 * @example
 * const sink = new FileSink('./data');
 * await sink.putIfAbsent('retail/sales/dt=2024-07-01/page-000001.ndjson', body); // 'created'
 */
export class FileSink implements Sink {
  readonly url: string;
  /** Absolute path of the root folder. */
  readonly root: string;
  private readonly folderSyncs = new FolderSyncs();

  constructor(rootDir: string) {
    if (typeof rootDir !== 'string' || rootDir.trim() === '') {
      throw new ConfigError(`Expected \`rootDir\` to be a folder path, got \`${String(rootDir)}\` (${typeof rootDir})`);
    }
    this.root = resolve(rootDir);
    this.url = pathToFileURL(this.root).href;
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<PutResult> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(target, body, key);
    try {
      await link(temp, target);
      await this.folderSyncs.sync(dirname(target));
      return 'created';
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw fileError(error, 'write', this.urlOf(key));
      if (await isFile(target)) return 'exists';
      throw new PermanentError(`Could not write ${this.urlOf(key)}: ${PERMANENT.EISDIR}.`, { path: this.urlOf(key) });
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(target, body, key);
    try {
      await rename(temp, target);
      await this.folderSyncs.sync(dirname(target));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw fileError(error, 'replace', this.urlOf(key));
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    const target = this.pathOf(key);
    try {
      return await readFile(target);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw fileError(error, 'read', this.urlOf(key));
    }
  }

  async exists(key: string): Promise<boolean> {
    const target = this.pathOf(key);
    try {
      return (await lstat(target)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw fileError(error, 'check', this.urlOf(key));
    }
  }

  async delete(key: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      await unlink(target);
      await this.folderSyncs.sync(dirname(target));
    } catch (error) {
      if (!isMissing(error)) throw fileError(error, 'remove', this.urlOf(key));
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix, this.url);
    // Walk only the deepest folder the prefix names: "a/b/page-" -> "a/b".
    const base = prefix.slice(0, Math.max(prefix.lastIndexOf('/'), 0));
    const keys: string[] = [];
    try {
      await walk(join(this.root, ...base.split('/')), base, keys);
    } catch (error) {
      throw fileError(error, 'list', `${this.url}/${prefix}`);
    }
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  private pathOf(key: string): string {
    return join(this.root, ...validateKey(key, this.url).split('/'));
  }

  private urlOf(key: string): string {
    return `${this.url}/${key}`;
  }

  /**
   * Writes and fsyncs `body` to a new hidden file next to `target`, and returns its path.
   * The folder is created only when the open finds it missing (once per folder, not per page).
   */
  private async writeTemp(target: string, body: Uint8Array, key: string): Promise<string> {
    const folder = dirname(target);
    const temp = join(folder, `.rdc-${randomUUID()}.tmp`);
    try {
      const handle = await open(temp, 'wx').catch(async (error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
        await mkdir(folder, { recursive: true });
        return open(temp, 'wx');
      });
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return temp;
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw fileError(error, 'write', this.urlOf(key));
    }
  }
}

async function walk(folder: string, relative: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // temporary and hidden files
    const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) await walk(join(folder, entry.name), key, out);
    else if (entry.isFile()) out.push(key);
  }
}

/**
 * Folder fsyncs with group commit: one fsync makes every entry linked into the folder
 * before it started durable, so a caller waits for the next fsync to start after its
 * call, and all callers waiting for it share it. With 16 pages landing at once this
 * is a fraction of the fsyncs of one per page, with the same guarantee.
 */
class FolderSyncs {
  private readonly folders = new Map<string, { running: boolean; waiting: (() => void)[] }>();

  sync(folder: string): Promise<void> {
    let state = this.folders.get(folder);
    if (!state) this.folders.set(folder, (state = { running: false, waiting: [] }));
    const done = new Promise<void>((resolve) => state.waiting.push(resolve));
    if (!state.running) this.run(folder, state);
    return done;
  }

  private run(folder: string, state: { running: boolean; waiting: (() => void)[] }): void {
    state.running = true;
    const covered = state.waiting.splice(0);
    void syncFolder(folder)
      .catch(() => undefined)
      .then(() => {
        for (const resolve of covered) resolve();
        state.running = false;
        if (state.waiting.length > 0) this.run(folder, state);
        else this.folders.delete(folder);
      });
  }
}

/** Makes a new or renamed directory entry durable. Not every platform can fsync a folder (Windows): best effort. */
async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // The file itself was fsynced before it was linked; only the entry's durability is at stake.
  } finally {
    await handle.close();
  }
}

async function isFile(path: string): Promise<boolean> {
  return lstat(path).then(
    (stats) => stats.isFile(),
    () => false,
  );
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

const PERMANENT: Record<string, string> = {
  EACCES: "check that the worker's user may write to the folder",
  EPERM: "check that the worker's user may write to the folder, and that the file system supports hard links",
  EROFS: 'the file system is read-only; point the sink at a writable folder',
  ENOTDIR: "a file has the name of one of the key's folders; keys must not nest under a file",
  EISDIR: 'a folder has the name of the key; keys must not name a folder',
  EEXIST: "a file has the name of one of the key's folders; keys must not nest under a file",
  ENAMETOOLONG: 'the path is too long for this file system; use a shorter root folder',
  ENOTSUP: 'the file system does not support hard links; use a local disk',
  EXDEV: 'the file system does not support hard links; use a local disk',
};

/** Classifies a file system error: permissions and layout problems are permanent, the rest (ENOSPC, EMFILE, EIO) transient. */
function fileError(error: unknown, action: string, url: string): Error {
  const code = errorCode(error) ?? 'unknown error';
  const detail = error instanceof Error ? error.message : String(error);
  const hint = PERMANENT[code];
  if (hint)
    return new PermanentError(`Could not ${action} ${url} (${detail}): ${hint}.`, { path: url }, { cause: error });
  const retryHint = code === 'ENOSPC' ? 'free disk space; ' : '';
  return new TransientError(
    `Could not ${action} ${url} (${detail}); ${retryHint}it will be retried.`,
    { path: url },
    { cause: error },
  );
}
