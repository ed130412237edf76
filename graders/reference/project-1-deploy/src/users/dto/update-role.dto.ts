import { ApiProperty } from '@nestjs/swagger';
import { IsEnum } from 'class-validator';
import { Role } from '../role';

export class UpdateRoleDto {
  @ApiProperty({ enum: Role })
  @IsEnum(Role, { message: 'role must be one of: user, admin' })
  role: Role;
}
