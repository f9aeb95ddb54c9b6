// A tiny provider for core tests (never shipped). Home layout: `sessions/<name>.jsonl`, one JSON
// record per line: {sid, ts, version?, kind: user|assistant|tool|result|usage|total|meta, ...};
// `total` states the session's usage so far, as providers do, and is checked against the usage
// emitted. A `user` record may carry its event `key` and `damaged: true` (a partial event). A file whose name starts with `fail` makes convert throw. Imports the built core (dist/) so that the same
// module serves in-process tests and child processes.
import { join } from 'node:path';
import { readJsonRecords, unknownRecord, INVALID_UTF8_REASON } from '../../dist/src/session/records.js';
import { SessionDraft } from '../../dist/src/session/draft.js';
import { normalizeTimestamp } from '../../dist/src/util/time.js';
import { normalizeUsage, usageMismatch } from '../../dist/src/util/usage.js';
import { inferToolKind } from '../../dist/src/model/events.js';

/** @type {import('../../adapters/types.js').Adapter} */
export const testAdapter = {
  id: 'testprov',
  title: 'Test provider',
  version: 1,
  testedVersion: '1.2',
  home: {
    env: 'TESTPROV_HOME',
    flag: 'testprov-home',
    resolve: ({ env, homedir }) =>
      env.TESTPROV_HOME
        ? [{ path: env.TESTPROV_HOME, via: 'TESTPROV_HOME' }]
        : [{ path: join(homedir, '.testprov'), via: 'default' }],
  },
  sources: ['sessions/*.jsonl'],
  async *convert(unit, ctx) {
    const file = unit.files[0];
    if (file.rel.startsWith('sessions/fail')) throw new Error(`${file.path}: refusing on purpose`);
    const sessions = new Map();
    /** Usage emitted so far, per session (for `total` records). */
    const emitted = new Map();
    const fallbackId = file.rel.replace(/^sessions\//, '').replace(/\.jsonl$/, '');
    let current = null;
    const sessionFor = (sid) => {
      const id = typeof sid === 'string' && sid !== '' ? sid : fallbackId;
      let s = sessions.get(id);
      if (!s) {
        s = new SessionDraft({ id, format: 'testprov:jsonl' });
        sessions.set(id, s);
      }
      return s;
    };
    for await (const rec of readJsonRecords(file.path, ctx.stats)) {
      if (!rec.ok) {
        yield { session: current ?? sessionFor(undefined), event: rec.warning };
        continue;
      }
      const r = rec.value;
      const s = (current = sessionFor(r.sid));
      if (rec.invalidUtf8) s.addReason(INVALID_UTF8_REASON);
      const ts = normalizeTimestamp(r.ts);
      if (r.cwd) s.workspacePath = r.cwd;
      if (r.model) s.noteModel(r.model);
      s.noteAgentVersion(r.version);
      switch (r.kind) {
        case 'user':
          yield {
            session: s,
            event: {
              type: 'user_message',
              role: 'user',
              content: String(r.text ?? ''),
              message_id: r.id,
              ts,
              key: r.key,
              completeness: r.damaged ? 'partial' : undefined,
            },
          };
          break;
        case 'assistant':
          yield {
            session: s,
            event: { type: 'assistant_message', content: String(r.text ?? ''), message_id: r.id, ts },
          };
          break;
        case 'tool':
          yield {
            session: s,
            event: {
              type: 'tool_call',
              tool_name: r.tool,
              tool_kind: inferToolKind(r.tool),
              tool_id: r.id,
              input: r.input,
              ts,
            },
          };
          break;
        case 'result':
          yield { session: s, event: { type: 'tool_result', tool_id: r.id, success: !r.error, output: r.output, ts } };
          break;
        case 'usage': {
          const usage = normalizeUsage(
            { input: r.input, output: r.output, cacheRead: r.cached },
            { inputIncludesCacheRead: true, outputIncludesReasoning: true },
          );
          const sum = emitted.get(s) ?? { input_tokens: 0, output_tokens: 0 };
          emitted.set(s, {
            input_tokens: sum.input_tokens + usage.input_tokens,
            output_tokens: sum.output_tokens + usage.output_tokens,
          });
          yield { session: s, event: { ...usage, ts } };
          break;
        }
        case 'total': {
          const reason = usageMismatch('the total record', emitted.get(s) ?? {}, {
            input_tokens: r.input,
            output_tokens: r.output,
          });
          if (reason) s.addReason(reason);
          break;
        }
        case 'meta':
          if (r.title) s.title = r.title;
          break;
        default:
          yield { session: s, event: unknownRecord(s, String(r.kind), r, ts) };
      }
    }
    if (sessions.size === 0) sessionFor(undefined);
    for (const session of sessions.values()) yield { session, end: true };
  },
};
