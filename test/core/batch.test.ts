/**
 * The batch policy (src/session/batch.ts) and every adapter following it: items go to the writer
 * several at a time, in order, never more than a batch's worth of items or native bytes at once.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { adapters } from '../../adapters/index.js';
import type { Adapter, ConvertContext, ConvertItem, SourceFile } from '../../adapters/types.js';
import { BATCH_BYTES, BATCH_ITEMS, Batch } from '../../src/session/batch.js';
import { SessionDraft } from '../../src/session/draft.js';
import { buildHome, cleanupTemps } from '../support/harness.js';

afterAll(cleanupTemps);

describe('Batch', () => {
  const item = (draft: SessionDraft): ConvertItem => ({
    session: draft,
    event: { type: 'user_message', role: 'user', content: 'x' },
  });

  it('is full at BATCH_ITEMS items, or at BATCH_BYTES of input once it has an item', () => {
    const draft = new SessionDraft({ id: 's', format: 'f' });
    const batch = new Batch();
    expect(batch.empty).toBe(true);
    batch.read(BATCH_BYTES);
    expect(batch.full).toBe(false); // bytes alone, no item: nothing to hand over
    batch.push(item(draft));
    expect(batch.full).toBe(true);
    expect(batch.take()).toHaveLength(1);
    expect(batch.empty).toBe(true);
    for (let i = 0; i < BATCH_ITEMS - 1; i++) batch.push(item(draft));
    expect(batch.full).toBe(false); // the bytes were reset by take()
    batch.push(item(draft));
    expect(batch.full).toBe(true);
    const taken = batch.take();
    expect(taken).toHaveLength(BATCH_ITEMS);
    batch.push(item(draft));
    expect(taken).toHaveLength(BATCH_ITEMS); // a taken array is the caller's
  });
});

const N = 300;
const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
const prompt = (i: number) => `prompt ${i}`;
const lines = (records: unknown[]) => `${records.map((r) => JSON.stringify(r)).join('\n')}\n`;

/** A home with one session of N prompts, in each provider's own layout. */
const homes: Record<string, (pad: string) => Record<string, string>> = {
  claude: (pad) => ({
    'projects/-w/c0000000-0000-4000-8000-000000000000.jsonl': lines(
      Array.from({ length: N }, (_, i) => ({
        type: 'user',
        uuid: `u${i}`,
        sessionId: 'c0000000-0000-4000-8000-000000000000',
        cwd: '/w',
        timestamp: at(i),
        message: { role: 'user', content: prompt(i) },
        pad,
      })),
    ),
  }),
  codex: (pad) => ({
    'sessions/2026/01/01/rollout-2026-01-01T00-00-00-d0000000-0000-4000-8000-000000000000.jsonl': lines([
      {
        type: 'session_meta',
        timestamp: at(0),
        payload: { id: 'd0000000-0000-4000-8000-000000000000', timestamp: at(0), cwd: '/w' },
      },
      ...Array.from({ length: N }, (_, i) => ({
        type: 'response_item',
        timestamp: at(i),
        payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt(i) }] },
        pad,
      })),
    ]),
  }),
  copilot: (pad) => ({
    'session-state/e0.jsonl': lines([
      { type: 'session.start', data: { sessionId: 'e0', context: { cwd: '/w' } }, id: 's', timestamp: at(0) },
      ...Array.from({ length: N }, (_, i) => ({
        type: 'user.message',
        data: { content: prompt(i) },
        id: `u${i}`,
        timestamp: at(i),
        pad,
      })),
    ]),
  }),
  gemini: (pad) => ({
    'tmp/w/chats/session-2026-01-01T00-00-f0000000.jsonl': lines([
      { sessionId: 'f0000000-0000-4000-8000-000000000000', projectHash: 'h', startTime: at(0), lastUpdated: at(N) },
      ...Array.from({ length: N }, (_, i) => ({
        id: `m${i}`,
        timestamp: at(i),
        type: 'user',
        content: prompt(i),
        pad,
      })),
    ]),
  }),
};

/** What one unit's convert hands over, step by step. */
async function steps(adapter: Adapter, layout: Record<string, string>): Promise<ConvertItem[][]> {
  const home = buildHome(layout);
  const files: SourceFile[] = Object.keys(layout).map((rel) => {
    const path = join(home, rel);
    const st = statSync(path);
    return { path, rel, size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dev: st.dev };
  });
  const units = adapter.units ? adapter.units(files, home) : files.map((f) => ({ key: f.path, files: [f] }));
  expect(units).toHaveLength(1);
  const ctx = { home, allFiles: files, stats: { bytesRead: 0 }, warn: () => {} } satisfies ConvertContext;
  const out: ConvertItem[][] = [];
  for await (const output of adapter.convert(units[0]!, ctx))
    out.push(Array.isArray(output) ? [...output] : [output as ConvertItem]);
  return out;
}

const contents = (batches: ConvertItem[][]) =>
  batches
    .flat()
    .flatMap((item) =>
      'event' in item && item.event.type === 'user_message' && item.event.role === 'user' ? [item.event.content] : [],
    );

describe.each(adapters.map((a) => [a.id, a] as const))('%s converter batches', (id, adapter) => {
  it('hands over its items in batches of at most BATCH_ITEMS (plus the last line), in order', async () => {
    const batches = await steps(adapter, homes[id]!(''));
    expect(contents(batches)).toEqual(Array.from({ length: N }, (_, i) => prompt(i)));
    const total = batches.reduce((n, b) => n + b.length, 0);
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(total / BATCH_ITEMS) + 1);
    for (const b of batches.slice(0, -1)) expect(b.length).toBeLessThanOrEqual(BATCH_ITEMS + 1);
  });

  it('hands over a batch once BATCH_BYTES of native lines went into it', async () => {
    // Lines of 8 KiB: a batch holds about BATCH_BYTES of them, far fewer than BATCH_ITEMS items.
    const batches = await steps(adapter, homes[id]!('x'.repeat(8 * 1024)));
    expect(contents(batches)).toEqual(Array.from({ length: N }, (_, i) => prompt(i)));
    // Gemini replays its op-log before converting: its messages are in memory, so only items count.
    if (id === 'gemini') return;
    const perBatch = Math.ceil(BATCH_BYTES / (8 * 1024));
    for (const b of batches.slice(0, -1)) expect(b.length).toBeLessThanOrEqual(perBatch + 1);
    expect(batches.length).toBeGreaterThanOrEqual(Math.floor(N / (perBatch + 1)));
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(N / (perBatch / 2)) + 2); // batches, not single items
  });
});
