/**
 * Measurements a check records (statement counts, p95, rows…) travel from the test runtime to
 * the reporter through a JSON-lines file: Jest runs the tests in their own module registry, so
 * a file is the one channel both sides share. run.js gives each run its own file.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measurement {
  name: string;
  value: number;
  unit?: string;
  /** The bound the check applies, as the learner reads it, e.g. "≤ 8" or "at most 30%". */
  threshold?: string;
}

export function measurementsPath(): string {
  return process.env.BACKEND_PRO_MEASUREMENTS || join(tmpdir(), 'backend-pro-measurements.jsonl');
}

export function appendMeasurements(checkId: string, measurements: readonly Measurement[]): void {
  if (measurements.length === 0) return;
  appendFileSync(measurementsPath(), `${JSON.stringify({ id: checkId, measurements })}\n`);
}

/** Every check's measurements of this run, by check id (the last run of a check wins). */
export function readMeasurements(path = measurementsPath()): Map<string, Measurement[]> {
  const byId = new Map<string, Measurement[]>();
  if (!existsSync(path)) return byId;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { id: string; measurements: Measurement[] };
      byId.set(entry.id, entry.measurements.slice(0, 20));
    } catch {
      // A torn line (the run was cut short) loses its measurements, never the results.
    }
  }
  return byId;
}
