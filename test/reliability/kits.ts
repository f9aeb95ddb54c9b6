/**
 * Generators of native session files, one kit per provider, written from the formats each agent
 * puts on disk (the toy provider's too). A kit lays out a session in a provider home and makes
 * single native lines, so that tests can append damaged or hostile lines to real-looking sessions.
 */

export interface SessionSpec {
  /** Native session id as written inside the files (may be hostile). */
  id: string;
  /** Safe, unique name used where the provider puts the id in a path (a UUID). */
  file: string;
  turns: number;
  cwd: string;
  /** Time of the first record, epoch ms. */
  t0: number;
}

export interface Kit {
  id: string;
  /** CLI flag naming the provider home, without `--`. */
  flag: string;
  /** The files of one session, relative to the provider home. */
  session(spec: SessionSpec): Record<string, string>;
  /** The session's JSONL file that lines are appended to. */
  mainFile(spec: SessionSpec): string;
  /** One native line (with its `\n`) holding a user prompt `text`, stamped `ts` as given. */
  userLine(spec: SessionSpec, text: string, ts: unknown, n: number): string;
}

const iso = (ms: number) => new Date(ms).toISOString();
const jl = (value: unknown) => `${JSON.stringify(value)}\n`;

/** A UUID-shaped safe file id, unique per `n`. */
export function fileId(n: number): string {
  return `7e57a11d-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

function turns(spec: SessionSpec, render: (i: number, at: (s: number) => string) => string): string {
  let out = '';
  for (let i = 0; i < spec.turns; i++) out += render(i, (s) => iso(spec.t0 + i * 60_000 + s * 1000));
  return out;
}

const toy: Kit = {
  id: 'testprov',
  flag: 'testprov-home',
  mainFile: (spec) => `sessions/${spec.file}.jsonl`,
  userLine: (spec, text, ts, n) => jl({ sid: spec.id, ts, kind: 'user', text, cwd: spec.cwd, id: `x${n}` }),
  session(spec) {
    const text = turns(
      spec,
      (i, at) =>
        jl({ sid: spec.id, ts: at(0), kind: 'user', text: `question ${i}`, cwd: spec.cwd, id: `u${i}` }) +
        jl({ sid: spec.id, ts: at(1), kind: 'assistant', text: `answer ${i}`, model: 'model-a', id: `a${i}` }) +
        jl({ sid: spec.id, ts: at(2), kind: 'tool', tool: 'Read', id: `t${i}`, input: { path: `f${i}` } }) +
        jl({ sid: spec.id, ts: at(3), kind: 'result', id: `t${i}`, output: `content ${i}` }) +
        jl({ sid: spec.id, ts: at(4), kind: 'usage', input: 100 + i, output: 10, cached: 40 }),
    );
    return { [this.mainFile(spec)]: text };
  },
};

const claudeBase = (spec: SessionSpec, uuid: string, parent: string | null, ts: unknown) => ({
  parentUuid: parent,
  isSidechain: false,
  userType: 'external',
  cwd: spec.cwd,
  sessionId: spec.id,
  version: '2.1.81',
  gitBranch: 'main',
  uuid,
  timestamp: ts,
});

const claude: Kit = {
  id: 'claude',
  flag: 'claude-home',
  mainFile: (spec) => `projects/-home-dev-proj/${spec.file}.jsonl`,
  userLine: (spec, text, ts, n) =>
    jl({
      ...claudeBase(spec, `${spec.file.slice(0, 24)}${n.toString(16).padStart(12, 'f')}`, null, ts),
      type: 'user',
      message: { role: 'user', content: text },
    }),
  session(spec) {
    const u = (i: number, k: number) => `${spec.file.slice(0, 24)}${(i * 4 + k).toString(16).padStart(12, '0')}`;
    const text = turns(spec, (i, at) => {
      const tool = `toolu_${spec.file.slice(-12)}${i}`;
      return (
        jl({
          ...claudeBase(spec, u(i, 0), i === 0 ? null : u(i - 1, 3), at(0)),
          type: 'user',
          message: { role: 'user', content: `question ${i}` },
        }) +
        jl({
          ...claudeBase(spec, u(i, 1), u(i, 0), at(1)),
          type: 'assistant',
          requestId: `req_${spec.file.slice(-12)}${i}`,
          message: {
            id: `msg_${spec.file.slice(-12)}${i}`,
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-4-5',
            content: [
              { type: 'text', text: `answer ${i}` },
              { type: 'tool_use', id: tool, name: 'Read', input: { file_path: `/home/dev/proj/f${i}` } },
            ],
            stop_reason: 'tool_use',
            usage: {
              input_tokens: 100 + i,
              output_tokens: 10,
              cache_read_input_tokens: 40,
              cache_creation_input_tokens: 0,
            },
          },
        }) +
        jl({
          ...claudeBase(spec, u(i, 2), u(i, 1), at(2)),
          type: 'user',
          message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: tool, content: `content ${i}` }] },
          toolUseResult: { type: 'text', file: { filePath: `/home/dev/proj/f${i}`, content: `content ${i}` } },
        }) +
        jl({
          ...claudeBase(spec, u(i, 3), u(i, 2), at(3)),
          type: 'assistant',
          requestId: `req_${spec.file.slice(-12)}${i}b`,
          message: {
            id: `msg_${spec.file.slice(-12)}${i}b`,
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-4-5',
            content: [{ type: 'text', text: `done ${i}` }],
            stop_reason: 'end_turn',
            usage: { input_tokens: 5, output_tokens: 3, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
          },
        })
      );
    });
    return { [this.mainFile(spec)]: text };
  },
};

const codex: Kit = {
  id: 'codex',
  flag: 'codex-home',
  mainFile: (spec) => {
    const d = new Date(spec.t0).toISOString();
    return `sessions/${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)}/rollout-${d.slice(0, 19).replace(/:/g, '-')}-${spec.file}.jsonl`;
  },
  userLine: (_spec, text, ts) =>
    jl({ timestamp: ts, type: 'event_msg', payload: { type: 'user_message', message: text, images: [] } }),
  session(spec) {
    const meta = jl({
      timestamp: iso(spec.t0),
      type: 'session_meta',
      payload: {
        id: spec.id,
        timestamp: iso(spec.t0),
        cwd: spec.cwd,
        originator: 'codex_cli_rs',
        cli_version: '0.118.0',
        source: 'cli',
        model_provider: 'openai',
      },
    });
    let total = 0;
    const text = turns(spec, (i, at) => {
      total += 110 + i;
      const call = `call_${spec.file.slice(-12)}_${i}`;
      return (
        jl({
          timestamp: at(0),
          type: 'turn_context',
          payload: { cwd: spec.cwd, approval_policy: 'on-request', model: 'gpt-5-codex', summary: 'auto' },
        }) +
        jl({
          timestamp: at(0),
          type: 'response_item',
          payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `question ${i}` }] },
        }) +
        jl({
          timestamp: at(0),
          type: 'event_msg',
          payload: { type: 'user_message', message: `question ${i}`, images: [] },
        }) +
        jl({
          timestamp: at(1),
          type: 'response_item',
          payload: {
            type: 'function_call',
            name: 'shell',
            arguments: JSON.stringify({ command: ['cat', `f${i}`] }),
            call_id: call,
          },
        }) +
        jl({
          timestamp: at(2),
          type: 'response_item',
          payload: { type: 'function_call_output', call_id: call, output: `content ${i}` },
        }) +
        jl({
          timestamp: at(3),
          type: 'response_item',
          payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: `answer ${i}` }] },
        }) +
        jl({ timestamp: at(3), type: 'event_msg', payload: { type: 'agent_message', message: `answer ${i}` } }) +
        jl({
          timestamp: at(4),
          type: 'event_msg',
          payload: {
            type: 'token_count',
            info: {
              total_token_usage: {
                input_tokens: total,
                cached_input_tokens: 40 * (i + 1),
                output_tokens: 10 * (i + 1),
                reasoning_output_tokens: 0,
                total_tokens: total + 10 * (i + 1),
              },
              last_token_usage: {
                input_tokens: 110 + i,
                cached_input_tokens: 40,
                output_tokens: 10,
                reasoning_output_tokens: 0,
                total_tokens: 120 + i,
              },
              model_context_window: 272000,
            },
          },
        })
      );
    });
    return { [this.mainFile(spec)]: meta + text };
  },
};

const gemini: Kit = {
  id: 'gemini',
  flag: 'gemini-home',
  mainFile: (spec) =>
    `tmp/${'5e'.repeat(32)}/chats/session-${iso(spec.t0).slice(0, 16).replace(/:/g, '-')}-${spec.file.slice(-8)}.jsonl`,
  userLine: (_spec, text, ts, n) => jl({ id: `hostile-${n}`, timestamp: ts, type: 'user', content: text }),
  session(spec) {
    const header = jl({
      sessionId: spec.id,
      projectHash: '5e'.repeat(32),
      startTime: iso(spec.t0),
      lastUpdated: iso(spec.t0),
      kind: 'main',
      directories: [spec.cwd],
    });
    const text = turns(
      spec,
      (i, at) =>
        jl({
          id: `${spec.file.slice(-8)}-u${i}`,
          timestamp: at(0),
          type: 'user',
          content: [{ text: `question ${i}` }],
        }) +
        jl({
          id: `${spec.file.slice(-8)}-g${i}`,
          timestamp: at(1),
          type: 'gemini',
          content: `answer ${i}`,
          model: 'gemini-2.5-pro',
          thoughts: [],
          tokens: { input: 100 + i, output: 10, cached: 40, thoughts: 0, tool: 0, total: 150 + i },
          toolCalls: [
            {
              id: `read_file-${spec.file.slice(-8)}-${i}`,
              name: 'read_file',
              args: { absolute_path: `${spec.cwd}/f${i}` },
              result: [
                {
                  functionResponse: {
                    id: `read_file-${spec.file.slice(-8)}-${i}`,
                    name: 'read_file',
                    response: { output: `content ${i}` },
                  },
                },
              ],
              status: 'success',
              timestamp: at(2),
              displayName: 'ReadFile',
            },
          ],
        }) +
        jl({ $set: { lastUpdated: at(3) } }),
    );
    return { [this.mainFile(spec)]: header + text };
  },
};

const copilot: Kit = {
  id: 'copilot',
  flag: 'copilot-home',
  mainFile: (spec) => `session-state/${spec.file}/events.jsonl`,
  userLine: (spec, text, ts, n) =>
    jl({
      type: 'user.message',
      data: { content: text },
      id: `${spec.file.slice(0, 24)}${n.toString(16).padStart(12, 'f')}`,
      timestamp: ts,
      parentId: null,
    }),
  session(spec) {
    const ev = (n: number) => `${spec.file.slice(0, 24)}${n.toString(16).padStart(12, '0')}`;
    let k = 0;
    const line = (type: string, data: unknown, ts: string) =>
      jl({ type, data, id: ev(k), timestamp: ts, parentId: k++ === 0 ? null : ev(k - 2) });
    let text = line(
      'session.start',
      {
        sessionId: spec.id,
        version: 1,
        producer: 'copilot-agent',
        copilotVersion: '1.0.34',
        startTime: iso(spec.t0),
        selectedModel: 'gpt-5',
        context: { cwd: spec.cwd },
      },
      iso(spec.t0),
    );
    text += turns(spec, (i, at) => {
      const call = `call_${spec.file.slice(-12)}_${i}`;
      return (
        line(
          'user.message',
          { content: `question ${i}`, transformedContent: `question ${i}`, attachments: [] },
          at(0),
        ) +
        line('assistant.turn_start', { turnId: String(i) }, at(0)) +
        line(
          'assistant.message',
          {
            messageId: `m-${i}`,
            content: `answer ${i}`,
            toolRequests: [
              { toolCallId: call, name: 'view', arguments: { path: `${spec.cwd}/f${i}` }, type: 'function' },
            ],
          },
          at(1),
        ) +
        line(
          'tool.execution_start',
          { toolCallId: call, toolName: 'view', arguments: { path: `${spec.cwd}/f${i}` } },
          at(2),
        ) +
        line(
          'tool.execution_complete',
          { toolCallId: call, success: true, result: { content: `content ${i}` } },
          at(3),
        ) +
        line('assistant.turn_end', { turnId: String(i) }, at(4))
      );
    });
    const end = spec.t0 + spec.turns * 60_000;
    text += line(
      'session.shutdown',
      {
        shutdownType: 'routine',
        sessionStartTime: spec.t0,
        totalApiDurationMs: 1000,
        totalPremiumRequests: spec.turns,
        codeChanges: { linesAdded: 0, linesRemoved: 0, filesModified: [] },
        modelMetrics: {
          'gpt-5': {
            requests: { count: spec.turns, cost: spec.turns },
            usage: {
              inputTokens: 100 * spec.turns,
              outputTokens: 10 * spec.turns,
              cacheReadTokens: 0,
              cacheWriteTokens: 0,
            },
          },
        },
      },
      iso(end),
    );
    return {
      [this.mainFile(spec)]: text,
      [`session-state/${spec.file}/workspace.yaml`]: `id: ${spec.file}\ncwd: ${spec.cwd}\ncreated_at: ${iso(spec.t0)}\nupdated_at: ${iso(end)}\n`,
    };
  },
};

export const KITS: readonly Kit[] = [toy, claude, codex, gemini, copilot];

/** A home of `count` sessions of `kit`, with ids derived from `base`. */
export function homeOf(
  kit: Kit,
  count: number,
  base: number,
  turnsOf: (n: number) => number = (n) => 2 + (n % 5),
): Record<string, string> {
  const files: Record<string, string> = {};
  for (let n = 0; n < count; n++) {
    const spec = specOf(base + n, turnsOf(n));
    Object.assign(files, kit.session(spec));
  }
  return files;
}

export function specOf(n: number, turnCount: number, id = fileId(n)): SessionSpec {
  return { id, file: fileId(n), turns: turnCount, cwd: '/home/dev/proj', t0: Date.UTC(2026, 2, 1, 10) + n * 3_600_000 };
}
