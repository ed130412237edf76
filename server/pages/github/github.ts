/**
 * `/github`: the learner links one GitHub repository and says which branch (and folder) holds
 * which phase. The page shows the webhook URL and the link's secret to paste into GitHub (with
 * copy buttons), creates the webhook through the API when a token is configured, reads the phase
 * map from the repository's backend-pro.yml on request, lists the last deliveries, and gives a
 * README badge per phase.
 */
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../../../core/config';
import { currentUser, requireUser } from '../../auth/middleware';
import { LOGIN_PATTERN } from '../../auth/routes';
import { GitHubApi, GitHubApiError } from '../../github/api';
import { CONFIG_FILE, readRepoConfig, type ConfigRead } from '../../github/repoConfig';
import { HttpError } from '../../lib/errors';
import { checkRef, checkSubdir } from '../../lib/submissionInput';
import { selectExercises } from '../../models/exercises';
import {
  deleteLinkForUser,
  regenerateLinkSecret,
  replaceLinkPhases,
  saveLink,
  selectLinkPhases,
  selectOptionalLinkByRepo,
  selectOptionalLinkForUser,
  selectRecentDeliveries,
  updateLinkHook,
} from '../../models/links';
import type { User } from '../../models/users';

const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** `owner/name`, or a repository URL on the configured GitHub, to `owner/name`. */
export function parseRepoFullName(raw: string, githubWebUrl: string): { ok: true; value: string } | { ok: false; reason: string } {
  const trimmed = raw.trim();
  if (!trimmed) return { ok: false, reason: 'Enter your repository as owner/name, e.g. ada/backend-course.' };
  const refused = {
    ok: false as const,
    reason: `"${trimmed.slice(0, 100)}" is not a repository on ${new URL(githubWebUrl).host}: write it as owner/name (e.g. ada/backend-course).`,
  };
  let path = trimmed;
  if (/^[a-z]+:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return refused;
    }
    if (url.origin !== new URL(githubWebUrl).origin || url.search || url.hash || url.username) return refused;
    path = url.pathname;
  }
  const [owner, name, ...rest] = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .split('/');
  if (rest.length > 0 || !owner || !name || !LOGIN_PATTERN.test(owner) || !NAME.test(name) || /^\.+$/.test(name)) return refused;
  return { ok: true, value: `${owner}/${name}` };
}

