/**
 * Claude Code and Codex CLI homes holding the secret corpus where secrets really show up: typed in
 * prompts, in the commands and files the agent writes (tool inputs), and in what the tools print
 * back (tool outputs). Each snippet is placed once per provider, in a different place for each.
 */
import type { LookAlike, Planted } from './secret-corpus.js';

type Snippet = Planted | LookAlike;
type Place = 'prompt' | 'input' | 'output';
const PLACES: readonly Place[] = ['prompt', 'input', 'output'];

const jl = (value: unknown) => `${JSON.stringify(value)}\n`;
const iso = (ms: number) => new Date(ms).toISOString();
const T0 = Date.parse('2026-03-02T09:00:00.000Z');
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Where snippet `i` goes for a provider (`shift` differs per provider). */
const placeOf = (i: number, shift: number): Place => PLACES[(i + shift) % PLACES.length]!;

function claudeSession(sessionId: string, cwd: string, snippets: readonly Snippet[], title: string): string {
  let parent: string | null = null;
  let n = 0;
  let out = '';
  const line = (record: Record<string, unknown>) => {
    const uuid = `${sessionId.slice(0, 24)}${hex(++n, 12)}`;
    out += jl({
      parentUuid: parent,
      isSidechain: false,
      userType: 'external',
      cwd,
      sessionId,
      version: '2.1.81',
      gitBranch: 'main',
      uuid,
      timestamp: iso(T0 + n * 1000),
      ...record,
    });
    parent = uuid;
  };
  const assistant = (content: unknown[], stop: string) =>
    line({
      type: 'assistant',
      requestId: `req_${hex(n, 24)}`,
      message: {
        id: `msg_${hex(n, 24)}`,
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content,
        stop_reason: stop,
        usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      },
    });
  line({ type: 'user', message: { role: 'user', content: title } });
  assistant([{ type: 'text', text: 'Looking at it.' }], 'end_turn');
  snippets.forEach((s, i) => {
    const tool = `toolu_${hex(i, 24)}`;
    const place = placeOf(i, 0);
    if (place === 'prompt') {
      line({ type: 'user', message: { role: 'user', content: `here is what I have:\n${s.text}` } });
      assistant([{ type: 'text', text: 'Thanks, I will use that.' }], 'end_turn');
      return;
    }
    // A multi-line snippet is a file the agent writes; one line, a command it runs.
    const multiline = s.text.includes('\n');
    const input =
      place === 'input'
        ? multiline
          ? { file_path: `${cwd}/config/${i}.txt`, content: s.text }
          : { command: s.text, description: 'Run it' }
        : { command: `cat config/${i}.txt`, description: 'Show the file' };
    assistant(
      [{ type: 'tool_use', id: tool, name: place === 'input' && multiline ? 'Write' : 'Bash', input }],
      'tool_use',
    );
    const output = place === 'output' ? s.text : 'ok';
    line({
      type: 'user',
      message: {
        role: 'user',
        content: [{ type: 'tool_result', tool_use_id: tool, content: output, is_error: false }],
      },
      toolUseResult: { stdout: output, stderr: '', interrupted: false, isImage: false },
    });
  });
  assistant([{ type: 'text', text: 'Done.' }], 'end_turn');
  // The tail marker whose prompt becomes the title.
  out += jl({ type: 'last-prompt', lastPrompt: title, sessionId });
  return out;
}

function codexSession(sessionId: string, cwd: string, snippets: readonly Snippet[], title: string): string {
  let n = 0;
  const at = () => iso(T0 + ++n * 1000);
  let out = jl({
    timestamp: at(),
    type: 'session_meta',
    payload: {
      id: sessionId,
      timestamp: iso(T0),
      cwd,
      originator: 'codex_cli_rs',
      cli_version: '0.118.0',
      source: 'cli',
      model_provider: 'openai',
    },
  });
  out += jl({
    timestamp: at(),
    type: 'turn_context',
    payload: { cwd, approval_policy: 'on-request', model: 'gpt-5-codex', summary: 'auto' },
  });
  const prompt = (text: string) => {
    const ts = at();
    out += jl({
      timestamp: ts,
      type: 'response_item',
      payload: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
    out += jl({ timestamp: ts, type: 'event_msg', payload: { type: 'user_message', message: text, images: [] } });
  };
  prompt(title);
  snippets.forEach((s, i) => {
    const call = `call_${hex(i, 24)}`;
    const place = placeOf(i, 1);
    if (place === 'prompt') {
      prompt(`here is what I have:\n${s.text}`);
      return;
    }
    if (place === 'input' && s.text.includes('\n')) {
      // Files go through apply_patch, a custom tool whose input is the raw patch.
      const patch = `*** Begin Patch\n*** Add File: config/${i}.txt\n${s.text
        .split('\n')
        .map((l) => `+${l}`)
        .join('\n')}\n*** End Patch\n`;
      out += jl({
        timestamp: at(),
        type: 'response_item',
        payload: { type: 'custom_tool_call', status: 'completed', call_id: call, name: 'apply_patch', input: patch },
      });
      out += jl({
        timestamp: at(),
        type: 'response_item',
        payload: {
          type: 'custom_tool_call_output',
          call_id: call,
          output: 'Success. Updated the following files:\nA config/' + i + '.txt\n',
        },
      });
      return;
    }
    const command = place === 'input' ? s.text : `cat config/${i}.txt`;
    out += jl({
      timestamp: at(),
      type: 'response_item',
      payload: {
        type: 'function_call',
        name: 'shell',
        arguments: JSON.stringify({ command: ['bash', '-lc', command], workdir: cwd }),
        call_id: call,
      },
    });
    const output = place === 'output' ? s.text : '';
    out += jl({
      timestamp: at(),
      type: 'response_item',
      payload: {
        type: 'function_call_output',
        call_id: call,
        output: `Exit code: 0\nWall time: 0.1 seconds\nOutput:\n${output}`,
      },
    });
  });
  out += jl({
    timestamp: at(),
    type: 'response_item',
    payload: { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Done.' }] },
  });
  // The thread's name (the title) as the CLI derives it from the first prompt.
  out += jl({ timestamp: at(), type: 'event_msg', payload: { type: 'thread_name_updated', thread_name: title } });
  return out;
}

/** The prompt that becomes each session's title in the index holds a secret too. */
export const TITLE_SECRET = 'sk-proj-Hq7Lm2Xv9Rt4Nb6Kp1Zw8Yc3Df5Gj0Se2Ua4Io6Pq8Xr1Ty3Vb5Nm7Lk9Jh2Gf4Ds6';
const TITLE = `why does ${TITLE_SECRET} get a 401 from the API?`;

export const CLAUDE_SESSION = '5ec2e7a1-0000-4000-8000-00000000c1a0';
export const CODEX_SESSION = '5ec2e7a1-0000-4000-8000-00000000c0de';

/** Claude (`projects/…`) and Codex (`sessions/…`) home files, by provider. */
export function secretHomes(snippets: readonly Snippet[]): {
  claude: Record<string, string>;
  codex: Record<string, string>;
} {
  return {
    claude: {
      [`projects/-home-dev-app/${CLAUDE_SESSION}.jsonl`]: claudeSession(
        CLAUDE_SESSION,
        '/home/dev/app',
        snippets,
        TITLE,
      ),
    },
    codex: {
      [`sessions/2026/03/02/rollout-2026-03-02T09-00-00-${CODEX_SESSION}.jsonl`]: codexSession(
        CODEX_SESSION,
        '/home/dev/app',
        snippets,
        TITLE,
      ),
    },
  };
}
