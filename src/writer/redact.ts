/**
 * `--redact`: masks secrets in imported text. Each rule replaces the secret it finds with
 * `[REDACTED:<rule>]`, keeping what names it (`Bearer `, `KEY=`, `scheme://user:`, a quoted key
 * name). The rules are ours, modeled on the patterns of gitleaks' and secretlint's rule sets
 * (provider prefixes, lengths and alphabets; key names in assignments). They work on plain and on
 * JSON-encoded text alike (at any depth of escaping: `\n`, `\\n`, `\"`), and a replacement never
 * starts or ends inside an escape, so the JSON line it is in stays valid. They aim at few false
 * positives: ordinary code, hashes, UUIDs, public keys and base64 data are left alone (see README,
 * "Redaction").
 *
 * Speed: every rule's match starts with one of its anchors (a prefix such as `ghp_`, a key name,
 * `://`). One pass over the text looks for anchors through a table of their first three
 * characters, and a rule's regex runs only where one of its anchors is; a regex per rule over all
 * the text would cost several times the import itself.
 */

export const REDACTION_RULES_VERSION = 2;

interface Rule {
  name: string;
  /** Lower case; the match starts with one of them (in any case). */
  anchors: readonly string[];
  /** Sticky (`y`): run where an anchor is. The secret is the match after its `pre` group (kept); trailing context goes in lookaheads. */
  pattern: RegExp;
  /** The secret starts this many characters before the match (matched by a lookbehind). */
  lead?: number;
  /** The secret must not continue a word (a `\n`-style escape before it counts as a break). */
  wordStart?: boolean;
  /** A value named as a secret: a rule for the value's own shape, when one matches, names it better. */
  byName?: boolean;
  /** Extra check on the secret (and the match's named groups). */
  accept?: (secret: string, groups: Readonly<Record<string, string | undefined>>) => boolean;
}

const hasLetterAndDigit = (s: string) => /\d/.test(s) && /[A-Za-z]/.test(s);

/** `user:password` in base64, as in `Authorization: Basic`. */
function isBasicCredential(s: string): boolean {
  const decoded = Buffer.from(s, 'base64').toString('latin1');
  return /^[\x21-\x7e]+:[\x20-\x7e]+$/.test(decoded);
}

/** Key names that hold a secret, and their harmless relatives (`token_count`, `password_field`). */
const SECRET_NAME = String.raw`secret|token|passw(?:or)?d|passphrase|(?<=(?:api|access|private|auth|signing|encryption|master|account)[_-]?)key`;
const HARMLESS_NAME =
  /(?:field|count|type|name|label|len|length|limit|hash|path|file|dir|url|uri|env|var|header|prefix|endpoint|usage|budget|index|min|max|size|mode|policy|ttl|expiry|expires(?:_in|_at)?|timeout|format|input|widget|strength|provider|store|service|class|regex|pattern|enabled|required|s)$/i;

/**
 * The value of a `name = value` assignment is a secret when it is a literal that looks like one:
 * not a placeholder or template, not code (a call, an index, a dotted path, a snake_case or
 * CONSTANT_CASE identifier, a path), 8+ characters of at least two kinds, and unquoted ones with a
 * digit and a letter.
 */
