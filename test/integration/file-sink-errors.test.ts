import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { loadServices, PermanentError, silentLog, TransientError } from '@rdc/contracts';
import { handleTask, planRun } from '@rdc/core';
import { formatStatus, readRunStatus } from '@rdc/local';
import { FileSink } from '@rdc/sinks';
import { type FileOps } from '@rdc/sinks/file-sink.js';
import { FakeSource, makeRecords, RecordingPublisher } from '../support/fakes.js';
import { tempDir } from '../support/hooks.js';
import { fixtureConfigDir } from '../unit/core-handler.test.js';

const errno = (code: string, syscall: string, path: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });

/**
 * What a read-only mount does (seen on a `mount -o ro` tmpfs): creating a file
 * fails with EROFS, and Node's recursive mkdir reports ENOENT, while a single
 * mkdir reports EROFS. Reads work.
 */
const readOnly: Partial<FileOps> = {
  open: (async (path: string, flags?: string) => {
    if (flags !== 'wx') return fs.open(path, flags);
    const folderExists = await fs.access(dirname(path)).then(
      () => true,
      () => false,
    );
    throw errno(folderExists ? 'EROFS' : 'ENOENT', 'open', path);
  }) as FileOps['open'],
  mkdir: ((path: string, options?: { recursive?: boolean }) =>
    fs.access(path).then(
      () => Promise.reject(errno('EEXIST', 'mkdir', path)),
      () => Promise.reject(errno(options?.recursive ? 'ENOENT' : 'EROFS', 'mkdir', path)),
    )) as FileOps['mkdir'],
  link: ((_a: string, b: string) => Promise.reject(errno('EROFS', 'link', b))) as FileOps['link'],
  rename: ((_a: string, b: string) => Promise.reject(errno('EROFS', 'rename', b))) as FileOps['rename'],
};

describe('folder sink: storage errors with their real cause', () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => ({ dir, cleanup } = tempDir()));
  afterEach(() => cleanup());

  it('a read-only file system is EROFS, permanent, in a new folder too (not ENOENT, not "retried")', async () => {
    const sink = new FileSink(dir, { fs: readOnly });
    for (const key of ['new/folder/page.ndjson', 'top.json']) {
      const error = (await sink.putIfAbsent(key, Buffer.from('x')).catch((e: unknown) => e)) as PermanentError;
      expect(error).to.be.instanceOf(PermanentError);
      expect(error.message).to.include('read-only (EROFS)').and.include(key);
      expect(error.message).not.to.include('ENOENT').and.not.include('retried');
    }
  });

  it('a file that vanishes between a clash and its check is a transient error saying so, not a folder in the way', async () => {
    // Another writer's file was there when the link failed, and something removed it before it was read.
    const link = ((_a: string, b: string) => Promise.reject(errno('EEXIST', 'link', b))) as FileOps['link'];
    const error = (await new FileSink(dir, { fs: { link } })
      .putIfAbsent('gone/page.ndjson', Buffer.from('x'))
      .catch((e: unknown) => e)) as Error;
    expect(error).to.be.instanceOf(TransientError);
    expect(error.message).to.include('gone/page.ndjson').and.include('vanished').and.include('removes files under');
    expect(error.message).not.to.include('folder has the name');
  });

  it('permission denied is EACCES, permanent', async () => {
    const open = ((path: string) => Promise.reject(errno('EACCES', 'open', path))) as FileOps['open'];
    const error = (await new FileSink(dir, { fs: { open } })
      .put('a.json', Buffer.from('x'))
      .catch((e: unknown) => e)) as Error;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include('permission denied (EACCES)');
  });

  it('a full disk is ENOSPC, permanent; the failing close after it does not hide it; no temp file is left', async () => {
    const open = (async (path: string, flags?: string) => {
      const handle = await fs.open(path, flags);
      return Object.assign(Object.create(handle) as fs.FileHandle, {
        writeFile: () => Promise.reject(errno('ENOSPC', 'write', path)),
        close: async () => {
          await handle.close();
          throw errno('EIO', 'close', path);
        },
      });
    }) as FileOps['open'];
    const sink = new FileSink(dir, { fs: { open } });
    const error = (await sink.putIfAbsent('p/page.ndjson', Buffer.from('x')).catch((e: unknown) => e)) as Error;
    expect(error).to.be.instanceOf(PermanentError);
    expect(error.message).to.include('no space left on the device (ENOSPC)').and.not.include('EIO');
    expect(readdirSync(join(dir, 'p'))).to.deep.equal([]);
  });

  it('removes temp files a killed writer left in a folder it writes to, and keeps young ones', async () => {
    mkdirSync(join(dir, 'p'));
    const old = join(dir, 'p', '.rdc-11111111-2222-3333-4444-555555555555.tmp');
    const young = join(dir, 'p', '.rdc-66666666-7777-8888-9999-000000000000.tmp');
    writeFileSync(old, 'half a page');
    writeFileSync(young, 'a page being written');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, hourAgo, hourAgo);
    await new FileSink(dir).putIfAbsent('p/page-000001.ndjson', Buffer.from('{}\n'));
    expect(readdirSync(join(dir, 'p')).sort()).to.deep.equal([
      '.rdc-66666666-7777-8888-9999-000000000000.tmp',
      'page-000001.ndjson',
    ]);
  });

  it('status with read-only access prints the status and says it could not seal', async () => {
    const catalog = loadServices(fixtureConfigDir);
    const source = new FakeSource(makeRecords(25));
    const writable = new FileSink(dir);
    const publisher = new RecordingPublisher();
    const plan = await planRun(
      {
        service: 'shop',
        endpoint: 'orders',
        start: new Date('2024-07-01T00:00:00Z'),
        end: new Date('2024-07-02T00:00:00Z'),
        now: new Date('2024-07-03T00:00:00Z'),
        endGranularityMs: 3_600_000,
      },
      { catalog, source, sink: writable, publisher, log: silentLog },
    );
    const deps = { catalog, sourceFor: () => source, sink: writable, log: silentLog };
    for (const task of publisher.tasks) await handleTask(task, deps);

    const status = await readRunStatus(plan.manifest.runId, new FileSink(dir, { fs: readOnly }));
    expect(status).to.include({ complete: true, succeeded: false, landedPages: 3 });
    expect(status.sealError).to.include('EROFS');
    expect(formatStatus(status)).to.include('State        complete').and.include('could not seal the run');
  });
});
