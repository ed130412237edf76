import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RolesGuard } from '../common/roles.guard';
import { UsersModule } from '../users/users.module';
import { AccessTokenGuard } from './access-token.guard';
import { AdminAccountSeeder } from './admin-account.seeder';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { RefreshToken } from './refresh-token.entity';
import { TokensService } from './tokens.service';

@Module({
  // Secrets are passed per call: access and refresh tokens use different ones.
  imports: [UsersModule, JwtModule.register({}), TypeOrmModule.forFeature([RefreshToken])],
  controllers: [AuthController],
  providers: [
    AuthService,
    TokensService,
    AdminAccountSeeder,
    // Global guards run in this order: who are you, then may you.
    { provide: APP_GUARD, useClass: AccessTokenGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
})
export class AuthModule {}
