import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';

export const TAG_NAME = /^[a-z0-9-]{1,30}$/;

export class CreatePostDto {
  @ApiProperty({ minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  title: string;

  @ApiProperty({ minLength: 1, maxLength: 10_000 })
  @IsString()
  @Length(1, 10_000)
  body: string;

  @ApiPropertyOptional({ type: [String], maxItems: 10, example: ['postgres', 'sql'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ArrayUnique()
  @IsString({ each: true })
  @Matches(TAG_NAME, { each: true, message: 'each tag must match ^[a-z0-9-]{1,30}$' })
  tags?: string[];
}
