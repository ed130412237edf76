// `node src/migrate.js latest` applies every pending migration;
// `node src/migrate.js down` undoes the last applied one (a no-op, exit 0, when none is left).
import { createKnex } from './db.js';

const knex = createKnex();
const command = process.argv[2];
try {
  if (command === 'latest') {
    const [batch, names] = await knex.migrate.latest();
    console.log(names.length ? `batch ${batch}: ${names.join(', ')}` : 'already up to date');
  } else if (command === 'down') {
    const [, names] = await knex.migrate.down();
    console.log(names.length ? `reverted ${names.join(', ')}` : 'nothing to revert');
  } else {
    throw new Error(`usage: migrate.js latest|down (got ${command})`);
  }
} catch (err) {
  console.error(err);
  process.exitCode = 1;
} finally {
  await knex.destroy();
}
