/**
 * Realistic values of every kind, for tests and the bench. Credentials are assembled at run time
 * from their prefixes and pseudo-random characters, so nothing in the repository has the shape of
 * a real key (secret scanners and CI's `git grep` stay quiet) and none of them is anyone's key.
 */

const alphanumeric = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const base64url = `${alphanumeric}-_`;
const base64 = `${alphanumeric}+/`;

/** Deterministic characters from `alphabet` (a linear congruential generator: the same every run). */
export function pseudoRandom(alphabet: string, length: number, seed = 1): string {
  let state = seed >>> 0;
  let text = '';
  for (let index = 0; index < length; index += 1) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    text += alphabet[state % alphabet.length] ?? '';
  }
  return text;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export const samples = {
  openaiKey: (seed = 1) => ['sk', 'proj', pseudoRandom(base64url, 40, seed) + pseudoRandom(alphanumeric, 20, seed)].join('-'),
  openaiLegacyKey: (seed = 2) => ['sk', pseudoRandom(alphanumeric, 48, seed)].join('-'),
  anthropicKey: (seed = 3) => ['sk', 'ant', 'api03', `${pseudoRandom(alphanumeric, 60, seed)}-${pseudoRandom(base64url, 30, seed)}AA`].join('-'),
  awsAccessKey: (seed = 4) => ['AK', 'IA', pseudoRandom(base32, 16, seed)].join(''),
  awsTemporaryKey: (seed = 5) => ['AS', 'IA', pseudoRandom(base32, 16, seed)].join(''),
  githubToken: (seed = 6) => ['gh', 'p_', pseudoRandom(alphanumeric, 36, seed)].join(''),
  githubFineGrainedToken: (seed = 7) => ['github', 'pat', pseudoRandom(alphanumeric, 22, seed), pseudoRandom(alphanumeric, 59, seed + 1)].join('_'),
  slackToken: (seed = 8) => ['xo', 'xb-', pseudoRandom('0123456789', 12, seed), '-', pseudoRandom('0123456789', 13, seed), '-', pseudoRandom(alphanumeric, 24, seed)].join(''),
  googleApiKey: (seed = 9) => ['AI', 'za', 'Sy', pseudoRandom(base64url, 33, seed)].join(''),
  jwt: (seed = 10) =>
    [base64UrlJson({ alg: 'HS256', typ: 'JWT' }), base64UrlJson({ sub: `user-${seed}`, name: 'Jane Doe', iat: 1_716_239_022 }), pseudoRandom(base64url, 43, seed)].join('.'),
  privateKey: (seed = 11, label = 'RSA PRIVATE KEY') =>
    [`-----BEGIN ${label}-----`, ...Array.from({ length: 6 }, (_, line) => pseudoRandom(base64, 64, seed + line)), `${pseudoRandom(base64, 20, seed)}==`, `-----END ${label}-----`].join('\n'),
  email: 'jane.doe+billing@example.com',
  phone: '+1 (415) 555-2671',
  card: '4111 1111 1111 1111',
  iban: 'DE89 3704 0044 0532 0130 00',
} as const; // prettier-ignore
