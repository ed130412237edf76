/**
 * The repository scan for committed secrets, shared by every grader that has a
 * `secrets.none-committed` check (phase 3, phase 4): one definition, so the phases never disagree
 * about what counts as a leaked secret. Needs `workspace: true` (it reads the learner's files).
 */
import { ensure, measure } from '../harness/check';
import { listSubmissionFiles, readSubmissionFile } from '../harness/submission';

/** Files bigger than this are not read (lockfiles are far smaller; images are not secrets' home). */
const MAX_SCANNED_BYTES = 1024 * 1024;
const ENV_TEMPLATES = /\.(example|sample|template)$/i;

/** Kinds of secret, found by content; feedback names the kind and the file, never the value. */
const SECRET_PATTERNS: Array<{ kind: string; pattern: RegExp }> = [
  { kind: 'a private key', pattern: /-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----/ },
  { kind: 'an AWS access key id', pattern: /(?<![A-Za-z0-9/+=])(?:AKIA|ASIA)[0-9A-Z]{16}(?![A-Za-z0-9/+=])/ },
  { kind: 'a Google OAuth client secret', pattern: /GOCSPX-[A-Za-z0-9_-]{20,}/ },
  { kind: 'a GitHub token', pattern: /\b(?:ghp_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,})\b/ },
  { kind: 'a Stripe live key', pattern: /\b[sr]k_live_[A-Za-z0-9]{20,}\b/ },
];

/** `.env`, `.env.local`, `config/.env.production`: an environment file that is not a template. */
export function isEnvFile(path: string): boolean {
  const name = path.split('/').pop() ?? '';
  return (name === '.env' || name.startsWith('.env.')) && !ENV_TEMPLATES.test(name);
}

/** The body of `secrets.none-committed`: fails naming each file and kind of secret found. */
export async function checkNoSecretsCommitted(): Promise<void> {
  const files = listSubmissionFiles();
  const findings: string[] = [];
  let scanned = 0;
  for (const file of files) {
    // Links are never read: one could point at a file outside the submission.
    if (file.symlink) continue;
    if (isEnvFile(file.path)) findings.push(`\`${file.path}\`: an environment file (commit \`.env.example\` with placeholders instead)`);
    if (file.size > MAX_SCANNED_BYTES) continue;
    const text = readSubmissionFile(file.path, MAX_SCANNED_BYTES);
    if (text === null) continue;
    scanned += 1;
    for (const { kind, pattern } of SECRET_PATTERNS) {
      if (pattern.test(text)) findings.push(`\`${file.path}\`: ${kind}`);
    }
  }
  measure('files scanned', scanned);
  measure('secrets found', findings.length, { threshold: '= 0' });
  ensure(
    findings.length === 0,
    `Your repository holds secrets:\n- ${findings.slice(0, 20).join('\n- ')}${findings.length > 20 ? `\n- … and ${findings.length - 20} more` : ''}\n\n` +
      'Remove them from the repository (and from its history), rotate every one of them (a pushed secret is a leaked ' +
      'secret), list `.env` in `.gitignore`, and read the values from the environment.',
  );
}
