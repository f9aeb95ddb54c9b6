/**
 * A file written in the open, then published whole: temp file in the same directory, buffered
 * writes, fsync, rename. Readers see the old file or the new one, never a mix; a crash leaves only
 * a temp file, which the next run removes (`TEMP_MARKER`).
 */
import { closeSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const TEMP_MARKER = '.tmp-';
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const FLUSH_AT = 256 * 1024;
/** The name AtomicFile gives its temp file: `.<final name>${TEMP_MARKER}<pid>-<n>`. */
const OUR_TEMP = /^\..+\.tmp-\d+-\d+$/;
let counter = 0;

/** Test hook: lets tests inject a write failure (e.g. a full disk) into every file the tool writes. */
export const writeFaults: { beforeWrite: ((path: string) => void) | null } = { beforeWrite: null };

/** Writes a small whole file (state, index) atomically with write-file-atomic, private to the user. */
export async function writeWholeFile(path: string, text: string): Promise<void> {
  writeFaults.beforeWrite?.(path);
  const { default: writeFileAtomic } = await import('write-file-atomic');
  await writeFileAtomic(path, text, { mode: FILE_MODE });
}

/**
 * Removes the temp files a killed run left in `dir`: ours (`.<name>.tmp-<pid>-<n>`, see
 * AtomicFile) and write-file-atomic's (`<name>.<number>`) for the `wholeFiles` written there. Never
 * anything else: a session id may itself contain the marker, but a session file never starts with
 * a dot.
 */
export function removeTempFiles(dir: string, wholeFiles: readonly string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const dot = name.lastIndexOf('.');
    const leftover = OUR_TEMP.test(name) || (wholeFiles.includes(name.slice(0, dot)) && /^\.\d+$/.test(name.slice(dot)));
    if (leftover) discard(join(dir, name));
  }
}

/** Renames a prepared temp file over its final path: the moment the new content appears. */
export function publish(tempPath: string, path: string): void {
  renameSync(tempPath, path);
}

/**
 * fsyncs many closed files at once. One fsync costs milliseconds, but concurrent ones share the
 * file system's journal commit, so a batch of a thousand takes about as long as a few.
 */
export async function makeDurable(paths: readonly string[], parallel = 64): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const handle = await open(paths[next++]!, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, paths.length) }, worker));
}

/** Drops a prepared temp file that will not be published. */
export function discard(tempPath: string): void {
  try {
    unlinkSync(tempPath);
  } catch {
    // already gone
  }
}

/** Write buffers are reused across files: a cold import opens thousands. */
const freeBuffers: Buffer[] = [];
function takeBuffer(): Buffer {
  return freeBuffers.pop() ?? Buffer.allocUnsafe(FLUSH_AT);
}
function giveBack(buf: Buffer | null): void {
  if (buf && freeBuffers.length < 16) freeBuffers.push(buf);
}

export class AtomicFile {
  private fd: number;
  readonly tempPath: string;
  private buf: Buffer | null = null;
  private used = 0;
  private closed = false;
  bytesWritten = 0;

  constructor(readonly path: string) {
    this.tempPath = join(dirname(path), `.${basename(path)}${TEMP_MARKER}${process.pid}-${++counter}`);
    this.fd = openSync(this.tempPath, 'wx', FILE_MODE);
  }

  /** Encodes `text` straight into the file's buffer; writes the buffer out when it is full. */
  write(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    if (text.length * 3 > FLUSH_AT) {
      this.flush();
      this.writeOut(Buffer.from(text, 'utf8'));
      return;
    }
    if (this.buf === null) this.buf = takeBuffer();
    else if (this.used + text.length * 3 > FLUSH_AT) this.flush();
    this.used += this.buf.write(text, this.used, 'utf8');
  }

  private writeOut(data: Buffer): void {
    writeFaults.beforeWrite?.(this.path);
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    this.bytesWritten += data.length;
  }

  private flush(): void {
    if (this.buf === null || this.used === 0) return;
    const used = this.used;
    this.used = 0;
    this.writeOut(this.buf.subarray(0, used));
  }

  /** Flushes and closes the temp file; `makeDurable` then `publish` put it in place. */
  prepare(): void {
    try {
      this.flush();
    } catch (err) {
      this.abort();
      throw err;
    }
    closeSync(this.fd);
    this.closed = true;
    giveBack(this.buf);
    this.buf = null;
  }

  /** Drops the temp file; the final path keeps what it had. */
  abort(): void {
    if (!this.closed) {
      this.closed = true;
      try {
        closeSync(this.fd);
      } catch {
        // already closed
      }
      giveBack(this.buf);
      this.buf = null;
    }
    discard(this.tempPath);
  }
}
