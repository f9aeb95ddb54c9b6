/**
 * The hostile input corpus, generated per provider next to an ordinary session: damaged lines,
 * encodings, sizes (a 200 MB line, a 2 GB file, both sparse so that they cost no disk), modes,
 * links, ids and values. One import through the built CLI (as an unprivileged user when the tests
 * run as root, so that mode 000 really denies) must finish, import every other session, give each
 * case a parse_warning or a per-source error naming its path, exit 1 for the source that failed,
 * stay within bounded memory, and write nothing outside the logs dir.
 */
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AgentLogEvent } from '../../src/model/events.js';
import { cleanupTemps, tempDir } from '../support/harness.js';
import { fileId, specOf, type Kit, type SessionSpec } from './kits.js';
import {
  NOBODY,
  activeKits,
  fingerprintTree,
  giveToNobody,
  importArgs,
  isRoot,
  listTree,
  readArchive,
  runCli,
  sandbox,
  writeFiles,
} from './support.js';

afterAll(cleanupTemps);

const MB = 1024 * 1024;
const ts = (day: number) => new Date(Date.UTC(2026, 3, day, 12)).toISOString();
const AT = Date.UTC(2026, 3, 2, 9);

interface Case {
  name: string;
  /** Builds the case in the provider home; returns the path the run must mention, if any. */
  build(kit: Kit, home: string, spec: SessionSpec): void;
  /** What the import of the case must show. */
  expect: 'warning' | 'error' | 'imported' | 'not-imported' | 'finishes';
  /** Text that must be in the imported session. */
  contains?: string;
  /** Native id written in the file instead of the file id. */
  id?: string;
}

/** Appends raw bytes to the session's main file. */
const append = (kit: Kit, home: string, spec: SessionSpec, bytes: string | Buffer) =>
  appendFileSync(join(home, kit.mainFile(spec)), bytes);
const session = (kit: Kit, home: string, spec: SessionSpec) => writeFiles(home, kit.session(spec));
/** An ordinary session followed by the bytes each of `parts` makes. */
const sessionThen =
  (...parts: ((kit: Kit, spec: SessionSpec, path: string) => string | Buffer | void)[]) =>
  (kit: Kit, home: string, spec: SessionSpec) => {
    session(kit, home, spec);
    for (const part of parts) {
      const bytes = part(kit, spec, join(home, kit.mainFile(spec)));
      if (bytes !== undefined) append(kit, home, spec, bytes);
    }
  };

/** Appends a user line whose prompt text is `hole` bytes long, a sparse hole (costs no disk). */
function hugeLine(kit: Kit, spec: SessionSpec, path: string, hole: number): void {
  const [before, after] = kit.userLine(spec, '@@HUGE@@', ts(3), 1).split('@@HUGE@@') as [string, string];
  appendFileSync(path, before);
  truncateSync(path, statSync(path).size + hole);
  appendFileSync(path, after);
}

