/**
 * Stage 5: read and validate the tester's results.json: a regular file (never a symlink),
 * at most 1 MB, DESIGN.md's schema (zod); scores clamped. Anything else is a grading error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { clampResults, MAX_RESULTS_BYTES, ResultsFileSchema, type ResultsFile } from '../../server/models/results';

export type Collected = { ok: true; results: ResultsFile } | { ok: false; reason: string };

export function collectResults(outDir: string): Collected {
  const file = path.join(outDir, 'results.json');
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat) return { ok: false, reason: 'the grader wrote no results.json' };
  if (!stat.isFile()) return { ok: false, reason: 'results.json is not a regular file' };
  if (stat.size > MAX_RESULTS_BYTES) return { ok: false, reason: `results.json is ${stat.size} bytes, over the 1 MB cap` };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { ok: false, reason: `results.json is not JSON (${(error as Error).message})` };
  }
  const parsed = ResultsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    return { ok: false, reason: `results.json does not match the schema (${problems.join('; ')})` };
  }
  return { ok: true, results: clampResults(parsed.data) };
}
