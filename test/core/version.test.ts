import { describe, expect, it } from 'vitest';
import { compareVersions, newerVersion, versionParts } from '../../src/util/version.js';
import { SessionDraft } from '../../src/session/draft.js';

describe('compareVersions', () => {
  it('compares dotted numbers numerically, part by part', () => {
    expect(compareVersions('2.1.170', '2.1.150')).toBeGreaterThan(0);
    expect(compareVersions('2.1.99', '2.1.100')).toBeLessThan(0);
    expect(compareVersions('0.153.4', '0.146')).toBeGreaterThan(0);
    expect(compareVersions('1.0.5', '1.0.50')).toBeLessThan(0);
    expect(compareVersions('10.0', '9.9.9')).toBeGreaterThan(0);
  });
  it('treats missing parts as zero and ignores a suffix or a leading v', () => {
    expect(compareVersions('0.146', '0.146.0')).toBe(0);
    expect(compareVersions('0.153.4-alpha.2', '0.153.4')).toBe(0);
    expect(compareVersions('v1.0.60', '1.0.59')).toBeGreaterThan(0);
    expect(compareVersions('2.1.170 (Claude Code)', '2.1.171')).toBeLessThan(0);
  });
  it('says null when either side is not a version', () => {
    expect(compareVersions('unknown', '1.0')).toBeNull();
    expect(compareVersions('1.0', '')).toBeNull();
    expect(versionParts('dev')).toBeNull();
  });
});

describe('newerVersion', () => {
  it('keeps the newest, and a version over a text that is none', () => {
    expect(newerVersion('2.1.89', '2.1.150')).toBe('2.1.150');
    expect(newerVersion('2.1.150', '2.1.89')).toBe('2.1.150');
    expect(newerVersion(null, '1.0')).toBe('1.0');
    expect(newerVersion('1.0', null)).toBe('1.0');
    expect(newerVersion('garbage', '1.0')).toBe('1.0');
    expect(newerVersion('1.0', 'garbage')).toBe('1.0');
  });
});

describe('SessionDraft.noteAgentVersion', () => {
  const noted = (versions: string[]) => {
    const draft = new SessionDraft({ id: 's', format: 'test' });
    for (const v of versions) draft.noteAgentVersion(v);
    return draft.agentVersion;
  };
  it('keeps the newest version a resumed session states, line after line', () => {
    expect(noted(['2.1.9', '2.1.9', '2.1.10', '2.1.10', '2.1.9', '2.1.9'])).toBe('2.1.10');
    expect(noted(['2.1.10', '2.1.9', '2.1.9', '2.1.10'])).toBe('2.1.10');
    expect(noted(['dev', 'dev', '1.0', 'dev'])).toBe('1.0');
    expect(noted(['dev', 'dev'])).toBe('dev');
  });
});
