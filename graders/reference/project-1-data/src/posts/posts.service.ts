import { ConflictException, ForbiddenException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AuthenticatedUser } from '../common/current-user.decorator';
import { APP_CONFIG, AppConfig } from '../config';
import { Role } from '../users/role';
import { CursorCodec } from './cursor';
import { CreatePostDto } from './dto/create-post.dto';
import { ListPostsQuery, PostSort } from './dto/list-posts.query';
import { PostPage, PostResponse, PostRow, toPostResponse } from './dto/post.response';

const DEFAULT_LIMIT = 20;

/** Every post query selects these columns: the author by join, the tags in one sub-select. */
const POST_COLUMNS = `
  p.id, p.title, p.body, p.created_at AS "createdAt",
  to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdAtExact",
  u.id AS "authorId", u.name AS "authorName",
  ARRAY(SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id
         WHERE pt.post_id = p.id ORDER BY t.name COLLATE "C") AS tags`;

/**
 * ORDER BY and keyset condition of each sort. Only these fixed fragments ever reach the SQL:
 * the sort parameter selects one, it is never interpolated. Ties are broken by id, same direction.
 */
const SORTS: Record<PostSort, { orderBy: string; after: (key: string, id: string) => string; keyOf: (row: PostRow) => string }> = {
  '-createdAt': {
    orderBy: 'p.created_at DESC, p.id DESC',
    after: (key, id) => `(p.created_at, p.id) < (${key}::timestamptz, ${id}::uuid)`,
    keyOf: (row) => row.createdAtExact,
  },
  createdAt: {
    orderBy: 'p.created_at ASC, p.id ASC',
    after: (key, id) => `(p.created_at, p.id) > (${key}::timestamptz, ${id}::uuid)`,
    keyOf: (row) => row.createdAtExact,
  },
  '-title': {
    orderBy: 'p.title DESC, p.id DESC',
    after: (key, id) => `(p.title, p.id) < (${key}, ${id}::uuid)`,
    keyOf: (row) => row.title,
  },
  title: {
    orderBy: 'p.title ASC, p.id ASC',
    after: (key, id) => `(p.title, p.id) > (${key}, ${id}::uuid)`,
    keyOf: (row) => row.title,
  },
};

@Injectable()
export class PostsService {
  private readonly cursors: CursorCodec;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cursors = new CursorCodec(config.jwt.accessSecret);
  }

  /** One page of live posts in one SQL statement, whatever the page size. */
  async selectPostPage(query: ListPostsQuery): Promise<PostPage> {
    const sort: PostSort = query.sort ?? '-createdAt';
    const limit = query.limit ? Number(query.limit) : DEFAULT_LIMIT;
    const order = SORTS[sort];
    const values: unknown[] = [];
    const param = (value: unknown): string => {
      values.push(value);
      return `$${values.length}`;
    };

    const where = ['p.deleted_at IS NULL'];
    if (query.authorId) where.push(`p.author_id = ${param(query.authorId)}`);
    if (query.tag) {
      where.push(`EXISTS (SELECT 1 FROM post_tags fpt JOIN tags ft ON ft.id = fpt.tag_id
                          WHERE fpt.post_id = p.id AND ft.name = ${param(query.tag)})`);
    }
    if (query.cursor) {
      const position = this.cursors.decode(query.cursor, sort);
      where.push(order.after(param(position.key), param(position.id)));
    }
    // One row more than asked tells whether a next page exists.
    const rows = await this.dataSource.query<PostRow[]>(
      `SELECT ${POST_COLUMNS}
         FROM posts p JOIN users u ON u.id = p.author_id
        WHERE ${where.join(' AND ')}
        ORDER BY ${order.orderBy}
        LIMIT ${param(limit + 1)}`,
      values,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last ? this.cursors.encode({ sort, key: order.keyOf(last), id: last.id }) : null;
    return { data: page.map(toPostResponse), nextCursor };
  }

  async selectPost(id: string, manager: EntityManager = this.dataSource.manager): Promise<PostResponse> {
    const [row] = await manager.query<PostRow[]>(
      `SELECT ${POST_COLUMNS}
         FROM posts p JOIN users u ON u.id = p.author_id
        WHERE p.id = $1 AND p.deleted_at IS NULL`,
      [id],
    );
    if (!row) throw new NotFoundException('Post not found');
    return toPostResponse(row);
  }

  /** Inserts the post, creates its missing tags and links them, in one transaction. */
  insertPost(body: CreatePostDto, author: AuthenticatedUser): Promise<PostResponse> {
    const tags = body.tags ?? [];
    return this.dataSource.transaction(async (manager) => {
      const [{ id }] = await manager.query<Array<{ id: string }>>(
        `INSERT INTO posts (author_id, title, body) VALUES ($1, $2, $3) RETURNING id`,
        [author.id, body.title, body.body],
      );
      if (tags.length > 0) {
        await manager.query(`INSERT INTO tags (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`, [tags]);
        await manager.query(
          `INSERT INTO post_tags (post_id, tag_id) SELECT $1, id FROM tags WHERE name = ANY($2::text[])`,
          [id, tags],
        );
      }
      return this.selectPost(id, manager);
    });
  }

  /** Soft delete: the row (and its tags) stay, with deleted_at set. */
  async softDeletePost(id: string, user: AuthenticatedUser): Promise<void> {
    const post = await this.selectPostState(id);
    if (!post || post.deletedAt) throw new NotFoundException('Post not found');
    assertMayChange(post.authorId, user);
    await this.dataSource.query(`UPDATE posts SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL`, [id]);
  }

  async restorePost(id: string, user: AuthenticatedUser): Promise<PostResponse> {
    const post = await this.selectPostState(id);
    if (!post) throw new NotFoundException('Post not found');
    assertMayChange(post.authorId, user);
    if (!post.deletedAt) throw new ConflictException('Post is not deleted');
    await this.dataSource.query(`UPDATE posts SET deleted_at = NULL WHERE id = $1`, [id]);
    return this.selectPost(id);
  }

  private async selectPostState(id: string): Promise<{ authorId: string; deletedAt: Date | null } | undefined> {
    const [row] = await this.dataSource.query<Array<{ authorId: string; deletedAt: Date | null }>>(
      `SELECT author_id AS "authorId", deleted_at AS "deletedAt" FROM posts WHERE id = $1`,
      [id],
    );
    return row;
  }
}

function assertMayChange(authorId: string, user: AuthenticatedUser): void {
  if (authorId !== user.id && user.role !== Role.Admin) {
    throw new ForbiddenException('Only the author or an admin may change this post');
  }
}
