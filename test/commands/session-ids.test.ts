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

  it('gives a parent a short id despite its sub-agents; a sub-agent needs the parent id and more, never ending on a dash', () => {
    const ids = ['claude-aaaa1111-2222', 'claude-aaaa1111-2222-agent-x', 'claude-aaaa1111-2222-agent-y', 'claude-bbbb'];
    expect(Object.fromEntries(shortIds(ids))).toEqual({
      'claude-aaaa1111-2222': 'claude-aaaa1111',
      'claude-aaaa1111-2222-agent-x': 'claude-aaaa1111-2222-agent-x',
      'claude-aaaa1111-2222-agent-y': 'claude-aaaa1111-2222-agent-y',
      'claude-bbbb': 'claude-bbbb',
    });
    expect(shortIds(['claude-aaaa1111-2222', 'claude-aaaa1111-2222-agent-x']).get('claude-aaaa1111-2222-agent-x')).toBe(
      'claude-aaaa1111-2222-a',
    );
  });
});
