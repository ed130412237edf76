/**
 * `GET /badges/:login/:exercise.svg`: a README badge with the learner's best score on a phase
 * (green once a submission passed — the pass mark and every required check — amber before,
 * grey before any score). Public, like the README it
 * sits in; it shows a percentage and nothing else.
 */
import ejs from 'ejs';
import { Router } from 'express';
import { z } from 'zod';
import { loadSqlBlocks, queryOptionalRow } from '../../../core/db/sql';
import { formatPercent } from '../../../core/lib/format';

const sql = loadSqlBlocks(__filename);

const BadgeRowSchema = z.object({
  phase: z.number(),
  pass_mark: z.number(),
  best_percent: z.number().nullable(),
  best_passed_percent: z.number().nullable(),
  grading: z.boolean().nullable(),
});

const COLORS = { passed: '#2f9e44', below: '#e8890c', none: '#868e96' } as const;

export function badgeRouter(): Router {
  const router = Router();
  router.get('/badges/:login/:file', async (req, res) => {
    const login = String(req.params.login);
    const file = String(req.params.file);
    const match = /^([a-z0-9-]{1,60})\.svg$/.exec(file);
    const row = match && /^[A-Za-z0-9-]{1,39}$/.test(login) ? await queryOptionalRow(sql.select_badge, { login, exercise_id: match[1] }, BadgeRowSchema) : null;
    res.set('Cache-Control', 'public, max-age=60');
    res.type('image/svg+xml');
    if (!row) {
      res.status(404).send(renderBadge('Backend Pro', 'unknown badge', COLORS.none));
      return;
    }
    const label = `Backend Pro · Phase ${row.phase}`;
    if (row.best_percent === null) {
      res.send(renderBadge(label, row.grading ? 'grading…' : 'not graded yet', COLORS.none));
      return;
    }
    // Passed: a submission reached the pass mark with every required check passing; it shows that
    // submission's score. Otherwise the best score, amber (a high score with a failed required check too).
    if (row.best_passed_percent !== null) {
      res.send(renderBadge(label, `${formatPercent(row.best_passed_percent)} passed`, COLORS.passed));
      return;
    }
    res.send(renderBadge(label, `${formatPercent(row.best_percent)} not passed`, COLORS.below));
  });
  return router;
}

/** A flat two-part badge in the usual shape; text widths estimated for 11 px Verdana. */
export function renderBadge(label: string, message: string, color: string): string {
  const width = (text: string) => Math.round(text.length * 6.6 + 12);
  const left = width(label);
  const right = width(message);
  const total = left + right;
  const escape = ejs.escapeXML;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${escape(`${label}: ${message}`)}">
<title>${escape(`${label}: ${message}`)}</title>
<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
<clipPath id="r"><rect width="${total}" height="20" rx="3" fill="#fff"/></clipPath>
<g clip-path="url(#r)"><rect width="${left}" height="20" fill="#343a40"/><rect x="${left}" width="${right}" height="20" fill="${color}"/><rect width="${total}" height="20" fill="url(#s)"/></g>
<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
<text x="${left / 2}" y="14">${escape(label)}</text>
<text x="${left + right / 2}" y="14">${escape(message)}</text>
</g>
</svg>
`;
}
