// Preload for push tests: SIGKILLs the process right after its Nth COMMIT to PostgreSQL
// (IMPORT_LOGS_KILL_AFTER_COMMITS), a crash at a known point between two transactions.
import pg from 'pg';

const limit = Number(process.env.IMPORT_LOGS_KILL_AFTER_COMMITS);
let commits = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = async function (...args) {
  const result = await query.apply(this, args);
  if (args[0] === 'commit' && ++commits === limit) process.kill(process.pid, 'SIGKILL');
  return result;
};
