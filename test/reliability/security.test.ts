/**
 * Security: what the tool creates is private (0700 / 0600), `--redact` masks real-looking secrets
 * in every imported field and leaves ordinary code alone, and the read-only commands never print
 * transcript content. (That no id or path read from a file can name a path outside `sessions/` is
 * proved per provider by hostile.test.ts.)
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REDACTION_RULES, redactSecrets } from '../../src/writer/redact.js';
import { cleanupTemps, repoRoot } from '../support/harness.js';
import { homeOf, specOf } from './kits.js';
import { activeKits, firstKit, homeArgs, importArgs, listTree, runCli, sandbox, writeFiles } from './support.js';

afterAll(cleanupTemps);

describe('files the CLI creates', () => {
  it('are private to the user: every dir 0700, every file 0600, store included', async () => {
    const sb = sandbox();
    const kits = activeKits();
    for (const kit of kits) writeFiles(sb.homeOf(kit), homeOf(kit, 2, 0));
    const store = join(sb.root, 'store');
    const run = await runCli(sb, ['--store', store, ...homeArgs(sb, kits)]);
    expect(run.code, run.stderr).toBe(0);
    const paths = listTree(store);
    expect(paths.filter((p) => p.endsWith('.jsonl')).length).toBe(2 * kits.length);
    expect(paths).toContain('sessions_index.json');
    for (const p of ['', ...paths]) {
      const st = statSync(join(store, p));
      expect((st.mode & 0o777).toString(8), p || 'store').toBe(st.isDirectory() ? '700' : '600');
    }
  });
});

/** Real-looking secrets (made up), each with the rule that must catch it. */
const SECRETS: [rule: string, text: string, secret: string][] = [
  ['aws_access_key_id', 'export AWS_ACCESS_KEY_ID=AKIAZ7QW3RTY5UIO9PLK', 'AKIAZ7QW3RTY5UIO9PLK'],
  [
    'secret_assignment',
    'aws_secret_access_key = Zq8vY2kLmN4pR6sT8uW0xA2cE4gI6kM8oQ0sU2wY',
    'Zq8vY2kLmN4pR6sT8uW0xA2cE4gI6kM8oQ0sU2wY',
  ],
  [
    'github_token',
    'git clone https://ghp_4fG7hJ9kL2mN5pQ8rS1tV4wX7yZ0aB3cD6eF@github.com/acme/app',
    'ghp_4fG7hJ9kL2mN5pQ8rS1tV4wX7yZ0aB3cD6eF',
  ],
  [
    'github_token',
    'GH_TOKEN=github_pat_11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstuv',
    'github_pat_11ABCDEFG0aBcDeFgHiJkL_mNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstuv',
  ],
  [
    'api_key',
    'OPENAI_API_KEY="sk-proj-Xy7Tq2Lm9Np4Rs6Vw8Za1Bc3De5Fg7Hj9Kl2Mn4"',
    'sk-proj-Xy7Tq2Lm9Np4Rs6Vw8Za1Bc3De5Fg7Hj9Kl2Mn4',
  ],
  [
    'api_key',
    'client = Anthropic(api_key="sk-ant-api03-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Qw9Er1Ty3Ui5Op7As9Df1Gh3Jk5Lz7Xc9Vb1Nm3Qw5Er7Ty9Ui1Op3-AbCdEfAA")',
    'sk-ant-api03-Qw3Er5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb5Nm7Qw9Er1Ty3Ui5Op7As9Df1Gh3Jk5Lz7Xc9Vb1Nm3Qw5Er7Ty9Ui1Op3-AbCdEfAA',
  ],
  ['stripe_key', "stripe.api_key = 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ'", 'sk_live_51HqLyjWDarjtT1zdp7dcXYZ'],
  [
    'slack_token',
    'SLACK_BOT_TOKEN is xoxb-2145678901-4123456789012-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2',
    'xoxb-2145678901-4123456789012-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2',
  ],
  [
    'google_api_key',
    'maps key AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW here',
    'AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW',
  ],
  [
    'jwt',
    'cookie: session=eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiYWRtaW4iOnRydWV9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiYWRtaW4iOnRydWV9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  ],
  [
    'bearer_token',
    'curl -H "Authorization: Bearer 8f2a9c4e1b7d3f6a0c5e9b2d4f8a1c3e7b" https://api.example.com',
    '8f2a9c4e1b7d3f6a0c5e9b2d4f8a1c3e7b',
  ],
  ['url_password', 'DATABASE_URL=postgres://app_user:Tr0ub4dor-and-3@db.internal:5432/app', 'Tr0ub4dor-and-3'],
  ['secret_assignment', 'DB_PASSWORD=hunter2hunter2', 'hunter2hunter2'],
  // Tool inputs are JSON objects: a quoted key name, and the same object JSON-encoded once more.
  ['secret_assignment', '{"password":"hunter2hunter2"}', 'hunter2hunter2'],
  ['secret_assignment', 'docker run {"env": {"DB_PASSWORD": "Zq8vY2kLmN4pR6sT"}}', 'Zq8vY2kLmN4pR6sT'],
  ['secret_assignment', "config = {'api_key': 'a1b2c3d4e5f6g7h8'}", 'a1b2c3d4e5f6g7h8'],
  [
    'private_key',
    'key file:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDgn1kNf2tS7rj0l9VwXb1nZ8mH3qL0Xy4cR5tV6wU7iAAAAJgAAAAAAAAA\n-----END OPENSSH PRIVATE KEY-----\nthat was it',
    'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
  ],
];

/** Ordinary code and text, full of near misses: nothing in it may change. */
const ORDINARY = `import { readFile } from 'node:fs/promises';
const token = await getToken(user.id);
const password = process.env.DB_PASSWORD;
const apiKey = config.get('apiKey');
self.api_key = api_key_v2
headers: { Authorization: \`Bearer \${token}\` },
const url = \`https://\${host}:\${port}/api/v1/users/42\`;
const MAX_TOKENS = 4096; const max_tokens = 8192;
{"input_tokens": 1234, "output_tokens": 56, "cache_read_tokens": 7890}
git@github.com:acme/app.git  https://github.com/acme/app/commit/3f1c2e9a8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e
uuid 550e8400-e29b-41d4-a716-446655440000, task-sk-learn-2024, import sklearn
integrity sha512-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUabcdefghijk0123456789ABCDEFGHIJ==
ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 dev@laptop
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE
-----END PUBLIC KEY-----
Enter your password: ******** (see docs/password-reset.md)
mailto:someone@example.com http://localhost:3000/login?next=/admin
password_hash = bcrypt.hash(password, 12)
export GITHUB_TOKEN=\${{ secrets.GITHUB_TOKEN }}
data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==
`;

describe('--redact rules', () => {
  it.each(SECRETS)('%s masks %s', (rule, text, secret) => {
    const out = redactSecrets(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(`[REDACTED:${rule}]`);
    // Also inside JSON-encoded text (how fields are written): still valid JSON, same masking.
    const encoded = redactSecrets(JSON.stringify({ text }));
    expect(JSON.parse(encoded)).toEqual({ text: out });
  });

  it('leaves ordinary code, hashes, UUIDs, public keys and base64 data untouched', () => {
    expect(redactSecrets(ORDINARY)).toBe(ORDINARY);
    expect(redactSecrets(JSON.stringify(ORDINARY))).toBe(JSON.stringify(ORDINARY));
  });

  it('every rule is listed in the README', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    for (const rule of REDACTION_RULES) expect(readme).toContain(`\`${rule.name}\``);
  });
});

describe('--redact on an import', () => {
  it('masks secrets in every session file and index entry, and re-converts when toggled with --no-redact and --redact', async () => {
    const sb = sandbox();
    const kits = activeKits();
    const spec = specOf(0, 1);
    for (const kit of kits) {
      writeFiles(sb.homeOf(kit), kit.session(spec));
      writeFiles(sb.homeOf(kit), {
        [kit.mainFile(spec)]:
          readFileSync(join(sb.homeOf(kit), kit.mainFile(spec)), 'utf8') +
          SECRETS.map(([, text], n) => kit.userLine(spec, text, `2026-03-02T00:00:0${n % 10}.000Z`, n)).join(''),
      });
    }
    const logsText = () =>
      listTree(sb.logs)
        .filter((p) => !p.endsWith('sessions'))
        .map((p) => readFileSync(join(sb.logs, p), 'utf8'))
        .join('\n');

    const masked = await runCli(sb, importArgs(sb, kits, ['--redact']));
    expect(masked.code, masked.stderr).toBe(0);
    const text = logsText();
    for (const [rule, , secret] of SECRETS) {
      expect(text, rule).not.toContain(secret);
      expect(text).toContain(`[REDACTED:${rule}]`);
    }
    expect(text).toContain('answer 0');

    const plain = await runCli(sb, importArgs(sb, kits, ['--no-redact']));
    expect(JSON.parse(plain.stdout).providers[kits[0]!.id]).toMatchObject({ updated_sessions: 1 });
    expect(logsText()).toContain(SECRETS[0]![2]);
    const again = await runCli(sb, importArgs(sb, kits, ['--redact']));
    expect(JSON.parse(again.stdout).providers[kits[0]!.id]).toMatchObject({ updated_sessions: 1 });
    expect(logsText()).not.toContain(SECRETS[0]![2]);
  });
});

describe('read-only commands', () => {
  it('doctor never prints transcript content; list none but titles', async () => {
    const sb = sandbox();
    const kit = firstKit();
    const spec = specOf(0, 3);
    const marker = 'TRANSCRIPT-CONTENT-7b1f';
    writeFiles(sb.homeOf(kit), {
      [kit.mainFile(spec)]: Object.values(kit.session(spec))[0]!
        .replace(/answer 1/g, marker)
        .replace(/content 2/g, marker),
    });
    expect((await runCli(sb, importArgs(sb, [kit]))).code).toBe(0);
    expect(
      readFileSync(
        join(
          sb.logs,
          'sessions',
          readFileSync(join(sb.logs, 'index.json'), 'utf8').match(/"log_path": "sessions\/([^"]+)"/)![1]!,
        ),
        'utf8',
      ),
    ).toContain(marker);
    for (const args of [
      ['list', '--out', sb.logs],
      ['list', '--out', sb.logs, '--json'],
      ['doctor', ...homeArgs(sb, [kit])],
    ]) {
      const out = await runCli(sb, args);
      expect(out.code, `${args[0]}: ${out.stderr}`).toBeLessThanOrEqual(1);
      expect(out.stdout + out.stderr, args.join(' ')).not.toContain(marker);
    }
  });
});
