/**
 * The one way the tool writes a file: into a temp file in the same directory, every byte (a short
 * write is continued until all is written, never ignored: at ENOSPC the kernel writes what fits),
 * fsync (or, for a batch, one syncfs of its file system), size checked against what was written,
 * renamed over the final path, directory fsynced.
 * Readers see the old file or the new one, never a mix; on any error the old file stays and the
 * temp file is removed; a crash leaves only a temp file, which the next run removes
 * (`removeTempFiles`).
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { platform, release } from 'node:os';
import { basename, dirname, join } from 'node:path';

const TEMP_MARKER = '.tmp-';
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

const FLUSH_AT = 256 * 1024;
/** The name AtomicFile gives its temp file: `.<final name>${TEMP_MARKER}<pid>-<n>`. */
const OUR_TEMP = /^\..+\.tmp-\d+-\d+$/;
let counter = 0;

/** Temp files of this thread not yet published or discarded: what an abrupt exit removes. */
const liveTemps = new Set<string>();

/** Test hook: lets tests inject a write failure (e.g. a full disk) into every file the tool writes. */
export const writeFaults: { beforeWrite: ((path: string) => void) | null } = { beforeWrite: null };

/** Writes all of `data` at the file's position: a short write is followed by the rest. */
function writeAll(fd: number, data: Buffer, path: string): void {
  let off = 0;
  while (off < data.length) {
    const n = writeSync(fd, data, off, data.length - off);
    if (!(n > 0))
      throw Object.assign(new Error(`write to ${path} made no progress (${off} of ${data.length} bytes written)`), {
        code: 'EIO',
      });
    off += n;
  }
}

function sizeMismatch(path: string, onDisk: number, written: number): Error {
  return Object.assign(new Error(`${path} holds ${onDisk} bytes after writing ${written}`), { code: 'EIO' });
}

/**
 * Writes `text` as the whole content of the new file `path`, size checked; on error the file is
 * removed. For lock files, which are linked rather than renamed into place: not fsynced, since a
 * lock means nothing after a crash (its holder is gone), and one cut short reads as stale.
 */
export function writeNewFile(path: string, text: string): void {
  const data = Buffer.from(text, 'utf8');
  const fd = openSync(path, 'w', FILE_MODE);
  try {
    writeFaults.beforeWrite?.(path);
    writeAll(fd, data, path);
    const size = fstatSync(fd).size;
    if (size !== data.length) throw sizeMismatch(path, size, data.length);
  } catch (err) {
    closeSync(fd);
    discard(path);
    throw err;
  }
  closeSync(fd);
}

/**
 * Writes a small whole file (state, index) atomically, private to the user. Not `durable`: still
 * atomic for readers, but not synced, for a file a crash may take back to what it was, or leave
 * empty, at no cost but a fresh start (the record of the last runs).
 */
export async function writeWholeFile(path: string, text: string, durable = true): Promise<void> {
  const file = new AtomicFile(path);
  try {
    file.write(text);
    const prepared = file.prepare();
    if (durable) await makeDurable([prepared]);
    publish([prepared], durable);
  } catch (err) {
    file.abort();
    throw err;
  }
}

/**
 * Appends `text` to `path` (created if missing) at offset `at`, cutting off anything after it
 * first (the torn end of an append a crash cut short), then fsyncs; returns the new size. On
 * error the file is cut back to `at` (removed when that is 0): an append is whole or absent. For journals, whose last
 * line a reader drops when it is not whole.
 */
export function appendDurably(path: string, text: string, at: number): number {
  const data = Buffer.from(text, 'utf8');
  const fd = openSync(path, 'a', FILE_MODE);
  try {
    if (fstatSync(fd).size !== at) ftruncateSync(fd, at);
    writeFaults.beforeWrite?.(path);
    writeAll(fd, data, path);
    fsyncSync(fd);
    const size = fstatSync(fd).size;
    if (size !== at + data.length) throw sizeMismatch(path, size, at + data.length);
    if (at === 0) syncDir(dirname(path)); // a new file: its name made durable too
    return size;
  } catch (err) {
    try {
      if (at === 0) unlinkSync(path);
      else ftruncateSync(fd, at);
    } catch {
      // the file stays longer: its last line is not whole, and readers drop it
    }
    throw err;
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes the temp files a killed run left in `dir`: ours (`.<name>.tmp-<pid>-<n>`, see
 * AtomicFile) and those of earlier versions, which wrote whole files with write-file-atomic
 * (`<name>.<number>`, for the `wholeFiles` written there). Never anything else: a session id may
 * itself contain the marker, but a session file never starts with a dot.
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
    const leftover =
      OUR_TEMP.test(name) || (wholeFiles.includes(name.slice(0, dot)) && /^\.\d+$/.test(name.slice(dot)));
    if (leftover) discard(join(dir, name));
  }
}

