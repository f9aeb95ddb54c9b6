// The built CLI with the toy provider registered next to the real ones (`--testprov-home DIR`), so
// that tests can drive exit codes, locks and faults through the real command line.
import { adapters } from '../../dist/adapters/index.js';
import { testAdapter } from './test-adapter.mjs';

adapters.push(testAdapter);
await import('../../dist/src/cli/main.js');
