/**
 * Copilot token numbers against the provider's own totals (`session.shutdown`), on the 1.0.59
 * corpus session whose `inputTokens` includes cache writes, and on records written here.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHome, cleanupTemps, corpusFiles, importHome } from '../../test/support/harness.js';
import { normalizeUsage } from '../../src/util/usage.js';
import { metricMismatch } from './convert.js';
import { copilotAdapter } from './index.js';
import type { ModelMetric } from './schema.js';

afterAll(cleanupTemps);

type Rec = Record<string, unknown>;
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Rec & { type: string; data: Rec });

const sample = corpusFiles('copilot').find((f) => f.includes('XEFF09') && f.endsWith('events.jsonl'));

describe.skipIf(sample === undefined)('copilot usage cross-check on the 1.0.59 sample', () => {
  const shutdown = lines(sample!).find((r) => r.type === 'session.shutdown')!;
  const [model, metric] = Object.entries(shutdown.data.modelMetrics as Record<string, ModelMetric>)[0]!;
  const u = metric.usage!;

  it('the reading before 1.0.5x (inputTokens minus cache reads, cache writes added) does not add up', () => {
    expect(u.cacheWriteTokens).toBeGreaterThan(0);
    const old = normalizeUsage(
      {
        input: u.inputTokens,
        output: u.outputTokens,
        cacheRead: u.cacheReadTokens,
        cacheCreation: u.cacheWriteTokens,
        model,
      },
      { inputIncludesCacheRead: true, outputIncludesReasoning: true },
    );
    // Read the old way the event says all of inputTokens is uncached; the record says 3 are.
    expect(metricMismatch(model, metric, old)).toBe(
      `usage differs from session.shutdown usage of ${model}: input_tokens ${u.inputTokens! - u.cacheReadTokens!} emitted, ${u.inputTokens! - u.cacheReadTokens! - u.cacheWriteTokens!} stated`,
    );
  });

  it('tokenDetails are imported: cache writes counted once, the shutdown totals add up', async () => {
    const id = String((lines(sample!)[0]!.data as Rec).sessionId);
    const { index, sessions } = await importHome(
      copilotAdapter,
      buildHome({ [`session-state/${id}/events.jsonl`]: { copy: sample! } }),
    );
    const d = metric.tokenDetails!;
    expect(d.input!.tokenCount! + d.cache_read!.tokenCount! + d.cache_write!.tokenCount!).toBe(u.inputTokens);
    const usage = sessions.get(`copilot-${id}`)!.filter((e) => e.type === 'usage');
    expect(usage).toEqual([
      expect.objectContaining({
        input_tokens: d.input!.tokenCount,
        cache_read_tokens: d.cache_read!.tokenCount,
        cache_creation_tokens: d.cache_write!.tokenCount,
        output_tokens: d.output!.tokenCount,
        model,
      }),
    ]);
    expect(index[0]!.completeness_reasons.filter((r) => r.startsWith('usage differs'))).toEqual([]);
  });
});