/** A closed temp file holding `bytes` bytes, to be renamed over `final`. */
export interface PreparedFile {
  temp: string;
  final: string;
  bytes: number;
}

/** Renames prepared temp files over their final paths, then (when `durable`) fsyncs their directories. */
export function publish(files: readonly PreparedFile[], durable = true): void {
  for (const file of files) {
    renameSync(file.temp, file.final);
    liveTemps.delete(file.temp);
  }
  if (durable) for (const dir of new Set(files.map((f) => dirname(f.final)))) syncDir(dir);
}

/** Makes a rename in `dir` durable. */
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } catch (err) {
    // Some file systems cannot sync a directory; their renames are as durable as they get.
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  } finally {
    closeSync(fd);
  }
}

/** From this many files on, one syncfs of their file systems costs less than an fsync each. */
const SYNCFS_FROM = 16;

/**
 * Linux's syncfs(2), through coreutils' `sync -f`: it reports write-back errors as fsync does
 * since Linux 5.8; elsewhere, or when it cannot run, false (the files are then fsynced one by one).
 */
async function syncFileSystems(dirs: readonly string[]): Promise<boolean> {
  const [major = 0, minor = 0] = release().split('.').map(Number);
  if (platform() !== 'linux' || major < 5 || (major === 5 && minor < 8)) return false;
  // Loaded here, not with this module: child_process takes milliseconds to load, and a run that
  // changed nothing (or few files) never syncs a batch.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile('sync', ['-f', ...dirs], { timeout: 600_000 }, (err) => resolve(err === null));
  });
}

/**
 * Makes many closed temp files durable at once and checks that each holds the bytes written to
 * it: one syncfs of their file system where it can (a batch of a thousand files costs one call,
 * and creating files meanwhile does not stall behind their fsyncs), else fsyncs run concurrently,
 * which share the file system's journal commits.
 */
export async function makeDurable(
  files: readonly Pick<PreparedFile, 'temp' | 'bytes'>[],
  parallel = 64,
): Promise<void> {
  if (files.length >= SYNCFS_FROM && (await syncFileSystems([...new Set(files.map((f) => dirname(f.temp)))]))) {
    for (const { temp, bytes } of files) {
      const { size } = statSync(temp);
      if (size !== bytes) throw sizeMismatch(temp, size, bytes);
    }
    return;
  }
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const { temp, bytes } = files[next++]!;
      const handle = await open(temp, 'r');
      try {
        await handle.sync();
        const { size } = await handle.stat();
        if (size !== bytes) throw sizeMismatch(temp, size, bytes);
      } finally {
        await handle.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, files.length) }, worker));
}

/** Drops a prepared temp file that will not be published. */
export function discard(tempPath: string): void {
  liveTemps.delete(tempPath);
  try {
    unlinkSync(tempPath);
  } catch {
    // already gone
  }
}

/** Removes every temp file of this thread not yet published: the last act of an abrupt exit. */
export function discardLiveTemps(): void {
  for (const temp of [...liveTemps]) discard(temp);
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
    liveTemps.add(this.tempPath);
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
    writeAll(this.fd, data, this.tempPath);
    this.bytesWritten += data.length;
  }

  private flush(): void {
    if (this.buf === null || this.used === 0) return;
    const used = this.used;
    this.used = 0;
    this.writeOut(this.buf.subarray(0, used));
  }

  /** Flushes and closes the temp file; `makeDurable` then `publish` put it in place. */
  prepare(): PreparedFile {
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
    return { temp: this.tempPath, final: this.path, bytes: this.bytesWritten };
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
