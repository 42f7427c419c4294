import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type PutResult, type Sink, TransientError } from '@rdc/contracts';
import { errorCode, fileError, isMissing, mkdirCause, TEMP_FILE } from './file-errors.js';
import { validateKey, validatePrefix } from './keys.js';

/** The file system calls the folder sink makes: node:fs/promises, or a fake in tests (a full or read-only disk). */
export type FileOps = Pick<
  typeof fs,
  'link' | 'lstat' | 'mkdir' | 'open' | 'readdir' | 'readFile' | 'rename' | 'unlink' | 'stat'
>;

export interface FileSinkOptions {
  /** @default node:fs/promises */
  fs?: Partial<FileOps>;
  /**
   * Temporary files (`.rdc-<uuid>.tmp`) older than this, left by a writer that was
   * killed mid-write, are removed from each folder the sink first writes to.
   * @default 600_000 (10 min)
   */
  orphanAgeMs?: number;
}

/**
 * A sink rooted at a local folder: the object `a/b.ndjson` is the file `<root>/a/b.ndjson`.
 *
 * Only the bytes are stored. Content type, encoding and metadata from PutOptions are
 * not kept (no sidecar files), so the folder can be read as it is by BigQuery external
 * tables or Spark. Writes go to a hidden temporary file in the target folder
 * (`.rdc-<uuid>.tmp`, skipped by `list`, Spark and BigQuery), are fsynced, then appear
 * atomically: `link` for putIfAbsent (fails if the key exists), `rename` for put.
 * A link reported as failed that did land (a network file system that retried it)
 * is told apart by inode and counts as this call's: `created`.
 *
 * @example
 * const sink = new FileSink('./data');
 * await sink.putIfAbsent('retail/sales/dt=2024-07-01/page-000001.ndjson', body); // 'created'
 */
export class FileSink implements Sink {
  readonly url: string;
  /** Absolute path of the root folder. */
  readonly root: string;
  private readonly folderSyncs: FolderSyncs;
  private readonly ops: FileOps;
  private readonly orphanAgeMs: number;
  /** Folders swept for orphaned temporary files by this sink. */
  private readonly swept = new Set<string>();

  constructor(rootDir: string, options: FileSinkOptions = {}) {
    if (typeof rootDir !== 'string' || rootDir.trim() === '') {
      throw new ConfigError(`Expected \`rootDir\` to be a folder path, got \`${String(rootDir)}\` (${typeof rootDir})`);
    }
    this.root = resolve(rootDir);
    this.url = pathToFileURL(this.root).href;
    this.ops = { ...fs, ...options.fs };
    this.orphanAgeMs = options.orphanAgeMs ?? 600_000;
    this.folderSyncs = new FolderSyncs(this.ops);
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<PutResult> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(target, body, key);
    try {
      await this.ops.link(temp, target);
      await this.folderSyncs.sync(dirname(target));
      return 'created';
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw fileError(error, 'write', this.urlOf(key));
      const owner = await ownerOf(this.ops, target, temp);
      if (owner === 'this call') {
        // The link was made but reported as failed (a network file system retried it): our write.
        await this.folderSyncs.sync(dirname(target));
        return 'created';
      }
      if (owner === 'another') return 'exists';
      if (owner === 'vanished') {
        throw new TransientError(
          `Could not write ${this.urlOf(key)}: a file had that name, then vanished before it could be read. ` +
            `Something else removes files under ${this.url}; stop it, then retry.`,
          { path: this.urlOf(key) },
          { cause: error },
        );
      }
      throw fileError(
        Object.assign(new Error('a folder has the name of the key'), { code: 'EISDIR' }),
        'write',
        this.urlOf(key),
      );
    } finally {
      await this.ops.unlink(temp).catch(() => undefined);
    }
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const target = this.pathOf(key);
    const temp = await this.writeTemp(target, body, key);
    try {
      await this.ops.rename(temp, target);
      await this.folderSyncs.sync(dirname(target));
    } catch (error) {
      await this.ops.unlink(temp).catch(() => undefined);
      throw fileError(error, 'replace', this.urlOf(key));
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    const target = this.pathOf(key);
    try {
      return await this.ops.readFile(target);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw fileError(error, 'read', this.urlOf(key));
    }
  }

  async exists(key: string): Promise<boolean> {
    const target = this.pathOf(key);
    try {
      return (await this.ops.lstat(target)).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw fileError(error, 'check', this.urlOf(key));
    }
  }

  async delete(key: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      await this.ops.unlink(target);
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
      await walk(this.ops, join(this.root, ...base.split('/')), base, keys);
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
      const handle = await this.ops.open(temp, 'wx').catch(async (error: unknown) => {
        if (errorCode(error) !== 'ENOENT') throw error;
        await this.ops.mkdir(folder, { recursive: true }).catch(async (mkdirError: unknown) => {
          throw await mkdirCause(this.ops, folder, mkdirError);
        });
        return this.ops.open(temp, 'wx');
      });
      let failure: unknown;
      try {
        await handle.writeFile(body);
        await handle.sync();
      } catch (error) {
        failure = error;
      }
      // A close that fails after a failed write must not hide the write's error.
      await handle.close().catch((error: unknown) => {
        failure ??= error;
      });
      if (failure !== undefined)
        throw failure instanceof Error ? failure : new Error('write failed', { cause: failure });
    } catch (error) {
      await this.ops.unlink(temp).catch(() => undefined);
      throw fileError(error, 'write', this.urlOf(key));
    }
    await this.sweepOrphans(folder);
    return temp;
  }

  /**
   * Once per folder: removes temporary files a killed writer left behind, when
   * older than `orphanAgeMs` (a live writer's are younger). Best effort.
   */
  private async sweepOrphans(folder: string): Promise<void> {
    if (this.swept.has(folder)) return;
    this.swept.add(folder);
    const names = await this.ops.readdir(folder).catch(() => [] as string[]);
    const cutoff = Date.now() - this.orphanAgeMs;
    for (const name of names) {
      if (!TEMP_FILE.test(name)) continue;
      const path = join(folder, name);
      const stats = await this.ops.stat(path).catch(() => undefined);
      if (stats && stats.mtimeMs < cutoff) await this.ops.unlink(path).catch(() => undefined);
    }
  }
}

async function walk(ops: FileOps, folder: string, relative: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await ops.readdir(folder, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue; // temporary and hidden files
    const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) await walk(ops, join(folder, entry.name), key, out);
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
  constructor(private readonly ops: FileOps) {}

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
    void syncFolder(this.ops, folder)
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
async function syncFolder(ops: FileOps, folder: string): Promise<void> {
  const handle = await ops.open(folder, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // The file itself was fsynced before it was linked; only the entry's durability is at stake.
  } finally {
    await handle.close();
  }
}

/**
 * Whose file is at `target` after a link to it failed with EEXIST: this call's when it is
 * the very file `temp` names (same device and inode, so not merely the same bytes),
 * another writer's when it is some other file, vanished when nothing is there any more,
 * none when it is not a file.
 */
async function ownerOf(
  ops: FileOps,
  target: string,
  temp: string,
): Promise<'this call' | 'another' | 'vanished' | 'none'> {
  let gone = false;
  const there = await ops.lstat(target, { bigint: true }).catch((error: unknown) => {
    gone = isMissing(error);
    return undefined;
  });
  if (gone) return 'vanished';
  if (!there?.isFile()) return 'none';
  const mine = await ops.lstat(temp, { bigint: true }).catch(() => undefined);
  return mine !== undefined && mine.ino === there.ino && mine.dev === there.dev ? 'this call' : 'another';
}
