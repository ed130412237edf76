/**
 * npm run docs:failures: rewrites the "Common failures" table of README.md from the diagnosis rules
 * (worker/diagnosis/rules.ts). `--check` only says whether it is up to date (exit 1 when not).
 */
import fs from 'node:fs';
import path from 'node:path';
import { withFailuresTable } from '../worker/diagnosis/failuresTable';

const readmePath = path.resolve(__dirname, '..', 'README.md');
const current = fs.readFileSync(readmePath, 'utf8');
const generated = withFailuresTable(current);
if (process.argv.includes('--check')) {
  process.stdout.write(
    current === generated
      ? 'README.md: the common failures table is up to date\n'
      : 'README.md: the common failures table differs from the rules; run npm run docs:failures\n',
  );
  process.exit(current === generated ? 0 : 1);
}
if (current !== generated) fs.writeFileSync(readmePath, generated);
process.stdout.write(current === generated ? 'README.md: already up to date\n' : 'README.md: common failures table rewritten\n');
