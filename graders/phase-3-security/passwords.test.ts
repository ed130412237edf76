import { findTextInColumns, selectRowsMatching } from '../harness/context';
import { ensure, fail, measure, show, useChecks } from '../harness/check';
import { checks } from './checks';
import { newUser, registerUser } from './support/api';
import { describePasswordHash, hashHead, parsePasswordHash, weaknesses, type HashPolicy } from '../shared/passwordHashes';

const check = useChecks(checks);

/** The brief's minimums (exercises/phase-3-security/README.md, "Password hashing"): OWASP's for each algorithm. */
const POLICY: HashPolicy = {
  minBcryptCost: 10,
  argon2Variants: ['argon2id'],
  minArgon2MemoryKiB: 19_456,
  minArgon2Iterations: 2,
};

check('passwords.strong-hash', async () => {
  const user = newUser('stronghash');
  const { id } = await registerUser(user);

  const plaintext = await findTextInColumns(user.password);
  ensure(
    plaintext.length === 0,
    `The password of a newly registered user is stored in plain text, in ${plaintext
      .map((m) => `\`${m.table}.${m.column}\``)
      .join(', ')}; expected only a bcrypt or argon2id hash of it.`,
  );

  const rows = [...(await selectRowsMatching(user.email)), ...(await selectRowsMatching(id))];
  if (rows.length === 0) fail(`Found no row holding the registered email ${show(user.email)} in your database.`);
  const values = rows.flatMap(({ row }) => Object.values(row).filter((v): v is string => typeof v === 'string'));

  const parsed = values.map(parsePasswordHash).filter((p) => p !== undefined);
  const found = parsed.find((p) => p.ok);
  if (found?.ok) {
    const { hash } = found;
    if (hash.kind === 'bcrypt') {
      measure('bcrypt cost', hash.cost, { threshold: `≥ ${POLICY.minBcryptCost}` });
    } else {
      measure('argon2 memory (KiB)', hash.memoryKiB, { threshold: `≥ ${POLICY.minArgon2MemoryKiB}` });
      measure('argon2 iterations', hash.iterations, { threshold: `≥ ${POLICY.minArgon2Iterations}` });
    }
    const broken = weaknesses(hash, POLICY);
    ensure(
      broken.length === 0,
      `The password is stored as ${describePasswordHash(hash)} (read from \`${hashHead(found.text)}\`), but ` +
        `${broken.join('; ')}. Expected bcrypt of cost ≥ ${POLICY.minBcryptCost}, or argon2id with ` +
        `m ≥ ${POLICY.minArgon2MemoryKiB} KiB and t ≥ ${POLICY.minArgon2Iterations} (OWASP's minimums; parameters ` +
        'in any order). Raise the options you pass to hash(): `bcrypt.hash(password, 10)`; argon2 ' +
        '`{ type: argon2id, memoryCost: 19456, timeCost: 2 }` (the npm argon2 package), `@node-rs/argon2` ' +
        'defaults, or hash-wasm `argon2id({ memorySize: 19456, iterations: 2, … })`.',
    );
    return;
  }
  const malformed = parsed.find((p) => !p.ok);
  if (malformed && !malformed.ok) {
    fail(
      `The row of the registered user holds \`${hashHead(malformed.text)}\`, which starts like a ${malformed.family} ` +
        `hash but is not one: ${malformed.problem}. Expected the string your library writes, stored whole: bcrypt as ` +
        '`$2b$<cost>$<53 characters>`, argon2id in the PHC format `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` ' +
        '(parameters in any order).',
    );
  }
  fail(
    `The row of the registered user (table ${[...new Set(rows.map((r) => `\`${r.table}\``))].join(', ')}) holds no ` +
      'bcrypt (`$2b$…`) or argon2id (`$argon2id$…`) hash; expected the password stored as one.',
  );
});
