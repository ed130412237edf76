import { ApiProperty } from '@nestjs/swagger';

export class PostAuthor {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;
}

/** A post as the API shows it: never its deletion state, never the author's email. */
export class PostResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  body: string;

  @ApiProperty({ type: PostAuthor })
  author: PostAuthor;

  @ApiProperty({ type: [String], description: 'tag names, sorted' })
  tags: string[];

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

export class PostPage {
  @ApiProperty({ type: [PostResponse] })
  data: PostResponse[];

  @ApiProperty({ type: String, nullable: true })
  nextCursor: string | null;
}

/** One row of the post queries (see posts.service.ts). */
export interface PostRow {
  id: string;
  title: string;
  body: string;
  createdAt: Date;
  /** created_at with its microseconds, for cursors (a JS Date keeps milliseconds only). */
  createdAtExact: string;
  authorId: string;
  authorName: string;
  tags: string[];
}

export function toPostResponse(row: PostRow): PostResponse {
  return {
    id: row.id,
    title: row.title,
    body: row.body,
    author: { id: row.authorId, name: row.authorName },
    tags: row.tags,
    createdAt: row.createdAt.toISOString(),
  };
}
