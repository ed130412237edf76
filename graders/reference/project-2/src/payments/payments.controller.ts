import { Body, Controller, Get, Headers, HttpCode, NotFoundException, Param, Post, Res } from '@nestjs/common';
import type { Response } from 'express';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ValidationFailedException } from '../common/validation-failed.exception';
import { CreatePaymentDto } from './dto/create-payment.dto';
import { PaymentResponse, toPaymentResponse } from './payment.entity';
import { PaymentsService } from './payments.service';

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

@Controller('payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  /** 202: the payment is recorded and its charge queued; the worker settles it. */
  @Post()
  @HttpCode(202)
  async create(
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Body() dto: CreatePaymentDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PaymentResponse> {
    if (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new ValidationFailedException([
        { field: 'Idempotency-Key', message: 'Idempotency-Key header is required: 1 to 255 printable ASCII characters' },
      ]);
    }
    const { payment, replayed } = await this.payments.requestPayment(idempotencyKey, dto);
    response.setHeader('Idempotent-Replayed', String(replayed));
    return payment;
  }

  @Get(':id')
  async findOne(@Param('id', UuidParamPipe) id: string): Promise<PaymentResponse> {
    const payment = await this.payments.selectPayment(id);
    if (!payment) throw new NotFoundException('Payment not found');
    return toPaymentResponse(payment);
  }
}