export function githubLinkRouter(deps: { config: Config; logger: Logger; rateLimit: RequestHandler }): Router {
  const { config } = deps;
  const log = deps.logger.child({ component: 'github-link' });
  const router = Router();
  const api = GitHubApi.fromConfig(config);
  const reader = GitHubApi.forReading(config);
  const webhookUrl = `${config.BASE_URL}/webhooks/github`;

  async function render(req: Request, res: Response, extra: { status?: number; errors?: string[]; values?: Record<string, string>; notice?: string } = {}) {
    const user = currentUser(req);
    const [link, exercises] = await Promise.all([selectOptionalLinkForUser(user.id), selectExercises()]);
    const phases = link ? await selectLinkPhases(link.id) : [];
    const deliveries = link ? await selectRecentDeliveries(link.repo_full_name, 8) : [];
    const tracked = new Map(phases.map((phase) => [phase.exercise_id, phase]));
    const values: Record<string, string> = extra.values ?? {
      repo: link?.repo_full_name ?? '',
      ...Object.fromEntries(
        exercises.flatMap((exercise) => [
          [`branch_${exercise.id}`, tracked.get(exercise.id)?.branch ?? ''],
          [`subdir_${exercise.id}`, tracked.get(exercise.id)?.subdir ?? ''],
        ]),
      ),
    };
    res.status(extra.status ?? 200).render('github', {
      title: 'GitHub — Backend Pro',
      link,
      phases,
      exercises,
      deliveries,
      values,
      errors: extra.errors ?? [],
      notice: extra.notice ?? (typeof req.query.done === 'string' ? NOTICES[req.query.done] : undefined),
      webhookUrl,
      canCreateWebhook: Boolean(api),
      badgeBase: `${config.BASE_URL}/badges/${encodeURIComponent(user.login)}`,
      githubWebUrl: config.GITHUB_WEB_URL,
    });
  }

  router.get('/github', requireUser, async (req, res) => {
    await render(req, res);
  });

  router.post('/github/link', requireUser, async (req, res) => {
    const user = currentUser(req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof body[key] === 'string' ? body[key] : '');
    const exercises = await selectExercises();
    const values: Record<string, string> = { repo: text('repo') };
    const errors: string[] = [];
    const repo = parseRepoFullName(text('repo'), config.GITHUB_WEB_URL);
    if (!repo.ok) errors.push(repo.reason);
    const phases: { exerciseId: string; branch: string; subdir: string | null }[] = [];
    for (const exercise of exercises) {
      values[`branch_${exercise.id}`] = text(`branch_${exercise.id}`).slice(0, 200);
      values[`subdir_${exercise.id}`] = text(`subdir_${exercise.id}`).slice(0, 200);
      const branch = checkRef(text(`branch_${exercise.id}`));
      const subdir = checkSubdir(text(`subdir_${exercise.id}`));
      if (!branch.ok) errors.push(`Phase ${exercise.phase}: ${branch.reason}`);
      if (!subdir.ok) errors.push(`Phase ${exercise.phase}: ${subdir.reason}`);
      if (branch.ok && subdir.ok && branch.value) phases.push({ exerciseId: exercise.id, branch: branch.value, subdir: subdir.value });
      else if (branch.ok && subdir.ok && subdir.value) errors.push(`Phase ${exercise.phase}: name the branch that holds the folder ${subdir.value}.`);
    }
    if (repo.ok) {
      const owner = await selectOptionalLinkByRepo(repo.value);
      if (owner && owner.user_id !== user.id) errors.push(`${repo.value} is already linked by another learner: each repository belongs to one learner.`);
    }
    if (!repo.ok || errors.length > 0) return render(req, res, { status: 400, errors, values });
    await saveLink(user.id, repo.value, phases);
    res.redirect(303, '/github?done=linked');
  });

  router.post('/github/secret', requireUser, async (req, res) => {
    const link = await requireLink(currentUser(req));
    await regenerateLinkSecret(link.id);
    res.redirect(303, '/github?done=secret');
  });

  // Both call GitHub's API with the platform's token, whose own rate limit everyone shares.
  router.post('/github/webhook', requireUser, deps.rateLimit, async (req, res) => {
    const link = await requireLink(currentUser(req));
    if (!api) throw new HttpError(409, 'The platform has no GitHub token: add the webhook by hand with the URL and secret shown.');
    try {
      const hookId = await api.createPushWebhook(link.repo_full_name, webhookUrl, link.webhook_secret);
      await updateLinkHook(link.id, hookId);
    } catch (error) {
      log.warn({ err: error, repo: link.repo_full_name }, 'could not create the webhook');
      return render(req, res, {
        status: 502,
        errors: [`GitHub refused to create the webhook on ${link.repo_full_name} (${(error as Error).message}). Add it by hand with the URL and secret below.`],
      });
    }
    res.redirect(303, '/github?done=webhook');
  });

  router.post('/github/config', requireUser, deps.rateLimit, async (req, res) => {
    const link = await requireLink(currentUser(req));
    const exercises = await selectExercises();
    let where: string;
    let read: ConfigRead;
    try {
      const branch = await reader.getDefaultBranch(link.repo_full_name);
      where = `${link.repo_full_name}@${branch}`;
      read = await readRepoConfig(reader, link.repo_full_name, branch, branch, exercises);
    } catch (error) {
      if (!(error instanceof GitHubApiError)) throw error;
      log.warn({ err: error, repo: link.repo_full_name }, `could not read ${CONFIG_FILE}`);
      const reason =
        error.status === 404
          ? `GitHub shows no repository ${link.repo_full_name} to the platform: is it public, and spelled as on GitHub?`
          : `GitHub could not be reached or refused (${error.message}). Try again in a few minutes.`;
      return render(req, res, { status: 502, errors: [`${CONFIG_FILE} was not read: ${reason} Nothing was changed.`] });
    }
    if (read.kind === 'missing') {
      return render(req, res, {
        status: 404,
        errors: [`No ${CONFIG_FILE} in ${where}: add it at the root of that branch (example below), or use the form. Nothing was changed.`],
      });
    }
    if (!read.ok) {
      return render(req, res, {
        status: 400,
        errors: [...read.errors.map((error) => `${CONFIG_FILE}: ${error}`), `Nothing was changed: fix ${CONFIG_FILE} in ${where} and read it again.`],
      });
    }
    await replaceLinkPhases(link.id, read.phases);
    const phaseOf = new Map(exercises.map((exercise) => [exercise.id, exercise.phase]));
    const applied = read.phases.map((phase) => `Phase ${phaseOf.get(phase.exerciseId)} → ${phase.branch}${phase.subdir ? ` (${phase.subdir}/)` : ''}`);
    return render(req, res, { notice: `Applied ${CONFIG_FILE} from ${where}: ${applied.join(', ') || 'no phase is tracked now'}.` });
  });

  router.post('/github/unlink', requireUser, async (req, res) => {
    await deleteLinkForUser(currentUser(req).id);
    res.redirect(303, '/github?done=unlinked');
  });

  return router;
}

const NOTICES: Record<string, string> = {
  linked: 'Saved. Pushes to the branches below are graded once the webhook is in place.',
  secret: 'A new secret was made: update it in your repository’s webhook settings, or the next pushes are refused.',
  webhook: 'The webhook was created on GitHub: your next push is graded.',
  unlinked: 'The repository is unlinked: pushes are no longer graded.',
};

async function requireLink(user: User) {
  const link = await selectOptionalLinkForUser(user.id);
  if (!link) throw new HttpError(404, 'Link a repository first.');
  return link;
}
