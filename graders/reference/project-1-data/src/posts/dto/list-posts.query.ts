import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { TAG_NAME } from './create-post.dto';

export const POST_SORTS = ['createdAt', '-createdAt', 'title', '-title'] as const;
export type PostSort = (typeof POST_SORTS)[number];

/**
 * The query of GET /posts. Values stay strings (a parameter given twice is an array and fails
 * every rule); the global ValidationPipe refuses any parameter not declared here.
 */
export class ListPostsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @IsString()
  @Matches(/^(100|[1-9][0-9]?)$/, { message: 'limit must be an integer from 1 to 100' })
  limit?: string;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  cursor?: string;

  @ApiPropertyOptional({ enum: POST_SORTS, default: '-createdAt' })
  @IsOptional()
  @IsIn(POST_SORTS)
  sort?: PostSort;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsString()
  @IsUUID()
  authorId?: string;

  @ApiPropertyOptional({ example: 'postgres' })
  @IsOptional()
  @IsString()
  @Matches(TAG_NAME, { message: 'tag must match ^[a-z0-9-]{1,30}$' })
  tag?: string;
}
