/**
 * Zod schemas of Gemini CLI's native records (see README.md and the format notes). To keep
 * validation cheap, unknown keys are ignored (not rejected, not copied) and big nested payloads
 * (`content`, `args`, `result`, `resultDisplay`) are `unknown`, narrowed by hand in convert.ts.
 */
import { z } from 'zod';

/** `thoughts[]` entry of a gemini message, parsed by the CLI from `**Subject** description`. */
export const Thought = z.object({
  /** The bold heading of the thought. */
  subject: z.string().optional(),
  /** The thought text after the heading. */
  description: z.string().optional(),
  /** When the thought streamed in (before its message's timestamp). */
  timestamp: z.string().optional(),
});

/** `tokens` of a gemini message: the usageMetadata of that one API call. */
export const TokenCounts = z.object({
  /** promptTokenCount: the whole prompt, cached part included. */
  input: z.number().nullish(),
  /** candidatesTokenCount: the answer, thoughts excluded. */
  output: z.number().nullish(),
  /** cachedContentTokenCount: the part of `input` served from cache. */
  cached: z.number().nullish(),
  /** thoughtsTokenCount: reasoning, counted apart from `output`. */
  thoughts: z.number().nullish(),
  /** toolUsePromptTokenCount: tool-use prompt, counted apart from `input`. */
  tool: z.number().nullish(),
  /** totalTokenCount = input + output + thoughts + tool. */
  total: z.number().nullish(),
});

/** `toolCalls[]` entry of a gemini message: one completed call and its result. */
export const ToolCallRecord = z.object({
  /** Call id, from the model (`x0m3mt27`) or synthesized (`run_shell_command-<ms>-<hex>`). */
  id: z.string().optional(),
  /** Tool name: read_file, run_shell_command, an MCP tool, … */
  name: z.string(),
  /** Arguments as the model sent them. */
  args: z.unknown().optional(),
  /** PartListUnion, normally `[{functionResponse:{id,name,response:{output}|{error}}}]`. */
  result: z.unknown().optional(),
  /** success | error | cancelled. */
  status: z.string().optional(),
  /** When the call completed. */
  timestamp: z.string().optional(),
  /** What the UI showed: a string, or (v0.25+) a FileDiff object. */
  resultDisplay: z.unknown().optional(),
  /** Set when the call ran a subagent (v0.39+). */
  agentId: z.string().optional(),
});
export type ToolCallRecord = z.infer<typeof ToolCallRecord>;

/** One message of a conversation (legacy JSON `messages[]` entry, or a JSONL line with an `id`). */
export const MessageRecord = z.object({
  /** Unique per message; in JSONL a repeated id is an update (last copy wins). */
  id: z.string(),
  /** When the record was created (UTC, ms). */
  timestamp: z.string().optional(),
  /** user | gemini | info | error | warning. */
  type: z.string(),
  /** PartListUnion: a string, a Part, or a Part[]. */
  content: z.unknown().optional(),
  /** What the user typed when it differs from `content` (v0.28+), PartListUnion. */
  displayContent: z.unknown().optional(),
  /** gemini: the model that answered; it can change inside a session. */
  model: z.string().nullish(),
  /** gemini: thought summaries, each checked with `Thought`. */
  thoughts: z.array(z.unknown()).nullish(),
  /** gemini: usage of this API call; null or absent when it arrived late. */
  tokens: TokenCounts.nullish(),
  /** gemini: tool calls made by this message, each checked with `ToolCallRecord`. */
  toolCalls: z.array(z.unknown()).nullish(),
});
export type MessageRecord = z.infer<typeof MessageRecord>;

/** One entry of `logs.json`, the per-project prompt log. */
export const LogEntry = z.object({
  /** Session the prompt belongs to. */
  sessionId: z.string(),
  /** Per-session counter 0, 1, 2, … */
  messageId: z.number(),
  /** Always `user`. */
  type: z.string(),
  /** The raw prompt, slash commands included. */
  message: z.string(),
  /** When the prompt was sent. */
  timestamp: z.string(),
});

/** One turn of a `/chat save` checkpoint: the raw API history (`Content`). */
export const CheckpointContent = z.object({
  /** user | model. */
  role: z.string().optional(),
  /** Parts: text, thought text, functionCall, functionResponse, inlineData, fileData. */
  parts: z.array(z.unknown()).optional(),
});

/** `checkpoint-<tag>.json`: a bare `Content[]` (≤ v0.15) or `{history, authType}` (v0.16+). */
export const CheckpointFile = z.union([
  z.array(z.unknown()),
  z.object({
    /** The API history, `Content[]`. */
    history: z.array(z.unknown()),
    /** How the user was authenticated. */
    authType: z.string().optional(),
  }),
]);

/** `~/.gemini/projects.json` (v0.29+): project root → slug of its `tmp/` dir. */
export const ProjectsFile = z.object({
  /** Normalized absolute project root → slug. */
  projects: z.record(z.string(), z.string()),
});

/** The part of `~/.gemini/settings.json` that says how long sessions are kept. */
export const RetentionSettings = z.object({
  /** The `general` settings group. */
  general: z
    .looseObject({
      /** Automatic deletion of old sessions (v0.9+). */
      sessionRetention: z
        .looseObject({
          /** Whether old sessions are deleted. */
          enabled: z.boolean().optional(),
          /** Age after which sessions are deleted: `<n>h|d|w|m`. */
          maxAge: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
});
