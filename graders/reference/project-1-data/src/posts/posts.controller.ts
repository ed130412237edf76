import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '../common/current-user.decorator';
import { Public } from '../common/public.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreatePostDto } from './dto/create-post.dto';
import { ListPostsQuery } from './dto/list-posts.query';
import { PostPage, PostResponse } from './dto/post.response';
import { PostsService } from './posts.service';

@ApiTags('posts')
@Controller('posts')
export class PostsController {
  constructor(private readonly postsService: PostsService) {}

  @Public()
  @Get()
  @ApiOkResponse({ type: PostPage })
  list(@Query() query: ListPostsQuery): Promise<PostPage> {
    return this.postsService.selectPostPage(query);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({ type: PostResponse })
  get(@Param('id', UuidParamPipe) id: string): Promise<PostResponse> {
    return this.postsService.selectPost(id);
  }

  @Post()
  @ApiBearerAuth()
  @ApiCreatedResponse({ type: PostResponse })
  create(@Body() body: CreatePostDto, @CurrentUser() user: AuthenticatedUser): Promise<PostResponse> {
    return this.postsService.insertPost(body, user);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiNoContentResponse({ description: 'The post is soft-deleted' })
  remove(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<void> {
    return this.postsService.softDeletePost(id, user);
  }

  @Post(':id/restore')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @ApiOkResponse({ type: PostResponse })
  restore(@Param('id', UuidParamPipe) id: string, @CurrentUser() user: AuthenticatedUser): Promise<PostResponse> {
    return this.postsService.restorePost(id, user);
  }
}
