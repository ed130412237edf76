import { ApiProperty } from '@nestjs/swagger';
import { Role } from '../role';
import { User } from '../user.entity';

/** A user as the API shows it: never with its password hash. */
export class UserResponse {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ada@example.com' })
  email: string;

  @ApiProperty({ example: 'Ada Lovelace' })
  name: string;

  @ApiProperty({ enum: Role })
  role: Role;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt: string;
}

/** Picks the public fields of a user; the only way a user leaves the service. */
export function toUserResponse(user: User): UserResponse {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
  };
}
