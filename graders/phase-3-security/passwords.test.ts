import { findTextInColumns, selectRowsMatching } from '../harness/context';
import { ensure, fail, measure, show, useChecks } from '../harness/check';
import { checks } from './checks';
import { newUser, registerUser } from './support/api';

const check = useChecks(checks);

const MIN_BCRYPT_COST = 10;
const MIN_ARGON2_MEMORY_KIB = 19_456;
const MIN_ARGON2_ITERATIONS = 2;

const BCRYPT = /^\$2[aby]\$(\d{2})\$[./A-Za-z0-9]{53}$/;
const ARGON2 = /^\$argon2(id|i|d)\$(?:v=\d+\$)?m=(\d+),t=(\d+),p=(\d+)\$/;

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

  const bcrypt = values.map((v) => BCRYPT.exec(v)).find(Boolean);
  if (bcrypt) {
    const cost = Number(bcrypt[1]);
    measure('bcrypt cost', cost, { threshold: `≥ ${MIN_BCRYPT_COST}` });
    ensure(
      cost >= MIN_BCRYPT_COST,
      `The password is a bcrypt hash of cost **${cost}**; expected at least ${MIN_BCRYPT_COST} (each step doubles ` +
        'the work of an attacker who steals the table).',
    );
    return;
  }
  const argon = values.map((v) => ARGON2.exec(v)).find(Boolean);
  if (argon) {
    const [, variant, memory, iterations] = argon;
    measure('argon2 memory (KiB)', Number(memory), { threshold: `≥ ${MIN_ARGON2_MEMORY_KIB}` });
    ensure(
      variant === 'id' && Number(memory) >= MIN_ARGON2_MEMORY_KIB && Number(iterations) >= MIN_ARGON2_ITERATIONS,
      `The password is an argon2${variant} hash with m=${memory}, t=${iterations}; expected argon2id with ` +
        `m ≥ ${MIN_ARGON2_MEMORY_KIB} and t ≥ ${MIN_ARGON2_ITERATIONS} (OWASP's minimum).`,
    );
    return;
  }
  fail(
    `The row of the registered user (table ${[...new Set(rows.map((r) => `\`${r.table}\``))].join(', ')}) holds no ` +
      'bcrypt (`$2b$…`) or argon2id (`$argon2id$…`) hash; expected the password stored as one.',
  );
});
