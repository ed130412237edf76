/**
 * The hostile and fault cases of the suite record what they observed here, one JSON line each,
 * so docs/SECURITY.md's table is produced from the suite's own run (`npm run security:report`).
 */
import { execFileSync } from 'node:child_process';
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

/**
 * Every IPv4 address of this host, bridges included, up or down (Node's own list skips down ones):
 * the targets of the escape attempts, each aimed at a listener the test runs itself.
 */
export function hostAddresses(): string[] {
  const lines = execFileSync('ip', ['-4', '-o', 'addr', 'show']).toString().split('\n');
  return [...new Set(lines.flatMap((line) => /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(line)?.[1] ?? []))];
}
