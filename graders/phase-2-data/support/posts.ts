/** Posts created through the API, for checks that need the app's own writes (and rights). */
import { call } from '../../harness/context';
import { ensure, expectStatus, showBody } from '../../harness/feedback';
import { isRecord } from '../../shared/project-1/api';

/** POST /posts (201 expected, a prerequisite) and the new post's id. */
export async function createPost(token: string, body: { title: string; body: string; tags?: string[] }): Promise<string> {
  const res = await call('POST', '/posts', { token, body });
  expectStatus(res, 201, {
    when: 'with a valid post (a step this check needs first)',
    fix: 'Creating a post must work before this check can go on: see the check posts.create-with-tags.',
    needs: 'posts.create-with-tags',
  });
  const id = isRecord(res.body) ? res.body.id : undefined;
  ensure(typeof id === 'string', `\`POST /posts\` answered 201 without the new post's \`id\` (a step this check needs first).\n\n${showBody(res)}`, {
    needs: 'posts.create-with-tags',
  });
  return id;
}