const CASES: Case[] = [
  { name: 'ordinary session', build: session, expect: 'imported', contains: 'answer 1' },
  {
    name: 'invalid JSON line',
    build: sessionThen(
      () => '{"this is": not json at all\n',
      (k, s) => k.userLine(s, 'after the bad line', ts(2), 1),
    ),
    expect: 'warning',
    contains: 'after the bad line',
  },
  {
    name: 'torn last line',
    build: sessionThen((k, s) => k.userLine(s, 'cut in the middle of this line', ts(2), 1).slice(0, 30)),
    expect: 'warning',
    contains: 'answer 1',
  },
  {
    name: 'NUL padding after a crash',
    build: sessionThen(
      () => Buffer.alloc(64 * 1024),
      (k, s) => k.userLine(s, 'written after the padding', ts(2), 1),
    ),
    expect: 'imported',
    contains: 'written after the padding',
  },
  {
    name: 'raw U+2028 and U+2029 in strings',
    build: sessionThen((k, s) => k.userLine(s, 'line\u2028separator\u2029paragraph', ts(2), 1)),
    expect: 'imported',
    contains: JSON.stringify('line\u2028separator\u2029paragraph').slice(1, -1),
  },
  {
    name: 'invalid UTF-8',
    build: sessionThen((k, s) => {
      const [a, b] = k.userLine(s, 'bad-utf8-@@-end', ts(2), 1).split('@@') as [string, string];
      return Buffer.concat([Buffer.from(a), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(b)]);
    }),
    expect: 'imported',
    contains: 'bad-utf8-\ufffd',
  },
  { name: '0-byte file', build: (k, h, s) => writeFiles(h, { [k.mainFile(s)]: '' }), expect: 'finishes' },
  {
    name: '200 MB single line',
    build: sessionThen(
      (k, s, path) => hugeLine(k, s, path, 200 * MB),
      (k, s) => k.userLine(s, 'after the huge line', ts(4), 2),
    ),
    expect: 'warning',
    contains: 'after the huge line',
  },
  {
    name: '2 GB file (sparse)',
    build: sessionThen(
      (_k, _s, path) => truncateSync(path, 2048 * MB),
      (k, s) => k.userLine(s, 'after two gigabytes', ts(4), 2),
    ),
    expect: 'imported',
    contains: 'after two gigabytes',
  },
  {
    name: 'unreadable file (mode 000)',
    build: sessionThen((_k, _s, path) => chmodSync(path, 0o000)),
    expect: 'error',
  },
  {
    name: 'directory where a file is expected',
    build: (k, h, s) => {
      writeFiles(join(h, k.mainFile(s)), { 'inner.jsonl': Object.values(k.session(s))[0]! });
    },
    expect: 'finishes',
  },
  {
    name: 'symlink loop',
    build: (k, h, s) => {
      const path = join(h, k.mainFile(s));
      mkdirSync(dirname(path), { recursive: true });
      symlinkSync(path, path);
      symlinkSync('.', join(dirname(path), 'loop'));
    },
    expect: 'finishes',
  },
  {
    name: 'symlink to a session outside the home',
    build: (k, h, s) => {
      const outside = join(h, '..', '..', 'outside', k.id);
      writeFiles(outside, k.session({ ...s, id: fileId(999) }));
      const path = join(h, k.mainFile(s));
      mkdirSync(dirname(path), { recursive: true });
      symlinkSync(join(outside, k.mainFile(s)), path);
      symlinkSync(outside, join(dirname(path), 'linked-dir'));
    },
    expect: 'not-imported',
  },
  { name: 'id with ../', id: '../../../escape', build: session, expect: 'imported' },
  { name: 'id with /', id: 'a/b/c', build: session, expect: 'imported' },
  { name: 'id with NUL', id: 'nul\u0000byte', build: session, expect: 'imported' },
  { name: 'id of 300 characters', id: 'x'.repeat(300), build: session, expect: 'imported' },
  {
    name: 'JSON nested 100k levels deep',
    build: sessionThen(
      (k, s) => k.userLine(s, '@@', ts(2), 1).replace('"@@"', `${'['.repeat(100_000)}${']'.repeat(100_000)}`),
      (k, s) => k.userLine(s, 'after the deep line', ts(3), 2),
    ),
    expect: 'warning',
  },
  {
    name: 'numbers as strings',
    build: (k, h, s) =>
      writeFiles(
        h,
        Object.fromEntries(
          Object.entries(k.session(s)).map(([p, t]) => [p, t.replace(/":(\d+)([,}\]])/g, '":"$1"$2')]),
        ),
      ),
    expect: 'imported',
    contains: 'answer 1',
  },
  {
    name: 'timestamps in seconds, milliseconds, ISO and garbage',
    build: sessionThen(
      (k, s) => k.userLine(s, 'stamped in seconds', AT / 1000, 1),
      (k, s) => k.userLine(s, 'stamped in milliseconds', AT + 1000, 2),
      (k, s) => k.userLine(s, 'stamped in ISO', new Date(AT + 2000).toISOString(), 3),
      (k, s) => k.userLine(s, 'stamped with garbage', 'half past lunch', 4),
    ),
    expect: 'imported',
    contains: 'stamped with garbage',
  },
];

const kits = activeKits();

describe.each(kits.map((k) => [k.id, k] as const))('hostile input: %s', (_id, kit) => {
  it('every case: the run finishes, the rest imports, the case is reported, nothing escapes the logs dir', async () => {
    const sb = sandbox();
    const home = sb.homeOf(kit);
    const specs = CASES.map((c, n) => specOf(n, 2, c.id ?? fileId(n)));
    CASES.forEach((c, n) => c.build(kit, home, specs[n]!));
    giveToNobody(sb.root);
    const before = fingerprintTree(sb.root, sb.logs);

    const countFile = join(tempDir('usage-'), 'usage.json');
    if (isRoot) giveToNobody(dirname(countFile));
    const run = await runCli(sb, importArgs(sb, [kit]), { countFile, ...(isRoot ? { uid: NOBODY } : {}) });
    expect(run.stderr).not.toContain('internal error');
    const summary = JSON.parse(run.stdout) as { exit_code: number; errors: { path: string; message: string }[] };
    const { maxRssMb } = JSON.parse(readFileSync(countFile, 'utf8')) as { maxRssMb: number };
    expect(maxRssMb, 'peak memory (MB) of a run over a 200 MB line and a 2 GB file').toBeLessThan(600);

    // Nothing outside the logs dir changed, and the logs dir holds only what the tool writes.
    expect(fingerprintTree(sb.root, sb.logs)).toEqual(before);
    for (const p of listTree(sb.logs))
      expect(p).toMatch(
        /^(backfill_state\.json|backfill_state\.journal|backfill_sessions\.json|index\.json|last_run\.json|archive\.db|archive-db\.stamp|backfill_dirs\.json|backfill_state\.digest|sessions|sessions\/[A-Za-z0-9._-]+\.jsonl)$/,
      );

    const archive = readArchive(sb.logs);
    const eventsOf = (path: string) =>
      archive.index
        .filter((e) => e.source_paths.includes(path))
        .flatMap((e) => archive.files.get(e.log_path.slice('sessions/'.length))!.split('\n').filter(Boolean))
        .map((l) => JSON.parse(l) as AgentLogEvent & { message?: string; content?: string });
    const errorPaths = summary.errors.map((e) => e.path);
    for (const e of summary.errors) expect(e.message.includes(e.path) || run.stdout.includes(e.path)).toBe(true);

    CASES.forEach((c, n) => {
      const path = join(home, kit.mainFile(specs[n]!));
      const events = eventsOf(path);
      const warned = events.some((e) => e.type === 'parse_warning' && String(e.message).includes(path));
      const failed = errorPaths.includes(path);
      const label = `${kit.id}: ${c.name}`;
      switch (c.expect) {
        case 'imported':
          expect(failed, label).toBe(false);
          expect(events.length, label).toBeGreaterThan(0);
          break;
        case 'warning':
          expect(warned || failed, `${label}: a parse_warning or an error naming ${path}`).toBe(true);
          break;
        case 'error':
          expect(failed, `${label}: a per-source error naming ${path}`).toBe(true);
          break;
        case 'not-imported':
          expect(events, label).toEqual([]);
          expect(JSON.stringify(archive.index), label).not.toMatch(/outside|linked-dir/);
          expect(
            archive.index.map((e) => e.provider_session_id),
            label,
          ).not.toContain(fileId(999));
          break;
        case 'finishes':
          break;
      }
      if (c.contains !== undefined)
        expect(events.map((e) => JSON.stringify(e)).join('\n'), label).toContain(c.contains);
      // Times are native, normalized, never the time of the import (this runs after 2026-06).
      if (c.expect !== 'finishes')
        for (const e of events)
          expect(
            e.ts < '2026-06' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(e.ts),
            `${label}: ts ${e.ts}`,
          ).toBe(true);
    });
    // A hostile native id is kept as data (or the adapter names the session by its file): either
    // way the session is there, under a safe file name.
    CASES.forEach((c, n) => {
      if (c.id === undefined) return;
      const ids = archive.index.map((e) => e.provider_session_id);
      expect(
        ids.includes(c.id) || ids.includes(specs[n]!.file),
        `${kit.id}: session with id ${JSON.stringify(c.id).slice(0, 40)}`,
      ).toBe(true);
    });
    // Only the sources that really failed make the run fail; everything else was imported.
    expect(
      errorPaths.every((p) =>
        CASES.some((c, n) => c.expect !== 'imported' && p === join(home, kit.mainFile(specs[n]!))),
      ),
    ).toBe(true);
    expect(run.code).toBe(1);
    expect(summary.exit_code).toBe(1);
    rmSync(sb.root, { recursive: true, force: true }); // the sparse giants, at once
  }, 180_000);
});
