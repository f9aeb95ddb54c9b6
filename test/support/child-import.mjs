// Runs one import of the toy provider in a child process, so tests can kill it mid-run.
// Usage: node child-import.mjs HOME LOGS_DIR [CHECKPOINT_MS]
import pino from 'pino';
import { runImport } from '../../dist/src/importer/run.js';
import { testAdapter } from './test-adapter.mjs';

const [home, logsDir, checkpointMs = '0'] = process.argv.slice(2);
const summary = await runImport({
  locations: { storeDir: null, logsDir, root: null, project: '' },
  adapters: [testAdapter],
  homeFlags: { testprov: home },
  environment: { env: {}, homedir: home },
  since: null,
  dryRun: false,
  force: false,
  concurrency: 2,
  log: pino({ level: 'silent' }),
  checkpointMs: Number(checkpointMs),
});
process.stdout.write(JSON.stringify(summary));
