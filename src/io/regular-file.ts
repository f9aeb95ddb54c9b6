/**
 * Opening a file for reading only when it is a regular file. The open is non-blocking (a FIFO with
 * no writer would otherwise hold it for ever), and the check is an fstat of the opened descriptor,
 * so the file checked is the file read: a path swapped between a stat and the open changes nothing.
 * FIFOs, devices (a link to /dev/zero), sockets and directories are refused; a symlink to a regular
 * file is read.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/** Cap for settings and side files: they are small, and a file much larger is not one. */
export const SIDE_FILE_MAX_BYTES = 16 * 1024 * 1024;

const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

export class RegularFile {
  private constructor(
    readonly path: string,
    readonly fd: number,
    /** Size when opened (fstat of the descriptor). */
    readonly size: number,
  ) {}

  /** Opens `path`; throws (naming it) when it is missing, unreadable or not a regular file. */
  static open(path: string): RegularFile {
    const fd = openSync(path, READ_FLAGS);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new Error(`${path}: ${kindOf(st)}, not a regular file; not read`);
      return new RegularFile(path, fd, st.size);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The first `size` bytes (what the file held when opened; fewer if it shrank since). */
  readAll(): Buffer {
    const buf = Buffer.allocUnsafe(this.size);
    let n = 0;
    while (n < this.size) {
      const read = readSync(this.fd, buf, n, this.size - n, n);
      if (read === 0) break;
      n += read;
    }
    return buf.subarray(0, n);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** The whole of a regular file of at most `maxBytes`; anything else throws, naming the path. */
export function readRegularFile(path: string, maxBytes: number): Buffer {
  const file = RegularFile.open(path);
  try {
    if (file.size > maxBytes)
      throw new Error(`${path}: ${file.size} bytes, more than the ${maxBytes} such a file may have; not read`);
    return file.readAll();
  } finally {
    file.close();
  }
}
