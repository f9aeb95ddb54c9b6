// Preloaded into an import process (`node --import ./opened-files.mjs …`): appends the path of
// every file it opens or reads whole to the file named by IMPORT_LOGS_OPENED, one a line.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const log = process.env.IMPORT_LOGS_OPENED;
const { appendFileSync, openSync, readFileSync } = fs;
const note = (path) => {
  if (typeof path === 'string') appendFileSync(log, `${path}\n`);
};
fs.openSync = function (path, ...rest) {
  note(path);
  return openSync.call(this, path, ...rest);
};
fs.readFileSync = function (path, ...rest) {
  note(path);
  return readFileSync.call(this, path, ...rest);
};
syncBuiltinESMExports();
