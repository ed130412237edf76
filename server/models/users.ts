import { z } from 'zod';
import { execute, inTransaction, loadSqlBlocks, queryOptionalRow, queryRow } from '../../core/db/sql';

const sql = loadSqlBlocks(__filename);

export const UserSchema = z.object({
  id: z.coerce.number(),
  login: z.string(),
  name: z.string().nullable(),
  avatar_url: z.string().nullable(),
  github_id: z.string().nullable(),
  role: z.enum(['learner', 'instructor']),
  created_at: z.date(),
  last_seen_at: z.date(),
});
export type User = z.infer<typeof UserSchema>;

/** Creates or refreshes a user at sign-in; the role follows the INSTRUCTORS list each time. */
export function upsertUser(input: {
  login: string;
  name?: string | null;
  avatarUrl?: string | null;
  githubId?: string | null;
  role: User['role'];
}): Promise<User> {
  return queryRow(
    sql.upsert_user,
    {
      login: input.login,
      name: input.name ?? null,
      avatar_url: input.avatarUrl ?? null,
      github_id: input.githubId ?? null,
      role: input.role,
    },
    UserSchema,
  );
}

export function selectOptionalUserById(id: number): Promise<User | null> {
  return queryOptionalRow(sql.select_user_by_id, { id }, UserSchema);
}

/**
 * Sign-in with GitHub: the account is found by GitHub's numeric id, so a renamed login keeps its
 * history; a login first used by dev sign-in (no GitHub id) is taken over by its GitHub owner.
 */
export function upsertGitHubUser(input: { login: string; name: string | null; avatarUrl: string | null; githubId: string; role: User['role'] }): Promise<User> {
  const values = { login: input.login, name: input.name, avatar_url: input.avatarUrl, github_id: input.githubId, role: input.role };
  return inTransaction(async (client) => {
    const byId = await queryOptionalRow(sql.select_user_by_github_id, { github_id: input.githubId }, UserSchema, client);
    const byLogin = await queryOptionalRow(sql.select_user_by_login, { login: input.login }, UserSchema, client);
    if (byLogin && byLogin.id !== byId?.id && (byId || (byLogin.github_id && byLogin.github_id !== input.githubId))) {
      await execute(sql.retire_login, { id: byLogin.id }, client);
    }
    const target = byId ?? (byLogin && !byLogin.github_id ? byLogin : null);
    if (target) return queryRow(sql.update_github_user, { ...values, id: target.id }, UserSchema, client);
    return queryRow(sql.insert_user, values, UserSchema, client);
  });
}
