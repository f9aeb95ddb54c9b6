/** Short ids for `list`: unique, at least 8 native characters, parents stay short. */
import { describe, expect, it } from 'vitest';
import { shortIds } from '../../src/cli/session-ids.js';

describe('shortIds', () => {
  it('keeps the provider and 8 native characters, more only where ids share a longer prefix', () => {
    const ids = ['codex-019d688b-3b5f', 'codex-019d688c-aaaa', 'claude-12345678abc', 'claude-1234567812'];
    expect(Object.fromEntries(shortIds(ids))).toEqual({
      'codex-019d688b-3b5f': 'codex-019d688b',
      'codex-019d688c-aaaa': 'codex-019d688c',
      'claude-12345678abc': 'claude-12345678a',
      'claude-1234567812': 'claude-123456781',
    });
  });

  it('writes an id that extends a listed one as the short parent, a slash and the shortest unique rest', () => {
    const ids = [
      'claude-aaaa1111-2222',
      'claude-aaaa1111-2222-agent-x',
      'claude-aaaa1111-2222-agent-y',
      'claude-aaaa1111-2222-agent-a0123456789',
      'claude-aaaa1111-2222-agent-a0129999999',
      'claude-bbbb',
    ];
    expect(Object.fromEntries(shortIds(ids))).toEqual({
      'claude-aaaa1111-2222': 'claude-aaaa1111',
      'claude-aaaa1111-2222-agent-x': 'claude-aaaa1111/agent-x',
      'claude-aaaa1111-2222-agent-y': 'claude-aaaa1111/agent-y',
      'claude-aaaa1111-2222-agent-a0123456789': 'claude-aaaa1111/agent-a0123',
      'claude-aaaa1111-2222-agent-a0129999999': 'claude-aaaa1111/agent-a0129',
      'claude-bbbb': 'claude-bbbb',
    });
    // Only the first dash after the parent's id separates: a rest without dashes keeps 4 characters.
    expect(shortIds(['codex-p1234567', 'codex-p1234567-abcdefgh']).get('codex-p1234567-abcdefgh')).toBe(
      'codex-p1234567/abcd',
    );
  });
});
