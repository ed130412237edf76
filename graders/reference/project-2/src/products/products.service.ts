import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CreateProductDto, UpdateProductDto } from './dto/product.dto';
import { Product, ProductResponse, toProductResponse } from './product.entity';
import { ProductCache } from './product-cache';

@Injectable()
export class ProductsService {
  constructor(
    @InjectRepository(Product) private readonly products: Repository<Product>,
    private readonly cache: ProductCache,
  ) {}

  async insertProduct(dto: CreateProductDto): Promise<ProductResponse> {
    const product = await this.products.save(this.products.create(dto));
    return toProductResponse(product);
  }

  /** Read-through: Redis first, the database on a miss (then cached). */
  async selectProduct(id: string): Promise<ProductResponse> {
    const cached = await this.cache.get(id);
    if (cached) return cached;
    const product = await this.products.findOneBy({ id });
    if (!product) throw new NotFoundException('Product not found');
    const response = toProductResponse(product);
    await this.cache.set(response);
    return response;
  }

  async updateProduct(id: string, dto: UpdateProductDto): Promise<ProductResponse> {
    if (dto.name === undefined && dto.priceCents === undefined) {
      throw new BadRequestException('Give name or priceCents');
    }
    const product = await this.products.findOneBy({ id });
    if (!product) throw new NotFoundException('Product not found');
    const saved = await this.products.save(this.products.merge(product, dto));
    await this.cache.invalidate(id);
    return toProductResponse(saved);
  }
}
