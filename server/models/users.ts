import { z } from 'zod';
import { loadSqlBlocks, queryOptionalRow, queryRow } from '../db/sql';

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
