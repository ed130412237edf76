import { Module, forwardRef } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersModule } from '../orders/orders.module';
import { Payment } from './payment.entity';
import { PaymentProcessor } from './payment.processor';
import { PaymentQueue } from './payment-queue';
import { PaymentsController } from './payments.controller';
import { PaymentsService } from './payments.service';

@Module({
  imports: [TypeOrmModule.forFeature([Payment]), forwardRef(() => OrdersModule)],
  controllers: [PaymentsController],
  providers: [PaymentsService, PaymentProcessor, PaymentQueue],
  exports: [PaymentsService],
})
export class PaymentsModule {}
