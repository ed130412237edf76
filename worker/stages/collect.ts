/**
 * Stage 5: read and validate the tester's results.json: a regular file (never a symlink),
 * at most 1 MB, ResultsFileSchema (zod, core/models/results.ts); scores clamped. Anything else is a grading error.
 * Also the harness's evidence.json (the requests it sent, in summary), for the diagnosis.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { clampResults, MAX_RESULTS_BYTES, ResultsFileSchema, type ResultsFile } from '../../core/models/results';

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

const EVIDENCE_MAX_BYTES = 64 * 1024;

/** The harness's evidence.json (graders/harness/requestLog.ts), checked by zod. */
export const HarnessEvidenceSchema = z.object({
  version: z.literal(1),
  prefix: z.string().max(200),
  requests: z.object({
    total: z.number().int().min(0),
    notFound: z.number().int().min(0),
    mutating: z.number().int().min(0),
    csrfRefused: z.number().int().min(0),
    csrfExample: z.object({ method: z.string().max(10), path: z.string().max(300) }).nullable(),
  }),
  prefixProbe: z
    .object({
      found: z.string().max(100).nullable(),
      tried: z.array(z.string().max(100)).max(20),
      samples: z.array(z.object({ method: z.string().max(10), path: z.string().max(300), status: z.number().int().nullable() })).max(20),
    })
    .nullable(),
});
export type HarnessEvidence = z.infer<typeof HarnessEvidenceSchema>;

/**
 * What the harness recorded about the requests it sent, or null when it wrote nothing usable
 * (evidence only sharpens the diagnosis; the results never depend on it).
 */
export function collectEvidence(outDir: string): HarnessEvidence | null {
  const file = path.join(outDir, 'evidence.json');
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile() || stat.size > EVIDENCE_MAX_BYTES) return null;
  try {
    const parsed = HarnessEvidenceSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
