/**
 * `npm run security:report`: rewrites the table of hostile and fault cases in docs/SECURITY.md
 * from test-artifacts/security-cases.jsonl, which the suite's hostile and fault tests write as
 * they run. The newest run of each case wins.
 */
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
const CASES = path.join(ROOT, 'test-artifacts', 'security-cases.jsonl');
const DOC = path.join(ROOT, 'docs', 'SECURITY.md');
const START = '<!-- cases:start -->';
const END = '<!-- cases:end -->';
const AREAS = ['Hostile submission', 'Escape attempt', 'Forgery', 'Hostile repository', 'Output abuse', 'Fault', 'Web security'];

interface Case {
  area: string;
  case: string;
  outcome: string;
  seconds?: number;
  at: string;
}

function main(): number {
  if (!fs.existsSync(CASES)) {
    console.error(`No ${path.relative(ROOT, CASES)}: run \`npm test\` (or the hostile suites) first.`);
    return 1;
  }
  const latest = new Map<string, Case>();
  for (const line of fs.readFileSync(CASES, 'utf8').split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as Case;
    latest.set(`${entry.area}\u0000${entry.case}`, entry);
  }
  const rows = [...latest.values()].sort((a, b) => AREAS.indexOf(a.area) - AREAS.indexOf(b.area) || a.case.localeCompare(b.case));
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();
  const when =
    rows
      .map((row) => row.at)
      .sort()
      .at(-1) ?? '';
  const table = [
    START,
    `Produced by \`npm run security:report\` from the suite's run of ${when.slice(0, 16).replace('T', ' ')} UTC (${rows.length} cases).`,
    '',
    '| area | case | outcome | time |',
    '| --- | --- | --- | ---: |',
    ...rows.map((row) => `| ${row.area} | ${cell(row.case)} | ${cell(row.outcome)} | ${row.seconds === undefined ? '' : `${row.seconds.toFixed(1)} s`} |`),
    END,
  ].join('\n');
  const doc = fs.readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  if (start === -1 || end === -1) throw new Error(`docs/SECURITY.md has no ${START} … ${END} section`);
  fs.writeFileSync(DOC, `${doc.slice(0, start)}${table}${doc.slice(end + END.length)}`);
  console.log(`docs/SECURITY.md: ${rows.length} cases`);
  return 0;
}

process.exitCode = main();
