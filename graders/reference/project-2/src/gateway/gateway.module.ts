import { Global, Module } from '@nestjs/common';
import { SimulatedGateway } from './simulated-gateway';

@Global()
@Module({ providers: [SimulatedGateway], exports: [SimulatedGateway] })
export class GatewayModule {}
