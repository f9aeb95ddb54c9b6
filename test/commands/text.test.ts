/** Human text helpers: one safe line, cut to terminal columns (wide characters count two). */
import { describe, expect, it } from 'vitest';
import { columns, fitWidth, oneLine, width } from '../../src/cli/text.js';

describe('oneLine', () => {
  it('collapses white space and replaces control characters, so a transcript cannot drive the terminal', () => {
    expect(oneLine('a\n\tb  \u001b[2Jc\u202e', 40)).toBe('a b \ufffd[2Jc\ufffd');
  });

  it('cuts to terminal columns, counting wide characters as two', () => {
    expect(oneLine('你看下这个项目的前端', 9)).toBe('你看下这…');
    expect(width(oneLine('你看下这个项目的前端', 9))).toBeLessThanOrEqual(9);
    expect(oneLine('abcdef', 6)).toBe('abcdef');
    expect(oneLine('abcdefg', 6)).toBe('abcde…');
  });

  it('looks only at the start of a very long text, and still marks it cut', () => {
    const long = `${'x'.repeat(20)}${' '.repeat(5_000_000)}y`;
    expect(oneLine(long, 30)).toBe(`${'x'.repeat(20)}…`);
  });
});

describe('layout', () => {
  it('aligns columns by terminal width; fitWidth never splits a wide character', () => {
    expect(
      columns(
        [
          ['ID', 'TITLE'],
          ['中文', 'x'],
        ],
        ['left', 'left'],
      ),
    ).toEqual(['ID    TITLE', '中文  x']);
    expect(fitWidth('ab中文', 4)).toBe('ab…');
  });
});
