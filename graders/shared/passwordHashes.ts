/**
 * Password hashes as stored by a learner's app: bcrypt (`$2a$`, `$2b$`, `$2y$`) and argon2 in the PHC
 * string format (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`). One parser for every check that looks
 * at a stored password (Phase 1 registration.password-hashed and no-password-in-responses, Phase 3
 * passwords.strong-hash).
 *
 * argon2 parameters are read BY NAME, never by position: the npm `argon2` package writes
 * `m=…,p=…,t=…`, `@node-rs/argon2` and `hash-wasm` write `m=…,t=…,p=…`, and the PHC format lets a
 * writer order them as it likes. `v=` is optional (hashes from before version 1.3 have none), and
 * the optional argon2 parameters `keyid=` and `data=` are accepted. Unit tests with hashes written by
 * real libraries: graders/harness/passwordHashes.test.ts (fixtures: graders/shared/passwordHashes.fixtures.ts).
 */

export type Argon2Variant = 'argon2id' | 'argon2i' | 'argon2d';

export interface BcryptHash {
  kind: 'bcrypt';
  /** `2a`, `2b` or `2y` (the same algorithm; the letter only records which implementation wrote it). */
  variant: '2a' | '2b' | '2y';
  cost: number;
}

export interface Argon2Hash {
  kind: 'argon2';
  variant: Argon2Variant;
  /** The `v=` parameter (19 for version 1.3, 16 for 1.0); undefined when the hash has none. */
  version: number | undefined;
  /** `m=`, in KiB. */
  memoryKiB: number;
  /** `t=`, the number of passes. */
  iterations: number;
  /** `p=`, the number of lanes. */
  parallelism: number;
  /** The parameter names in the order the hash lists them (e.g. `['m', 'p', 't']`). */
  order: string[];
}

export type PasswordHash = BcryptHash | Argon2Hash;

export type ParsedPasswordHash =
  /** A well-formed bcrypt or argon2 hash. */
  | { ok: true; hash: PasswordHash; text: string }
  /** Starts like a bcrypt or argon2 hash but breaks the format: `problem` says how. */
  | { ok: false; family: 'bcrypt' | 'argon2'; problem: string; text: string };

const BCRYPT = /^\$(2[aby])\$(\d{2})\$([./A-Za-z0-9]{53})$/;
const BCRYPT_LIKE = /^\$2[a-z]?\$/;
const ARGON2_LIKE = /^\$argon2[a-z]*\$/;
/** PHC's B64: standard base64 alphabet, no padding. */
const B64 = /^[A-Za-z0-9+/]+$/;
const DECIMAL = /^(0|[1-9]\d*)$/;
const ARGON2_PARAMS = new Set(['m', 't', 'p', 'keyid', 'data']);

/**
 * Parses `text` as a bcrypt or argon2 password hash. Undefined when it does not even start like one
 * (`$2…$` or `$argon2…$`), so callers can scan every column of a row.
 */
export function parsePasswordHash(text: string): ParsedPasswordHash | undefined {
  if (BCRYPT_LIKE.test(text)) return parseBcrypt(text);
  if (ARGON2_LIKE.test(text)) return parseArgon2(text);
  return undefined;
}

function parseBcrypt(text: string): ParsedPasswordHash {
  const bad = (problem: string): ParsedPasswordHash => ({ ok: false, family: 'bcrypt', problem, text });
  const match = BCRYPT.exec(text);
  if (!match) {
    const prefix = /^\$(2[a-z]?)\$/.exec(text)?.[1];
    if (prefix && !['2a', '2b', '2y'].includes(prefix)) {
      return bad(`its prefix is \`$${prefix}$\`; bcrypt hashes start with \`$2a$\`, \`$2b$\` or \`$2y$\``);
    }
    return bad('it is not `$2b$<two-digit cost>$<53 characters of salt and hash>` (60 characters in all); ' + `it has ${text.length} characters`);
  }
  const cost = Number(match[2]);
  if (cost < 4 || cost > 31) return bad(`its cost is ${match[2]}; bcrypt costs run from 04 to 31`);
  return { ok: true, hash: { kind: 'bcrypt', variant: match[1] as BcryptHash['variant'], cost }, text };
}

