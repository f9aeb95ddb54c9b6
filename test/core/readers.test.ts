/** The shared readers every adapter relies on. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLines } from '../../src/io/lines.js';
import { parseJsonLine, syntaxErrorReason } from '../../src/io/json.js';
import { rootSlug, wrapperSessionId } from '../../src/util/ids.js';
import { normalizeUsage } from '../../src/util/usage.js';
import { cleanupTemps, tempDir } from '../support/harness.js';

afterAll(cleanupTemps);

async function linesOf(content: Buffer | string) {
  const path = join(tempDir(), 'f.jsonl');
  writeFileSync(path, content);
  const stats = { bytesRead: 0 };
  const out = [];
  for await (const l of readLines(path, stats))
    out.push({ text: l.bytes.toString('utf8'), lineNo: l.lineNo, offset: l.offset, torn: l.torn });
  return { out, stats };
}

describe('readLines', () => {
  it('splits on \\n only, keeps U+2028 inside a line, skips blank lines, flags a torn tail', async () => {
    const { out, stats } = await linesOf('{"a":"x\u2028y"}\r\n\n  \n{"b":1}\n{"c":');
    expect(out).toEqual([
      { text: '{"a":"x\u2028y"}\r', lineNo: 1, offset: 0, torn: false },
      { text: '{"b":1}', lineNo: 4, offset: 19, torn: false },
      { text: '{"c":', lineNo: 5, offset: 27, torn: true },
    ]);
    expect(stats.bytesRead).toBe(32); // U+2028 is 3 bytes
    expect(parseJsonLine({ bytes: Buffer.from(out[0]!.text), lineNo: 1, offset: 0, torn: false })).toMatchObject({
      ok: true,
      value: { a: 'x\u2028y' },
    });
  });

  it('strips NUL padding left by a crash', async () => {
    const { out } = await linesOf(Buffer.concat([Buffer.from('{"a":1}\n{"b":2}'), Buffer.alloc(4096)]));
    expect(out.map((l) => l.text)).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('reads lines longer than its read chunk whole', async () => {
    const long = `{"x":"${'y'.repeat(3 * 1024 * 1024 + 17)}"}`;
    const { out } = await linesOf(`${long}\n{"z":1}\n`);
    expect(out.map((l) => l.text.length)).toEqual([long.length, 7]);
    expect(out[1]!.offset).toBe(long.length + 1);
  });

  it('decodes invalid UTF-8 lossily and says so', () => {
    const bytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    expect(parseJsonLine({ bytes, lineNo: 1, offset: 0, torn: false })).toMatchObject({
      ok: true,
      invalidUtf8: true,
      value: { a: '\ufffd\ufffd' },
    });
  });
});

describe('syntaxErrorReason', () => {
  it("says what Node 20's JSON.parse says on every Node, so the archive does not depend on the Node version", () => {
    // Node 22's V8 adds the line and column to the message of Node 20's.
    const node22 = new SyntaxError('Unterminated string in JSON at position 95 (line 1 column 96)');
    const node20 = new SyntaxError('Unterminated string in JSON at position 95');
    expect(syntaxErrorReason(node22)).toBe(node20.message);
    expect(syntaxErrorReason(node20)).toBe(node20.message);
    // This Node's own message takes the same shape.
    let thrown: unknown;
    try {
      JSON.parse('{"a":"b');
    } catch (err) {
      thrown = err;
    }
    expect(syntaxErrorReason(thrown)).toMatch(/^Unterminated string in JSON at position 7$/);
  });
});

describe('ids', () => {
  it('keeps safe native ids readable and hashes the rest', () => {
    expect(wrapperSessionId('codex', '019d688b-3b5f-72c0')).toBe('codex-019d688b-3b5f-72c0');
    expect(wrapperSessionId('codex', '../x')).toMatch(/^codex-h[0-9a-f]{40}$/);
    expect(wrapperSessionId('codex', '../x')).toBe(wrapperSessionId('codex', '../x'));
    expect(rootSlug('/home/dev/my project')).toBe('home-dev-my_project');
  });
});

describe('normalizeUsage', () => {
  it('subtracts cache reads from input when the provider counts them in, and adds separate reasoning', () => {
    expect(
      normalizeUsage(
        { input: 1000, output: 50, cacheRead: 800, model: 'm' },
        { inputIncludesCacheRead: true, outputIncludesReasoning: true },
      ),
    ).toEqual({
      type: 'usage',
      input_tokens: 200,
      output_tokens: 50,
      cache_read_tokens: 800,
      cache_creation_tokens: 0,
      model: 'm',
    });
    expect(
      normalizeUsage(
        { input: '10', output: 5, reasoning: 7, cacheCreation: 3 },
        { inputIncludesCacheRead: false, outputIncludesReasoning: false },
      ),
    ).toEqual({
      type: 'usage',
      input_tokens: 10,
      output_tokens: 12,
      cache_read_tokens: 0,
      cache_creation_tokens: 3,
    });
  });
});
