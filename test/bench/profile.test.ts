/** The bench's profile summary: every sample counted once, for the category its stack belongs to. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHome } from '../../bench/generate.js';
import { CATEGORIES, breakdown, profiledRun, totalMs, type CpuProfile } from '../../bench/profile.js';
import { templateSources } from '../../bench/templates.js';
import { cleanupTemps, cliPath, corpusRoot, repoRoot, tempDir } from '../support/harness.js';

/** A profile whose stacks are `paths` (outermost frame first), sampled once each for the given µs. */
function profileOf(paths: [frames: [name: string, url: string][], micros: number][]): CpuProfile {
  const nodes: (CpuProfile['nodes'][number] & { children: number[] })[] = [
    { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [] },
  ];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (const [frames, micros] of paths) {
    let parent = nodes[0]!;
    for (const [functionName, url] of frames) {
      const node = { id: nodes.length + 1, callFrame: { functionName, url }, children: [] };
      nodes.push(node);
      parent.children.push(node.id);
      parent = node;
    }
    samples.push(parent.id);
    timeDeltas.push(micros);
  }
  return { nodes, samples, timeDeltas };
}

const dist = 'file:///repo/dist';
const recorder: [string, string][] = [
  ['drain', `${dist}/src/importer/convert-unit.js`],
  ['convertFile', `${dist}/adapters/claude/convert.js`],
  ['writeEvent', `${dist}/src/writer/session-recorder.js`],
];

describe('profile breakdown', () => {
  it('counts a sample for the first category its stack holds, in the order of CATEGORIES', () => {
    const b = breakdown(
      profileOf([
        [[['(idle)', '']], 1000],
        [[['(garbage collector)', '']], 2000],
        [[...recorder.slice(0, 2), ['parseJsonLine', `${dist}/src/io/json.js`]], 4000],
        [[...recorder, ['next', `${dist}/src/writer/event-keys.js`], ['sha256Hex', `${dist}/src/util/ids.js`]], 8000],
        [[...recorder, ['write', `${dist}/src/writer/atomic-file.js`], ['write', 'node:buffer']], 16000],
        [
          [
            ...recorder,
            ['writeAll', `${dist}/src/writer/atomic-file.js`],
            ['writeSync', 'node:fs'],
            ['writeBuffer', ''],
          ],
          32000,
        ],
        [[...recorder, ['tally', `${dist}/src/writer/session-recorder.js`]], 64000],
        [
          [
            ['run', 'node:internal/modules/esm/module_job'],
            ['', `${dist}/adapters/claude/schema.js`],
          ],
          128000,
        ],
        [[['processTicksAndRejections', 'node:internal/process/task_queues']], 256000],
      ]),
    );
    expect(b).toEqual({
      idle: 1,
      GC: 2,
      parse: 4,
      serialization: 8 + 16,
      'file I/O': 32,
      conversion: 64,
      'start-up': 128,
      other: 256,
    });
  });
});

const hasTemplates = [...templateSources(corpusRoot, join(repoRoot, 'fixtures')).values()].some((f) => f.length > 0);

describe.skipIf(!hasTemplates)('profiled import', () => {
  afterAll(cleanupTemps);
  it("sums the main thread's profile and the worker's, and finds each stage of the conversion in the worker", async () => {
    const dir = tempDir('bench-prof-');
    const gen = generateHome({ out: join(dir, 'home'), sizeBytes: 4e6, seed: 'vitest' });
    const homes = (['claude', 'codex'] as const).flatMap((p) => [`--${p}-home`, gen.providerHomes[p]]);
    const args = ['--cpu-prof-interval=100', cliPath, 'import', '--out', join(dir, 'out'), ...homes];
    const env = { PATH: process.env.PATH ?? '', HOME: dir };
    const run = await profiledRun(process.execPath, [...args, '--no-index', '--workers', '1'], env, join(dir, 'prof'));
    expect(run.workerCount).toBe(1);
    for (const c of ['parse', 'conversion', 'serialization'] as const) expect(run.workers[c]).toBeGreaterThan(0);
    expect(totalMs(run.main)).toBeGreaterThan(0);
    expect(Object.keys(run.workers).sort()).toEqual([...CATEGORIES].sort());
  }, 60_000);
});
