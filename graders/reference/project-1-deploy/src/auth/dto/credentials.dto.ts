import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, Length, MaxLength } from 'class-validator';

// class-validator runs a property's decorators bottom-up and the pipe stops at the first
// failure, so the most basic check (type) sits closest to the property.

const PASSWORD_MIN = 8;
// bcrypt only reads the first 72 bytes of a password.
const PASSWORD_MAX = 72;

export class LoginDto {
  @ApiProperty({ example: 'ada@example.com' })
  @IsEmail()
  email: string;

  @ApiProperty({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX })
  @Length(PASSWORD_MIN, PASSWORD_MAX)
  @IsString()
  password: string;
}

export class RegisterDto extends LoginDto {
  @ApiProperty({ example: 'Ada Lovelace', maxLength: 100 })
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  name: string;
}

export class RefreshTokenDto {
  @ApiProperty()
  @IsNotEmpty()
  @IsString()
  refreshToken: string;
}
