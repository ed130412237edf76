/** Small formatters shared by views (passed to EJS through res.locals) and the JSON views. */

/** 420 → "0.4 s", 12_300 → "12 s", 65_000 → "1 min 5 s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  return rest ? `${minutes} min ${rest} s` : `${minutes} min`;
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

/** "27 Nov 2026, 07:45 UTC": one zone for everyone, so a learner and an instructor agree. */
export function formatDateTime(date: Date | null | undefined): string {
  return date ? `${DATE_TIME.format(date)} UTC` : '';
}

/** 87.456 → "87%", 99.95 → "99.9%" (never rounds a fail up to a pass). */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '—';
  const floored = Math.floor(percent * 10) / 10;
  return `${Number.isInteger(floored) ? floored.toFixed(0) : floored.toFixed(1)}%`;
}

/** Scores are numeric in the database; show 12.5 as "12.5" and 12 as "12". */
export function formatPoints(points: number | null | undefined): string {
  if (points === null || points === undefined || !Number.isFinite(points)) return '—';
  return String(Math.round(points * 100) / 100);
}

export function shortSha(sha: string | null | undefined): string {
  return sha ? sha.slice(0, 7) : '';
}
