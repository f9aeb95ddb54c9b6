/** Worker thread: converts the units it is sent with the registered adapters. */
import { parentPort } from 'node:worker_threads';
import { adapters } from '../../adapters/index.js';
import type { SourceFile } from '../../adapters/types.js';
import { convertUnit, type UnitResult } from './convert-unit.js';
import type { WorkerRequest } from './worker-pool.js';

const filesByHome = new Map<string, readonly SourceFile[]>();

parentPort!.on('message', (req: WorkerRequest) => {
  void (async () => {
    if (req.allFiles) filesByHome.set(req.homeKey, req.allFiles);
    const adapter = adapters.find((a) => a.id === req.adapterId);
    let result: UnitResult;
    if (!adapter) {
      result = { ok: false, error: `no adapter ${req.adapterId} in the worker`, bytesRead: 0, warnings: [] };
    } else {
      result = await convertUnit({
        adapter,
        unit: req.unit,
        home: req.home,
        allFiles: filesByHome.get(req.homeKey) ?? [],
        sessionsDir: req.sessionsDir,
        root: req.root,
        redact: req.redact,
      });
    }
    parentPort!.postMessage({ id: req.id, result });
  })();
});
