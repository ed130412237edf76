import { Body, Controller, Get, Param, Patch, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuthenticatedUser, CurrentUser } from '../common/current-user.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { Roles } from '../common/roles.decorator';
import { UpdateRoleDto } from './dto/update-role.dto';
import { toUserResponse, UserResponse } from './dto/user.response';
import { Role } from './role';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly usersService: UsersService) {}

  // Declared before `:id` so that "me" is not parsed as an id.
  @Get('me')
  @ApiOkResponse({ type: UserResponse })
  async me(@CurrentUser() current: AuthenticatedUser): Promise<UserResponse> {
    const user = await this.usersService.selectOptionalUser(current.id);
    // A valid token for an account that was deleted since it was issued.
    if (!user) throw new UnauthorizedException('User no longer exists');
    return toUserResponse(user);
  }

  @Get()
  @Roles(Role.Admin)
  @ApiOkResponse({ type: [UserResponse] })
  async list(): Promise<UserResponse[]> {
    const users = await this.usersService.selectUsers();
    return users.map(toUserResponse);
  }

  @Get(':id')
  @Roles(Role.Admin)
  @ApiOkResponse({ type: UserResponse })
  async get(@Param('id', UuidParamPipe) id: string): Promise<UserResponse> {
    return toUserResponse(await this.usersService.selectUser(id));
  }

  @Patch(':id/role')
  @Roles(Role.Admin)
  @ApiOkResponse({ type: UserResponse })
  async updateRole(@Param('id', UuidParamPipe) id: string, @Body() body: UpdateRoleDto): Promise<UserResponse> {
    return toUserResponse(await this.usersService.updateRole(id, body.role));
  }
}
