/**
 * The corpus `--redact` is measured on: planted secrets and look-alikes, written by us. Every value
 * is synthetic (random characters in the shape of the real thing: prefix, length, alphabet); none is
 * or was a live key. Each snippet is text as it shows up in a session: a prompt, a command, a file
 * written or read, command output.
 */

export interface Planted {
  id: string;
  /** The text as it appears in a session. */
  text: string;
  /** What must be gone from the archive (each part of a multi-line secret on its own). */
  secrets: string[];
}

export interface LookAlike {
  id: string;
  /** Must come out of the archive exactly as it went in. */
  text: string;
}

const pemBody = [
  'LCQxfokHzbonUHljxbC/yzPMq7ae+rerhgstSQDK2fUAG+zl+yu1+pqIyWqf6dCq',
  'HJ/ZcD7co+yxYOuDB1a3pQJFlkqFRQFLGS2Ge6DtraAIMs0pNeOxBRTYbbEC5Fh7',
  'zMEO6yW9TFWpfcepiCk4w3XeJiUezeZ09fYb0j699HmtSdI1REJ1KAwT5N9YObNZ',
  'tevqs7wUvGmQcC9gz0dvlC8KAYYGXekyiA1BmBWVEIU+l4a4ExccTy6UmLofjBUU',
  '2OLkz1o1JzGqyIka4nN3S5q2vB4/wSKKMW5WtORomacaRQ7uVHr0ftATf/50Lqde',
  '/97A9Hqy4pWS9otuNWs9oZb55vhK+odfIr66QxvERlmaFhcXNh7Ds2Go7xxUVYWb',
];
/** Six body lines, each a different rotation of the above so that no two keys share a line. */
const body = (n: number, prefix: string) =>
  pemBody.map((line) => prefix + line.slice(n + prefix.length) + line.slice(0, n));

