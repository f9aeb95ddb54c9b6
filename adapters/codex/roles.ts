/**
 * Which `role` a Codex user-side text gets: `user` only for what the human typed. Codex tags each
 * content item of newer rollouts (`internal_chat_message_metadata_passthrough.content_item_kinds`);
 * where the tags are there they decide, so a new kind of injected text is never taken for typing.
 * Older rollouts are classified by the text's opening. README "user_message roles" lists both tables.
 */

/** Harness-injected user text, by its opening: the role it gets instead of `user`. */
const ROLES: readonly (readonly [opening: string, role: string])[] = [
  // `# AGENTS.md instructions for <dir>` (CLI) and `# AGENTS.md instructions` (Desktop, global file).
  ['# AGENTS.md instructions', 'instructions'],
  ['<user_instructions>', 'instructions'],
  ['<environment_context>', 'environment_context'],
  ['<permissions instructions>', 'permissions'],
  ['<collaboration_mode>', 'collaboration_mode'],
  ['<recommended_plugins>', 'plugins'],
  ['<user_shell_command>', 'user_shell_command'],
  ['<turn_aborted>', 'turn_aborted'],
  ['<subagent_notification>', 'subagent_notification'],
  ['<hook_prompt', 'hook_prompt'],
  ['<skill>', 'skill'],
];

/** `content_item_kinds` tags of injected text: the role each gets. */
const KINDS: Readonly<Record<string, string>> = {
  'agents_md.instructions': 'instructions',
  'environments.environment_context': 'environment_context',
  'permissions.instructions': 'permissions',
  'collaboration_mode.instructions': 'collaboration_mode',
  'plugins.recommendations': 'plugins',
  'host_skills.instructions': 'skill',
  'skills.instructions': 'skill',
  'skills.catalog': 'skill',
  'skills.selected_skill_instructions': 'skill',
  'hooks.additional_context': 'hook_context',
};

/** Tag of text the human typed or attached. */
const TYPED = 'user.';
/** Tag Codex writes when it does not know the kind itself: classified by the text. */
const UNKNOWN = 'unknown';
/** Role of injected text whose tag is in neither table. */
const HARNESS = 'harness';

/** The role of a native message role plus its text, by the text's opening. */
export function classifyRole(nativeRole: string, text: string): string {
  if (nativeRole === 'developer' || nativeRole === 'system') return nativeRole;
  const head = text.trimStart();
  for (const [prefix, role] of ROLES) if (head.startsWith(prefix)) return role;
  return 'user';
}

/** The role of one content item of a `user` message with a `content_item_kinds` tag. */
export function roleOfKind(kind: string, text: string): string {
  if (kind.startsWith(TYPED)) return 'user';
  if (kind === UNKNOWN) return classifyRole('user', text);
  return Object.hasOwn(KINDS, kind) ? KINDS[kind]! : HARNESS;
}