function isSecretValue(value: string, quoted: boolean): boolean {
  if (value.length < 8) return false;
  if (
    /^(?:\[REDACTED|[$<{%*/~.]|your|my[_-]|example|changeme|placeholder|dummy|x{4,}|none$|null$|undefined$|true$|false$)/i.test(
      value,
    )
  )
    return false;
  if (/[()[\]]/.test(value) && !quoted) return false;
  if (/^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return false;
  if (/^(?:[a-z][a-z0-9]*_[a-z0-9_]*|[A-Z][A-Z0-9]*_[A-Z0-9_]*)$/.test(value)) return false;
  let kinds = 0;
  for (const re of [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z0-9]/]) if (re.test(value)) kinds++;
  return quoted ? kinds >= 2 : hasLetterAndDigit(value) || kinds >= 3;
}

/** A `-----BEGIN … PRIVATE KEY-----` line, also a PGP `… PRIVATE KEY BLOCK`. */
const PEM_BEGIN = String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`;
const PEM_END = String.raw`-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`;
/** A newline or tab, raw or escaped once or more (`\n`, `\\n`). */
const BREAK = String.raw`[\r\n\t]|\\+[nrt]`;

export const REDACTION_RULES: readonly Rule[] = [
  {
    // A whole block; else, a block cut short (no END line), up to the end of its base64 lines
    // (line numbers of a numbered listing included).
    name: 'private_key',
    anchors: ['-----begin'],
    pattern: new RegExp(
      String.raw`${PEM_BEGIN}(?:(?:[A-Za-z0-9+/=:,. -]|${BREAK})*?${PEM_END}|(?:[A-Za-z0-9+/= ]|${BREAK}|(?:Proc-Type|DEK-Info|Comment|Version):[^"\\\r\n]*)*)`,
      'y',
    ),
  },
  {
    name: 'aws_access_key_id',
    anchors: ['akia', 'asia', 'abia', 'acca'],
    pattern: /(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![0-9A-Za-z])/y,
    wordStart: true,
  },
  {
    name: 'github_token',
    anchors: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'],
    pattern: /(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9])/y,
    wordStart: true,
  },
  {
    name: 'gitlab_token',
    anchors: ['glpat-', 'gldt-', 'glrt-', 'glptt-', 'gloas-', 'glcbt-'],
    pattern: /gl(?:pat|dt|rt|ptt|oas|cbt)-[A-Za-z0-9_.-]{20,}/y,
    wordStart: true,
  },
  {
    name: 'slack_token',
    anchors: ['xox', 'xapp-'],
    pattern: /(?:xox[abposre]-[A-Za-z0-9-]{10,}|xapp-\d-[A-Za-z0-9-]{20,})/y,
    wordStart: true,
  },
  {
    name: 'slack_webhook',
    anchors: ['hooks.slack.com/'],
    pattern: /(?<pre>hooks\.slack\.com\/(?:services|workflows|triggers)\/)[A-Za-z0-9_/-]{20,}/y,
  },
  {
    name: 'stripe_key',
    anchors: ['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_', 'whsec_'],
    pattern: /(?:[rs]k_(?:live|test)_[0-9A-Za-z]{16,}|whsec_[0-9A-Za-z]{24,})/y,
    wordStart: true,
  },
  {
    name: 'api_key',
    anchors: ['sk-'],
    pattern: /sk-(?:ant-[a-z]+\d*-|proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/y,
    wordStart: true,
    accept: hasLetterAndDigit,
  },
  { name: 'huggingface_token', anchors: ['hf_'], pattern: /hf_[A-Za-z0-9]{30,}(?![A-Za-z0-9])/y, wordStart: true },
  { name: 'npm_token', anchors: ['npm_'], pattern: /npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/y, wordStart: true },
  { name: 'pypi_token', anchors: ['pypi-'], pattern: /pypi-AgE[A-Za-z0-9_-]{50,}/y, wordStart: true },
  { name: 'google_api_key', anchors: ['aiza'], pattern: /AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/y, wordStart: true },
  {
    name: 'azure_key',
    anchors: ['accountkey=', 'sharedaccesskey='],
    pattern: /(?<pre>(?:AccountKey|SharedAccessKey)=)[A-Za-z0-9+/]{20,}={0,2}/y,
  },
  // Entra ID client secrets: three characters, a digit, `Q~`, then 31 to 34 more.
  {
    name: 'azure_client_secret',
    anchors: ['q~'],
    pattern: /Q~(?<=[A-Za-z0-9_~.-]{3}\dQ~)[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/y,
    lead: 4,
    wordStart: true,
  },
  {
    name: 'jwt',
    anchors: ['eyj'],
    pattern: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/y,
    wordStart: true,
  },
  {
    name: 'bearer_token',
    anchors: ['bearer'],
    pattern: /(?<pre>[Bb]earer[ \t]+)[A-Za-z0-9._~+/-]{20,}=*/y,
    accept: hasLetterAndDigit,
  },
  {
    name: 'basic_auth',
    anchors: ['basic'],
    pattern: /(?<pre>[Bb]asic[ \t]+)[A-Za-z0-9+/]{8,}={0,2}(?![A-Za-z0-9+/=])/y,
    accept: isBasicCredential,
  },
  {
    name: 'url_password',
    anchors: ['://'],
    pattern: /(?<pre>:\/\/[^\s:/?#@"'\\[\]]*:)[^\s/?#@"'\\[\]]+(?=@)/y,
    accept: (s) => !/^(?:\[REDACTED|\$|<|\*+$)/.test(s),
  },
  {
    // `name = value`, `name: value`, `"name": "value"` (JSON, YAML, shell, Python, .env), the
    // value quoted or not; the name ends with its quote, if any.
    name: 'secret_assignment',
    anchors: ['secret', 'token', 'passw', 'passp', 'key'],
    byName: true,
    pattern: new RegExp(
      String.raw`(?<pre>(?<name>(?:${SECRET_NAME})[A-Za-z0-9_-]*)(?:\\*["'])?[ \t]*(?::=|[:=]>?)[ \t]*(?<quote>\\*["'])?)(?:(?<=["'])[^"'\s\\]{8,4096}(?=\\*["'])|(?<!["'])[^\s"'\\${'`'},;]{8,4096})`,
      'iy',
    ),
    accept: (secret, groups) =>
      !HARMLESS_NAME.test(groups.name ?? '') && isSecretValue(secret, groups.quote !== undefined),
  },
];

/** True when position `i` of `text` does not continue a word: a `\n`, `\t`, `\r` escape before it is a break. */
function startsWord(text: string, i: number): boolean {
  const before = text.charCodeAt(i - 1);
  const isWordChar =
    (before >= 48 && before <= 57) ||
    (before >= 65 && before <= 90) ||
    (before >= 97 && before <= 122) ||
    before === 95;
  return !isWordChar || ((before === 110 || before === 114 || before === 116) && text.charCodeAt(i - 2) === 92);
}

/** Per first three characters of an anchor (lower case, ASCII; a two-character anchor with any third): the anchors and their rules. */
const BY_TRIGRAM = new Map<number, { anchor: string; rule: Rule }[]>();
/** The same, as a table of flags: the scan's test at each character. */
const TRIGRAMS = new Uint8Array(1 << 21);
/** Per UTF-16 code unit: its ASCII lower case, or 0 (which no anchor holds) for any other. */
const FOLD = new Uint8Array(65536);
for (let c = 1; c < 128; c++) FOLD[c] = c >= 65 && c <= 90 ? c + 32 : c;
const TRIGRAM_MASK = (1 << 21) - 1;
for (const rule of REDACTION_RULES) {
  for (const anchor of rule.anchors) {
    const [a, b, c] = [...anchor].map((ch) => ch.charCodeAt(0));
    for (let x = 0; x < 128; x++) {
      if (c !== undefined && c !== x) continue;
      const key = (a! << 14) | (b! << 7) | x;
      TRIGRAMS[key] = 1;
      const list = BY_TRIGRAM.get(key) ?? [];
      list.push({ anchor, rule });
      BY_TRIGRAM.set(key, list);
    }
  }
}

/** `text` holds `anchor` (lower case) at `at`, in any case. */
function anchorAt(text: string, at: number, anchor: string): boolean {
  if (at + anchor.length > text.length) return false;
  for (let k = 0; k < anchor.length; k++) if (FOLD[text.charCodeAt(at + k)] !== anchor.charCodeAt(k)) return false;
  return true;
}

const NO_GROUPS: Readonly<Record<string, string | undefined>> = {};

interface Found {
  rule: Rule;
  /** The secret: text[start, end). */
  start: number;
  end: number;
}

/** The secret a rule with an anchor at `at` finds there (the trigram there is `key`), if any; `byName` rules only when `withByName`. */
function findAt(text: string, at: number, key: number, withByName: boolean): Found | null {
  for (const { anchor, rule } of BY_TRIGRAM.get(key)!) {
    if (rule.byName && !withByName) continue;
    if (!anchorAt(text, at, anchor)) continue;
    rule.pattern.lastIndex = at;
    const m = rule.pattern.exec(text);
    if (m === null) continue;
    const start = at + (m.groups?.pre?.length ?? 0) - (rule.lead ?? 0);
    const end = at + m[0].length;
    if (end === start || (rule.wordStart && !startsWord(text, start))) continue;
    if (rule.accept && !rule.accept(text.slice(start, end), m.groups ?? NO_GROUPS)) continue;
    // `KEY=ghp_…`: the value's own rule, if one matches it, is found when the scan gets there.
    if (rule.byName && specificAt(text, start)) continue;
    return { rule, start, end };
  }
  return null;
}

/** A rule for a value's own shape (not `byName`) finds a secret starting at `at`. */
function specificAt(text: string, at: number): boolean {
  if (at + 3 > text.length) return false;
  const key =
    (FOLD[text.charCodeAt(at)]! << 14) | (FOLD[text.charCodeAt(at + 1)]! << 7) | FOLD[text.charCodeAt(at + 2)]!;
  return TRIGRAMS[key] === 1 && findAt(text, at, key, false) !== null;
}

/** Masks every secret the rules find in `text` (plain or JSON-encoded). */
export function redactSecrets(text: string): string {
  let result = '';
  let last = 0;
  // The last three characters, folded, 7 bits each.
  let key = 0;
  for (let i = 0; i < text.length; i++) {
    key = ((key << 7) | FOLD[text.charCodeAt(i)]!) & TRIGRAM_MASK;
    if (TRIGRAMS[key] !== 1) continue;
    const found = findAt(text, i - 2, key, true);
    if (found === null || found.start < last) continue;
    result += `${text.slice(last, found.start)}[REDACTED:${found.rule.name}]`;
    last = found.end;
    // Go on after the secret, with none of its characters in the next trigram.
    i = found.end - 1;
    key = 0;
  }
  return last === 0 ? text : result + text.slice(last);
}
