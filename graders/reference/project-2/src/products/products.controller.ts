import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import { ProductResponse } from './product.entity';
import { ProductsService } from './products.service';

@Controller('products')
export class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Post()
  create(@Body() dto: CreateProductDto): Promise<ProductResponse> {
    return this.products.insertProduct(dto);
  }

  @Get(':id')
  findOne(@Param('id', UuidParamPipe) id: string): Promise<ProductResponse> {
    return this.products.selectProduct(id);
  }

  @Patch(':id')
  update(@Param('id', UuidParamPipe) id: string, @Body() dto: UpdateProductDto): Promise<ProductResponse> {
    return this.products.updateProduct(id, dto);
  }
}