const rsa = body(3, 'MIIEow');
const ec = body(7, 'MHcCAQEE');
const openssh = body(11, 'b3BlbnNzaC1rZXktdjEAAAAA');
const rsaCut = body(17, 'MIIEpA');
const opensshCut = body(23, 'b3BlbnNzaC1rZXktdjEAAAAB');
const gcp = body(29, 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC');

const GCP_KEY_ID = '9a81eb0a4dbf8e313ec45dcbb3ddc321357715ae';
const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3ItNDQxOSIsInJvbGUiOiJhZG1pbiIsImV4cCI6MTc5OTk5OTk5OX0.VJz_R-OlLc_4pSQNak8Bo6oCLEd2sIwViN4F2_FF3KQ';
const BASIC = 'ZGVwbG95OlBAc3N3MHJkIS0yMDI2'; // base64 of a user:password pair

export const PLANTED: Planted[] = [
  {
    id: 'aws access key id (env)',
    text: 'export AWS_ACCESS_KEY_ID=AKIAXKW9YYG5Z30M2GUI',
    secrets: ['AKIAXKW9YYG5Z30M2GUI'],
  },
  {
    id: 'aws secret (env)',
    text: 'export AWS_SECRET_ACCESS_KEY=KUYg+dwOb30Ti2sHlFsZsQYZa8bBQIqASRaNzei2',
    secrets: ['KUYg+dwOb30Ti2sHlFsZsQYZa8bBQIqASRaNzei2'],
  },
  {
    id: 'aws credentials file',
    text: '[default]\naws_access_key_id = AKIAQ4RM7TW2XJ8PLK3N\naws_secret_access_key = nsBjcgqSf9Mh6nAopZzrSy/fMkr3ksF7FPdzT3Pz\nregion = eu-west-1',
    secrets: ['AKIAQ4RM7TW2XJ8PLK3N', 'nsBjcgqSf9Mh6nAopZzrSy/fMkr3ksF7FPdzT3Pz'],
  },
  {
    id: 'aws sts output (JSON)',
    text:
      '{\n    "Credentials": {\n        "AccessKeyId": "ASIAH254EQ0NKN75PP3G",\n        "SecretAccessKey": "Tq1nW7xZ0pB4vK9mC2rY6uE8sJ3hL5dF7gA1oN4x",\n' +
      '        "SessionToken": "IQoJb3JpZ2luX2VjEabAUt0y/l3TAQhprrfp6rIkNrcUrWYPVHi+sh0zUeeI4WAmYGIHHxtsWNe7UG4W+OPl+QuT0ShuhsrRIxBIfdXsokWbblU77nZ4RCZZ7+CaYK5S9t/ydq5Ty",\n' +
      '        "Expiration": "2026-03-02T12:00:00+00:00"\n    }\n}',
    secrets: [
      'ASIAH254EQ0NKN75PP3G',
      'Tq1nW7xZ0pB4vK9mC2rY6uE8sJ3hL5dF7gA1oN4x',
      'abAUt0y/l3TAQhprrfp6rIkNrcUrWYPVHi+sh0zUeeI4WAmYGIHHxtsWNe7UG4W',
    ],
  },
  {
    id: 'gcp service-account json',
    text: `{\n  "type": "service_account",\n  "project_id": "acme-prod-4471",\n  "private_key_id": "${GCP_KEY_ID}",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n${gcp.join('\\n')}\\n-----END PRIVATE KEY-----\\n",\n  "client_email": "deployer@acme-prod-4471.iam.gserviceaccount.com",\n  "client_id": "104475830098127748823",\n  "token_uri": "https://oauth2.googleapis.com/token"\n}`,
    secrets: [GCP_KEY_ID, ...gcp],
  },
  {
    id: 'azure storage connection string',
    text: 'AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=https;AccountName=acmeprodblobs;AccountKey=1H7P4vixi94XPFEIySuXqRvm8NoeOB+tya614uh4rw5AAefCiOHzR2HhZKZtBOeQgriLQlmfURSl4Km7ikGhC6==;EndpointSuffix=core.windows.net"',
    secrets: ['1H7P4vixi94XPFEIySuXqRvm8NoeOB+tya614uh4rw5AAefCiOHzR2HhZKZtBOeQgriLQlmfURSl4Km7ikGhC6=='],
  },
  {
    id: 'azure client secret (env)',
    text: 'AZURE_CLIENT_SECRET=ERD8Q~6AVsDmzLt7HenBmh3wIDW3Llvsrx6iC',
    secrets: ['ERD8Q~6AVsDmzLt7HenBmh3wIDW3Llvsrx6iC'],
  },
  {
    id: 'azure client secret (in prose)',
    text: 'the app registration gave me hHA7Q~GfNwAAEFlcw4gsQEwLTH08REBT7fNbq as the value, tenant 72f988bf-86f1-41af-91ab-2d7cd011db47',
    secrets: ['hHA7Q~GfNwAAEFlcw4gsQEwLTH08REBT7fNbq'],
  },
  {
    id: 'github ghp_',
    text: 'git remote set-url origin https://ghp_0Z7YhRIadCp3Pi8YSuMkXoMp1MKCcS5w5UMJ@github.com/acme/app.git',
    secrets: ['ghp_0Z7YhRIadCp3Pi8YSuMkXoMp1MKCcS5w5UMJ'],
  },
  {
    id: 'github gho_',
    text: 'github.com:\n    oauth_token: gho_v70nOobuqBkxja5RSKCwHup4lYBHLKHgZVuR\n    user: dev',
    secrets: ['gho_v70nOobuqBkxja5RSKCwHup4lYBHLKHgZVuR'],
  },
  {
    id: 'github ghs_',
    text: 'GITHUB_TOKEN: ghs_okLERfE2O0AC3oaP9w87k4uwwDfQlFjR6Jjm',
    secrets: ['ghs_okLERfE2O0AC3oaP9w87k4uwwDfQlFjR6Jjm'],
  },
  {
    id: 'github fine-grained',
    text: 'gh auth login --with-token <<< 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',
    secrets: ['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'],
  },
  {
    id: 'gitlab glpat-',
    text: 'curl --header "PRIVATE-TOKEN: glpat-MXyjkVh0nyclxQSGX5gO" https://gitlab.example.com/api/v4/projects',
    secrets: ['glpat-MXyjkVh0nyclxQSGX5gO'],
  },
  {
    id: 'slack xoxb-',
    text: 'SLACK_BOT_TOKEN=xoxb-09308689415-9574184662102-zX1C5bYAgFXEIk7tRpFh1Rwq',
    secrets: ['xoxb-09308689415-9574184662102-zX1C5bYAgFXEIk7tRpFh1Rwq'],
  },
  {
    id: 'slack xoxp-',
    text: 'const client = new WebClient("xoxp-04222369299-84274585731-1472780648850-637af95476fc66272de18ee4eca514f3");',
    secrets: ['xoxp-04222369299-84274585731-1472780648850-637af95476fc66272de18ee4eca514f3'],
  },
  {
    id: 'slack xoxa-',
    text: 'token xoxa-2-05139583052-9975000014716-09eca036fbc450894e2477a1298a1ec5 expired?',
    secrets: ['xoxa-2-05139583052-9975000014716-09eca036fbc450894e2477a1298a1ec5'],
  },
  {
    id: 'slack webhook url',
    text: "requests.post('https://hooks.slack.com/services/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', json=msg)",
    secrets: ['fsTvmueNcC15pPzKLi4vzYwL'],
  },
  {
    id: 'stripe sk_live_',
    text: "stripe.api_key = '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'",
    secrets: [
      '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',
    ],
  },
  {
    id: 'stripe rk_live_',
    text: 'restricted key 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 for the webhook job',
    secrets: [
      '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',
    ],
  },
  {
    id: 'openai sk- (legacy)',
    text: 'my key is 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, why does it say 429',
    secrets: ['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'],
  },
  {
    id: 'openai sk-proj-',
    text: 'OPENAI_API_KEY=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',
    secrets: [
      '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',
    ],
  },
  {
    id: 'anthropic sk-ant-',
    text: 'client = anthropic.Anthropic(api_key="sk-ant-api03-7xEsLm97fIcRDwMPJy0HpC3Xc9yIude1LHR9VAInuVGA61hAbWC3BgZXJZu1p7Mquj8i7S-19GQfYYgtRH0U-nJttR8iSAA")',
    secrets: [
      'sk-ant-api03-7xEsLm97fIcRDwMPJy0HpC3Xc9yIude1LHR9VAInuVGA61hAbWC3BgZXJZu1p7Mquj8i7S-19GQfYYgtRH0U-nJttR8iSAA',
    ],
  },
  {
    id: 'hugging face hf_',
    text: 'huggingface-cli login --token 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',
    secrets: ['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'],
  },
  {
    id: 'npm npm_',
    text: '//registry.npmjs.org/:_authToken=npm_9tBWCeslKgVEJe3OnRs0ciiTLFfNVEeAkkZB',
    secrets: ['npm_9tBWCeslKgVEJe3OnRs0ciiTLFfNVEeAkkZB'],
  },
  {
    id: 'pypi pypi-',
    text: '[pypi]\n  username = __token__\n  password = pypi-AgEIcHlwaS5vcmcSeSTx78MTvNY8lu-xoQ63BFi2kdhRk860Nqq2Rdhlgu0DHwzihjLPJV1soz1edlOf5ybGRa52R470BgV3FxVg-wx0gCB3TeiBuYeOshYgGHvegagV1uFpbPG',
    secrets: [
      'pypi-AgEIcHlwaS5vcmcSeSTx78MTvNY8lu-xoQ63BFi2kdhRk860Nqq2Rdhlgu0DHwzihjLPJV1soz1edlOf5ybGRa52R470BgV3FxVg-wx0gCB3TeiBuYeOshYgGHvegagV1uFpbPG',
    ],
  },
  { id: 'jwt in a cookie', text: `Set-Cookie: session=${JWT}; Path=/; HttpOnly`, secrets: [JWT] },
  {
    id: 'pem rsa',
    text: `-----BEGIN RSA PRIVATE KEY-----\n${rsa.join('\n')}\n-----END RSA PRIVATE KEY-----`,
    secrets: rsa,
  },
  {
    id: 'pem ec',
    text: `$ cat certs/signing.key\n-----BEGIN EC PRIVATE KEY-----\n${ec.join('\n')}\n-----END EC PRIVATE KEY-----\n$ `,
    secrets: ec,
  },
  {
    id: 'pem openssh',
    text: `-----BEGIN OPENSSH PRIVATE KEY-----\n${openssh.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`,
    secrets: openssh,
  },
  {
    id: 'pem rsa cut short',
    // As the Read tool shows a file: numbered lines, and the output cut after a few of them.
    text:
      ['-----BEGIN RSA PRIVATE KEY-----', ...rsaCut.slice(0, 4)]
        .map((line, i) => `${String(i + 1).padStart(6)}\t${line}`)
        .join('\n') + '\n... (output truncated)',
    secrets: rsaCut.slice(0, 4),
  },
  {
    id: 'pem openssh cut short',
    text: `-----BEGIN OPENSSH PRIVATE KEY-----\n${opensshCut.slice(0, 3).join('\n')}\n${opensshCut[3]!.slice(0, 30)}`,
    secrets: [...opensshCut.slice(0, 3), opensshCut[3]!.slice(0, 30)],
  },
  {
    id: 'authorization basic',
    text: `curl -H 'Authorization: Basic ${BASIC}' https://ci.internal/api/json`,
    secrets: [BASIC],
  },
  {
    id: 'authorization bearer',
    text: 'HTTP request headers: {"Authorization": "Bearer BrqdVnKfqZ6tHz1-AIbtn55qbsjfzXvluO14Mjkp", "Accept": "application/json"}',
    secrets: ['BrqdVnKfqZ6tHz1-AIbtn55qbsjfzXvluO14Mjkp'],
  },
  {
    id: 'url password postgres',
    text: 'DATABASE_URL=postgres://app_user:Tr0ub4dor-and-3@db.internal:5432/app',
    secrets: ['Tr0ub4dor-and-3'],
  },
  {
    id: 'url password mongodb+srv',
    text: 'mongosh "mongodb+srv://admin:S3cr3t!pa55@cluster0.x1y2z.mongodb.net/prod"',
    secrets: ['S3cr3t!pa55'],
  },
  {
    id: 'url password redis (no user)',
    text: 'REDIS_URL=redis://:h7Gk2pQx9LmN4v@cache.internal:6379/0',
    secrets: ['h7Gk2pQx9LmN4v'],
  },
  {
    id: '.env API_KEY',
    text: 'NODE_ENV=production\nAPI_KEY=a8f3k29dj3m4n5b6v7c8x9z0\nPORT=8080',
    secrets: ['a8f3k29dj3m4n5b6v7c8x9z0'],
  },
  {
    id: '.env DB_PASSWORD',
    text: 'DB_HOST=localhost\nDB_USER=app\nDB_PASSWORD=hunter2hunter2\n',
    secrets: ['hunter2hunter2'],
  },
  {
    id: '.env MAILGUN_API_KEY',
    text: 'MAILGUN_API_KEY=key-3ax6xnjp29jd6fds4gc373sgvjxteol0',
    secrets: ['key-3ax6xnjp29jd6fds4gc373sgvjxteol0'],
  },
  {
    id: 'django SECRET_KEY',
    text: "# SECURITY WARNING: keep the secret key used in production secret!\nSECRET_KEY = 'django-insecure-7#x!q@2p$k^l9&m*z(w)e+r=t_y-u8i0o3vb%'\nDEBUG = False",
    secrets: ['django-insecure-7#x!q@2p$k^l9&m*z(w)e+r=t_y-u8i0o3vb%', '7#x!q@2p$k^l9&m*z(w)e+r=t_y-u8i0o3vb%'],
  },
  {
    id: 'password with symbols (JSON)',
    text: '{"host": "db.internal", "user": "svc", "password": "P@ssw0rd!#2026"}',
    secrets: ['P@ssw0rd!#2026'],
  },
  {
    id: 'password with symbols (YAML)',
    text: 'database:\n  username: svc\n  password: hX9#kL2$mQ&v\n  port: 5432',
    secrets: ['hX9#kL2$mQ&v'],
  },
  {
    id: 'password with symbols (shell)',
    text: "export PGPASSWORD='f8#Kd!2pL@x^' && psql -h db.internal -U app",
    secrets: ['f8#Kd!2pL@x^'],
  },
  {
    id: 'password with symbols (Python)',
    text: 'conn = psycopg2.connect(host="db", user="app", password="c0rrect-h0rse!Battery")',
    secrets: ['c0rrect-h0rse!Battery'],
  },
  {
    id: 'client_secret (JSON)',
    text: '{"client_id": "web-app", "client_secret": "gX4!m9Qz#Lr2Vp7s"}',
    secrets: ['gX4!m9Qz#Lr2Vp7s'],
  },
  {
    id: 'token in YAML',
    text: 'sentry:\n  auth_token: 7f2b9c1e4a6d8f0b3c5e7a9d1f3b5c7e9a1d3f5b7c9e1a3d5f7b9c1e3a5d7f9b',
    secrets: ['7f2b9c1e4a6d8f0b3c5e7a9d1f3b5c7e9a1d3f5b7c9e1a3d5f7b9c1e3a5d7f9b'],
  },
];

export const LOOK_ALIKES: LookAlike[] = [
  { id: 'git sha', text: 'HEAD is now at 3f1c2e9a8b7d6c5e4f3a2b1c0d9e8f7a6b5c4d3e Fix the retry loop' },
  { id: 'short sha', text: 'commit 9fceb02 (origin/main) Merge pull request #42' },
  { id: 'sha256', text: 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  dist/app.tar.gz' },
  {
    id: 'integrity hash',
    text: '"integrity": "sha512-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUabcdefghijk0123456789ABCDEFGHIJ=="',
  },
  { id: 'uuid', text: 'session 550e8400-e29b-41d4-a716-446655440000 resumed' },
  {
    id: 'docker image digest',
    text: 'FROM node:20-alpine@sha256:9f3c1b2a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a',
  },
  {
    id: 'base64 image',
    text: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  },
  {
    id: 'ssh public key',
    text: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7kq3Pz8Wd2Lx9Ym4Tn6Rb1Vc5Hs0Ja7Gf3Ke8Qu2Xo dev@laptop',
  },
  {
    id: 'ed25519 public key',
    text: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dev@laptop',
  },
  {
    id: 'pem public key',
    text: '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEd3Rq7Xm9Kp2Lc5Vb8Nh1Zt4Wf6Ys\n-----END PUBLIC KEY-----',
  },
  {
    id: 'certificate',
    text: '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2x1Yj9mVq3Kp8Zr5Lw7Nt0Hs4Ew\n-----END CERTIFICATE-----',
  },
  { id: 'password_field', text: 'password_field = forms.CharField(widget=forms.PasswordInput)' },
  { id: 'token_count', text: 'token_count = len(tokenizer.encode(prompt))' },
  { id: 'max_tokens', text: '{"model": "gpt-4o", "max_tokens": 4096, "temperature": 0.2}' },
  { id: 'usage tokens', text: '{"input_tokens": 1234, "output_tokens": 56, "cache_read_tokens": 7890}' },
  { id: 'AWS_REGION', text: 'AWS_REGION=us-east-1\nAWS_DEFAULT_OUTPUT=json' },
  { id: 'django SECRET_KEY from env', text: "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']" },
  { id: 'SECRET_KEY getenv', text: 'SECRET_KEY = os.getenv("SECRET_KEY", default=None)' },
  { id: 'password from env (JS)', text: 'const password = process.env.DB_PASSWORD;' },
  { id: 'token from call', text: 'const token = await getToken(user.id);' },
  { id: 'api key from config', text: "const apiKey = config.get('apiKey');" },
  { id: 'api key variable', text: 'self.api_key = api_key_v2' },
  { id: 'placeholder YOUR_API_KEY', text: 'OPENAI_API_KEY=YOUR_API_KEY' },
  { id: 'placeholder in angle brackets', text: 'export STRIPE_SECRET_KEY=<your-stripe-secret-key>' },
  { id: 'placeholder template', text: 'password: ${DB_PASSWORD}' },
  { id: 'github actions secret ref', text: 'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}' },
  { id: 'bearer template', text: 'headers: { Authorization: `Bearer ${token}` },' },
  { id: 'password prompt', text: 'Enter your password: ******** (see docs/password-reset.md)' },
  { id: 'password hash call', text: 'password_hash = bcrypt.hashpw(password.encode(), bcrypt.gensalt(12))' },
  { id: 'token type', text: '{"token_type": "bearer", "expires_in": 3600}' },
  {
    id: 'url without password',
    text: 'git clone https://github.com/acme/app.git && open http://localhost:3000/login?next=/admin',
  },
  { id: 'ssh remote', text: 'git@github.com:acme/app.git' },
  { id: 'email address', text: 'Author: Dev Person <dev.person@example.com>' },
  { id: 'npm package name', text: 'npm install sk-learn-utils@2.1.0 hf_transfer' },
  { id: 'python import', text: 'from sklearn.model_selection import train_test_split' },
  { id: 'css color and hex', text: 'color: #3f1c2e; background: #ffffff; --token-primary: #0a84ff;' },
  { id: 'typescript type', text: 'interface Session { token: string; password?: string; secretKey: SecretKey }' },
  { id: 'aws arn', text: 'arn:aws:iam::123456789012:role/deploy-role' },
  { id: 'aws example account', text: 'aws sts get-caller-identity --query Account --output text  # 123456789012' },
  { id: 'version strings', text: 'node v20.11.1, npm 10.2.4, typescript 5.9.3' },
  {
    id: 'normal code',
    text: 'for (const [key, value] of Object.entries(secrets)) {\n  if (!value) throw new Error(`missing ${key}`);\n}',
  },
  { id: 'test name about tokens', text: "it('refreshes the access token before it expires', async () => {" },
  { id: 'long identifier', text: 'export function validatePasswordStrength(input: string): PasswordStrengthResult {' },
  { id: 'jwt header alone', text: 'the header eyJhbGciOiJIUzI1NiJ9 decodes to {"alg":"HS256"}' },
];