function parseArgon2(text: string): ParsedPasswordHash {
  const bad = (problem: string): ParsedPasswordHash => ({ ok: false, family: 'argon2', problem, text });
  // $<id>[$v=<version>][$<param>=<value>(,<param>=<value>)*][$<salt>[$<hash>]]
  const fields = text.split('$').slice(1);
  const id = fields.shift() as string;
  if (id !== 'argon2id' && id !== 'argon2i' && id !== 'argon2d') {
    return bad(`its algorithm is \`${id}\`; expected \`argon2id\`, \`argon2i\` or \`argon2d\``);
  }
  let version: number | undefined;
  if (fields[0]?.startsWith('v=')) {
    const value = (fields.shift() as string).slice(2);
    if (!DECIMAL.test(value)) return bad(`its version is \`v=${value}\`; expected a number (\`v=19\`)`);
    version = Number(value);
  }
  const paramField = fields.shift();
  if (paramField === undefined || !paramField.includes('=')) {
    return bad('it has no parameters; expected `m=<KiB>,t=<passes>,p=<lanes>` (in any order) after the algorithm');
  }
  const params = new Map<string, string>();
  const order: string[] = [];
  for (const pair of paramField.split(',')) {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq) : '';
    const value = eq > 0 ? pair.slice(eq + 1) : '';
    if (!/^[a-z0-9-]{1,32}$/.test(name) || value === '') {
      return bad(`its parameter \`${pair}\` is not \`name=value\``);
    }
    if (params.has(name)) return bad(`it lists the parameter \`${name}=\` twice`);
    if (!ARGON2_PARAMS.has(name)) {
      return bad(`it has an unknown parameter \`${name}=\`; argon2 knows \`m\`, \`t\`, \`p\`, \`keyid\` and \`data\``);
    }
    params.set(name, value);
    order.push(name);
  }
  const numbers: Record<'m' | 't' | 'p', number> = { m: 0, t: 0, p: 0 };
  const missing = (['m', 't', 'p'] as const).filter((name) => !params.has(name));
  if (missing.length > 0) {
    return bad(`it lacks the parameter${missing.length > 1 ? 's' : ''} ${missing.map((n) => `\`${n}=\``).join(', ')}`);
  }
  for (const name of ['m', 't', 'p'] as const) {
    const value = params.get(name) as string;
    if (!DECIMAL.test(value)) return bad(`its parameter \`${name}=${value}\` is not a whole number`);
    numbers[name] = Number(value);
  }
  for (const name of ['keyid', 'data'] as const) {
    const value = params.get(name);
    if (value !== undefined && !B64.test(value)) return bad(`its parameter \`${name}=\` is not base64`);
  }
  const [salt, digest, ...rest] = fields;
  if (salt === undefined || digest === undefined) {
    return bad('it lacks the salt or the hash after the parameters (`…$<salt>$<hash>`)');
  }
  if (rest.length > 0) return bad('it has more `$`-separated fields than `$<id>$v=…$<params>$<salt>$<hash>`');
  if (!B64.test(salt)) return bad('its salt is not base64 (without padding)');
  if (!B64.test(digest)) return bad('its hash is not base64 (without padding)');
  return {
    ok: true,
    hash: { kind: 'argon2', variant: id, version, memoryKiB: numbers.m, iterations: numbers.t, parallelism: numbers.p, order },
    text,
  };
}

/** True when `text` is, or starts like, a bcrypt or argon2 hash (what must never leave the app). */
export function looksLikePasswordHash(text: string): boolean {
  return parsePasswordHash(text) !== undefined;
}

/** "argon2id (v=19) with m=19456 KiB, t=2, p=1" or "bcrypt ($2b$) of cost 10". */
export function describePasswordHash(hash: PasswordHash): string {
  if (hash.kind === 'bcrypt') return `bcrypt (\`$${hash.variant}$\`) of cost ${hash.cost}`;
  return (
    `${hash.variant}${hash.version === undefined ? ' (no v=)' : ` (v=${hash.version})`} with ` +
    `m=${hash.memoryKiB} KiB, t=${hash.iterations}, p=${hash.parallelism}`
  );
}

/** The hash up to its parameters, never its salt or digest: `$argon2id$v=19$m=19456,p=1,t=2$…`. */
export function hashHead(text: string): string {
  if (BCRYPT_LIKE.test(text)) return `${text.slice(0, 7)}…`;
  const fields = text.split('$');
  const saltAt = fields.findIndex((field, i) => i > 1 && !field.includes('='));
  return saltAt > 2 ? `${fields.slice(0, saltAt).join('$')}$…` : `${text.slice(0, 24)}…`;
}

export interface HashPolicy {
  minBcryptCost: number;
  argon2Variants: readonly Argon2Variant[];
  minArgon2MemoryKiB: number;
  minArgon2Iterations: number;
}

/** The rules of `policy` that `hash` breaks, each as one sentence fragment; empty when it is strong enough. */
export function weaknesses(hash: PasswordHash, policy: HashPolicy): string[] {
  if (hash.kind === 'bcrypt') {
    return hash.cost < policy.minBcryptCost ? [`the bcrypt cost ${hash.cost} is below the minimum of ${policy.minBcryptCost}`] : [];
  }
  const broken: string[] = [];
  if (!policy.argon2Variants.includes(hash.variant)) {
    broken.push(`the variant is ${hash.variant}; expected ${policy.argon2Variants.join(' or ')}`);
  }
  if (hash.memoryKiB < policy.minArgon2MemoryKiB) {
    broken.push(`the memory m=${hash.memoryKiB} KiB is below the minimum of ${policy.minArgon2MemoryKiB} KiB`);
  }
  if (hash.iterations < policy.minArgon2Iterations) {
    broken.push(`the iterations t=${hash.iterations} are below the minimum of ${policy.minArgon2Iterations}`);
  }
  return broken;
}
