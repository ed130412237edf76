import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class CreateProductDto {
  @IsString()
  @Length(1, 100)
  name: string;

  @IsInt()
  @Min(1)
  @Max(10_000_000)
  priceCents: number;
}

export class UpdateProductDto {
  @IsOptional()
  @IsString()
  @Length(1, 100)
  name?: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  priceCents?: number;
}
