/**
 * The hostile and fault cases of the suite record what they observed here, one JSON line each,
 * so docs/SECURITY.md's table is produced from the suite's own run (`npm run security:report`).
 */
import fs from 'node:fs';
import path from 'node:path';

export const CASES_FILE = path.resolve(__dirname, '..', '..', 'test-artifacts', 'security-cases.jsonl');

export interface SecurityCase {
  area: 'Hostile submission' | 'Escape attempt' | 'Forgery' | 'Hostile repository' | 'Output abuse' | 'Fault' | 'Web security';
  case: string;
  outcome: string;
  seconds?: number;
}

export function recordCase(entry: SecurityCase): void {
  fs.mkdirSync(path.dirname(CASES_FILE), { recursive: true });
  fs.appendFileSync(CASES_FILE, `${JSON.stringify({ ...entry, at: new Date().toISOString() })}\n`);
}
