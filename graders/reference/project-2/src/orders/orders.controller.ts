import { Body, Controller, Get, HttpCode, Inject, Param, Post, forwardRef } from '@nestjs/common';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { PaymentsService } from '../payments/payments.service';
import { CreateOrderDto } from './dto/create-order.dto';
import { OrderResponse, toOrderResponse } from './order.entity';
import { OrdersService } from './orders.service';

@Controller('orders')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    @Inject(forwardRef(() => PaymentsService)) private readonly payments: PaymentsService,
  ) {}

  @Post()
  async create(@Body() dto: CreateOrderDto): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.insertOrder(dto));
  }

  @Get(':id')
  async findOne(@Param('id', UuidParamPipe) id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.selectOrder(id));
  }

  @Post(':id/cancel')
  @HttpCode(200)
  async cancel(@Param('id', UuidParamPipe) id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.transition('cancel', id));
  }

  /** A FAILED order goes back to CREATED so it can be paid again. */
  @Post(':id/reopen')
  @HttpCode(200)
  async reopen(@Param('id', UuidParamPipe) id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.orders.transition('reopen', id));
  }

  @Post(':id/refund')
  @HttpCode(200)
  async refund(@Param('id', UuidParamPipe) id: string): Promise<OrderResponse> {
    return toOrderResponse(await this.payments.refundOrder(id));
  }
}
