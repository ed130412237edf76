import { Controller, Get, Inject } from '@nestjs/common';
import { Public } from '../common/public.decorator';
import { APP_CONFIG, AppConfig } from '../config';

export interface HealthResponse {
  status: 'ok';
  environment: string;
  version: string;
  uptimeSeconds: number;
}

/**
 * GET /health: what the load balancer, the Compose healthcheck and the deploy's smoke test call.
 * It answers from memory (no database round trip), so it stays fast and never hangs.
 */
@Controller('health')
export class HealthController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public()
  @Get()
  check(): HealthResponse {
    return {
      status: 'ok',
      environment: this.config.environment,
      version: this.config.version,
      uptimeSeconds: Math.round(process.uptime()),
    };
  }
}
