/** The bench generator: deterministic, ids really replaced, links still joined, every file valid. */
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHome, generateSingleSession } from '../../bench/generate.js';
import { PROVIDERS, groupTemplates, templateSources } from '../../bench/templates.js';
import { cleanupTemps, corpusRoot, repoRoot, tempDir } from '../support/harness.js';

const sources = templateSources(corpusRoot, join(repoRoot, 'fixtures'));
const hasTemplates = [...sources.values()].some((files) => files.length > 0);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function parsedLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

interface Block {
  type?: string;
  id?: string;
  tool_use_id?: string;
}

describe.skipIf(!hasTemplates)('bench generator', () => {
  afterAll(cleanupTemps);
  const opts = { sizeBytes: 3e6, seed: 'vitest' };
  const a = tempDir('bench-gen-');
  const b = tempDir('bench-gen-');
  generateHome({ ...opts, out: a });
  generateHome({ ...opts, out: b });
  const files = listFiles(a);
  const texts = new Map(files.map((f) => [f, readFileSync(join(a, f), 'utf8')]));

  it('writes a byte-identical home for the same seed, of about the asked size, for every provider', () => {
    expect(listFiles(b)).toEqual(files);
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);
    const total = [...texts.values()].reduce((n, t) => n + Buffer.byteLength(t), 0);
    expect(total).toBeGreaterThanOrEqual(opts.sizeBytes);
    for (const provider of PROVIDERS) {
      if ((sources.get(provider) ?? []).length > 0)
        expect(
          files.some((f) => f.startsWith(`.${provider}/`)),
          provider,
        ).toBe(true);
    }
  });

  it('leaves no session id of the templates in any file or path', () => {
    const original = new Set<string>();
    for (const provider of PROVIDERS) {
      for (const group of groupTemplates(provider, sources.get(provider) ?? [])) {
        for (const file of [group.main, ...group.companions]) {
          for (const [id, session] of file.ids) if (session) original.add(id);
        }
      }
    }
    expect(original.size).toBeGreaterThan(0);
    for (const [path, text] of texts) {
      for (const id of original) {
        expect(path.includes(id), `${path} names ${id}`).toBe(false);
        expect(text.includes(id), `${path} holds ${id}`).toBe(false);
      }
    }
  });

  it('writes files that parse per their format', () => {
    for (const [path, text] of texts) {
      if (path.endsWith('.jsonl')) expect(() => parsedLines(text), path).not.toThrow();
      else if (path.endsWith('.json')) expect(() => JSON.parse(text) as unknown, path).not.toThrow();
    }
  });

  it('keeps links joined: every Claude tool_result and Codex call output has its call in the file', () => {
    let checked = 0;
    for (const [path, text] of texts) {
      if (!path.endsWith('.jsonl')) continue;
      const calls = new Set<string>();
      for (const line of parsedLines(text) as Record<string, unknown>[]) {
        const content = (line.message as { content?: unknown } | undefined)?.content;
        for (const block of Array.isArray(content) ? (content as Block[]) : []) {
          if (block.type === 'tool_use' && block.id) calls.add(block.id);
          if (block.type === 'tool_result' && block.tool_use_id) {
            expect(calls.has(block.tool_use_id), `${path}: ${block.tool_use_id}`).toBe(true);
            checked++;
          }
        }
        const payload = line.payload as { type?: string; call_id?: string } | undefined;
        if (payload?.call_id && /^(function|custom_tool)_call$/.test(payload.type ?? '')) calls.add(payload.call_id);
        if (payload?.call_id && /_output$/.test(payload.type ?? '')) {
          expect(calls.has(payload.call_id), `${path}: ${payload.call_id}`).toBe(true);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('grows one session with fresh ids on every repetition of its turns, to the asked size', () => {
    const dir = tempDir('bench-single-');
    const single = generateSingleSession({ out: dir, sizeBytes: 3e6, seed: 'vitest' });
    const text = readFileSync(single.path, 'utf8');
    expect(Buffer.byteLength(text)).toBe(single.bytes);
    expect(single.bytes).toBeGreaterThanOrEqual(3e6);
    const uuids = (parsedLines(text) as { uuid?: string }[]).flatMap((l) => (l.uuid ? [l.uuid] : []));
    // The largest template is far below 3 MB: its turns repeat many times, each with new ids.
    expect(uuids.length).toBeGreaterThan(1000);
    expect(new Set(uuids).size).toBe(uuids.length);
  });

  it('writes a home of exactly the asked number of small sessions', () => {
    const dir = tempDir('bench-small-');
    const home = generateHome({ out: dir, sizeBytes: 200e3, seed: 'vitest', sessions: 40 });
    expect(Object.values(home.providers).reduce((n, p) => n + p.sessions, 0)).toBe(40);
    expect(home.bytes).toBe(listFiles(dir).reduce((n, f) => n + Buffer.byteLength(readFileSync(join(dir, f))), 0));
  });
});
