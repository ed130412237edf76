import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config';
import { ConfigModule } from './config.module';
import { buildDataSourceOptions } from './database/database.options';
import { HealthController } from './health/health.controller';
import { UsersModule } from './users/users.module';

@Module({ controllers: [HealthController] })
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(buildDataSourceOptions(config.database)),
        UsersModule,
        AuthModule,
      ],
    };
  }
}
