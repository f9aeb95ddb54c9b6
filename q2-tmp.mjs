import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { callCost } from './dist/src/report/prices.js';
const path = process.argv[2];
for (let i=0;i<2;i++){
execFileSync('python3', ['/tmp/i17/evict.py', path]);
const t0=performance.now();
const db = new Database(path, { readonly: true });
db.function('call_cost', { deterministic: true }, (model, ts, i, o, cr, cc) => callCost({model, ts, input_tokens: i, output_tokens: o, cache_read_tokens: cr, cache_creation_tokens: cc}));
const rows = db.prepare(`select session_id, sum(c) as cost, count(*) - count(c) as unpriced from (select u.session_id, call_cost(coalesce(u.model, s.model), u.ts, u.input_tokens, u.output_tokens, u.cache_read_tokens, u.cache_creation_tokens) as c from usage u join sessions s on s.session_id = u.session_id) group by session_id`).all();
console.log('udf', rows.length, (performance.now()-t0).toFixed(0));
const t1=performance.now();
const p = db.prepare("select s.session_id, (select e.text from events e where e.session_id = s.session_id and e.type = 'user_message' and e.role = 'user' and e.text is not null order by e.seq limit 1) as text from sessions s where s.title is null").all();
console.log('prompts', p.length, (performance.now()-t1).toFixed(0));
}
