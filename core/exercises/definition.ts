/**
 * Exercises are authored as files: `exercises/<id>/README.md` (front matter + learner brief)
 * and `graders/<id>/` (the hidden suite). This module parses and validates them; the server
 * loads them into the database, the worker reads limits and environment from them.
 */
import fs from 'node:fs';
import path from 'node:path';
import matter from 'gray-matter';
import { z } from 'zod';
import { ROOT_DIR } from '../config';

export const EXERCISES_DIR = path.join(ROOT_DIR, 'exercises');
export const GRADERS_DIR = path.join(ROOT_DIR, 'graders');

const LimitsSchema = z
  .object({
    installSeconds: z.number().int().positive().default(300),
    buildSeconds: z.number().int().positive().default(180),
    bootSeconds: z.number().int().positive().default(60),
    testSeconds: z.number().int().positive().default(180),
    memoryMb: z.number().int().min(128).default(768),
    cpus: z.number().positive().max(4).default(1),
    pids: z.number().int().min(32).default(256),
    tmpMb: z.number().int().min(16).default(256),
    /** The job's checkout (workspace, node_modules, dist, what the app writes) is a file system of this size. */
    diskMb: z.number().int().min(64).default(2048),
    outputKb: z.number().int().min(16).default(256),
    probeSeconds: z.number().int().positive().default(120),
  })
  .strict();

export const FrontMatterSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    phase: z.number().int().min(1).max(99),
    title: z.string().min(1),
    summary: z.string().default(''),
    points: z.number().int().positive().default(100),
    passMark: z.number().min(0).max(100).default(80),
    services: z.array(z.enum(['postgres', 'redis'])).default(['postgres', 'redis']),
    visibility: z.enum(['visible', 'hidden']).default('visible'),
    cooldownSeconds: z.number().int().min(0).default(60),
    env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.coerce.string()).default({}),
    limits: LimitsSchema.default(LimitsSchema.parse({})),
    /** Mount the learner's app folder read-only in the tester (SUBMISSION_DIR), e.g. to scan for secrets. */
    workspace: z.boolean().default(false),
    /**
     * Commands run with the learner's code after `migration:run` and before the app starts (e.g.
     * reverting every migration and applying them again); the tester reads their outcomes. A probe
     * sees the app's environment, its own `env:` over the exercise's (before backend-pro.yml maps
     * names), APP_START_COMMAND (how the app is started) and APP_PATH_PREFIX (backend-pro.yml's
     * `prefix:`), e.g. to boot the app once more as production and call it.
     */
    probes: z
      .array(
        z
          .object({
            name: z.string().regex(/^[a-z0-9-]+$/),
            run: z.string().min(1).max(2000),
            env: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.coerce.string()).default({}),
          })
          .strict(),
      )
      .max(10)
      .default([]),
  })
  .strict();

export type ExerciseLimits = z.infer<typeof LimitsSchema>;

export interface ExerciseDefinition extends z.infer<typeof FrontMatterSchema> {
  briefMarkdown: string;
  /** True when graders/<id>/ holds a suite: the exercise can be submitted. */
  gradable: boolean;
  graderDir: string;
}

export class ExerciseDefinitionError extends Error {}

export function parseExercise(readmePath: string): ExerciseDefinition {
  const file = matter(fs.readFileSync(readmePath, 'utf8'));
  const parsed = FrontMatterSchema.safeParse(file.data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ExerciseDefinitionError(`${path.relative(ROOT_DIR, readmePath)}: ${problems}`);
  }
  const folder = path.basename(path.dirname(readmePath));
  if (parsed.data.id !== folder) {
    throw new ExerciseDefinitionError(`${path.relative(ROOT_DIR, readmePath)}: id "${parsed.data.id}" must match its folder "${folder}"`);
  }
  const graderDir = path.join(GRADERS_DIR, parsed.data.id);
  const gradable = fs.existsSync(path.join(graderDir, 'checks.ts'));
  return { ...parsed.data, briefMarkdown: file.content.trim(), gradable, graderDir };
}

/** Every exercise under exercises/, ordered by phase. Throws on the first invalid definition. */
export function loadExerciseDefinitions(dir = EXERCISES_DIR): ExerciseDefinition[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'README.md')))
    .map((entry) => parseExercise(path.join(dir, entry.name, 'README.md')))
    .sort((a, b) => a.phase - b.phase || a.id.localeCompare(b.id));
}

export function findExerciseDefinition(id: string): ExerciseDefinition {
  const readme = path.join(EXERCISES_DIR, id, 'README.md');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id) || !fs.existsSync(readme)) {
    throw new ExerciseDefinitionError(`Unknown exercise "${id}"`);
  }
  return parseExercise(readme);
}
