import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Largest service config file read. @default 1 MiB */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;
/** Largest secret file (`<VAR>_FILE`) read. @default 64 KiB */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** What a path that is not a regular file is, for messages. */
function kindOf(stats: ReturnType<typeof fstatSync>): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a file could not be read: the message names what was wrong, never its content. */
export class SmallFileError extends Error {}

/**
 * Reads a small regular file whole, promptly and in bounded memory: a named
 * pipe is not waited on (opened non-blocking), and a device (`/dev/zero`), a
 * folder or a file over `maxBytes` is refused without reading it. Symbolic links
 * are followed; what they point at must be a regular file too.
 */
export function readSmallFile(path: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw new SmallFileError(`cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'open error'})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new SmallFileError(`is ${kindOf(stats)}, not a regular file`);
    if (stats.size > maxBytes) throw new SmallFileError(`holds ${stats.size} bytes, more than the ${maxBytes} allowed`);
    // One byte more than allowed: a file that grew since fstat is refused too.
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) throw new SmallFileError(`holds more than the ${maxBytes} bytes allowed`);
    }
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof SmallFileError) throw error;
    throw new SmallFileError(`cannot be read (${(error as NodeJS.ErrnoException).code ?? 'read error'})`);
  } finally {
    closeSync(fd);
  }
}
